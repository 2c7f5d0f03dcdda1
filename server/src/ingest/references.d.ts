import type { FieldError, StreamName, StreamRecord } from '@servicetower/domain';
import type { ReferenceSnapshot } from './referenceCache.js';
/**
 * Checks that a schema-valid record names things that exist and lie inside the key's
 * regions (null: all). Returns one error per offending field.
 */
export declare function checkReferences<S extends StreamName>(stream: S, record: StreamRecord[S], refs: ReferenceSnapshot, regions: readonly string[] | null): FieldError[];
