import type { Readable } from 'node:stream';
import type { TObject } from '@sinclair/typebox';
import type { FieldError } from '@servicetower/domain';
/** One record of a body, or why it could not be read as one. */
export type BodyItem = {
    index: number;
    line?: number;
} & ({
    raw: unknown;
} | {
    error: FieldError;
});
export interface StreamLimits {
    /** Bytes in the whole body. */
    maxBytes: number;
    /** Bytes in one NDJSON line or CSV row. */
    maxLineBytes: number;
}
/**
 * Reads an NDJSON body line by line as it arrives; only the current line is held in memory.
 * A blank line is skipped; a line that is not UTF-8 JSON becomes a rejected record.
 */
export declare function ndjsonItems(body: Readable, limits: StreamLimits): AsyncGenerator<BodyItem>;
/**
 * Reads a CSV body (header row first) row by row. Empty cells are left out, and cells
 * are converted to the types the record schema asks for ("12.5" → 12.5).
 */
export declare function csvItems(body: Readable, schema: TObject, limits: StreamLimits): AsyncGenerator<BodyItem>;
