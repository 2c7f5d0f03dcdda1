import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { Value } from '@sinclair/typebox/value';
import type { TObject } from '@sinclair/typebox';
import type { FieldError } from '@servicetower/domain';
import { HttpError } from '../plugins/app/errors.js';

/** One record of a body, or why it could not be read as one. */
export type BodyItem = { index: number; line?: number } & ({ raw: unknown } | { error: FieldError });

export interface StreamLimits {
  /** Bytes in the whole body. */
  maxBytes: number;
  /** Bytes in one NDJSON line or CSV row. */
  maxLineBytes: number;
}

const NEWLINE = 0x0a;

/**
 * Reads an NDJSON body line by line as it arrives; only the current line is held in memory.
 * A blank line is skipped; a line that is not UTF-8 JSON becomes a rejected record.
 */
export async function* ndjsonItems(body: Readable, limits: StreamLimits): AsyncGenerator<BodyItem> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Buffer[] = [];
  let partBytes = 0;
  let total = 0;
  let line = 0;
  let index = 0;

  const finishLine = (): BodyItem | null => {
    line += 1;
    const bytes = Buffer.concat(parts, partBytes);
    parts = [];
    partBytes = 0;
    let text: string;
    try {
      text = decoder.decode(bytes).trim();
    } catch {
      return { index: index++, line, error: { path: '', message: 'is not valid UTF-8 text' } };
    }
    if (text === '') return null;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      return { index: index++, line, error: { path: '', message: `is not valid JSON (${(error as Error).message})` } };
    }
    return { index: index++, line, raw };
  };

  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limits.maxBytes) {
      throw new HttpError(413, `The body is larger than the ${limits.maxBytes}-byte limit for streamed uploads: split the file. Records before line ${line + 1} were queued; resend the whole file with the same Idempotency-Key to finish without duplicates.`);
    }
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      parts.push(chunk.subarray(start, nl));
      partBytes += nl - start;
      start = nl + 1;
      const item = finishLine();
      if (item) yield item;
    }
    if (start < chunk.length) {
      parts.push(chunk.subarray(start));
      partBytes += chunk.length - start;
      if (partBytes > limits.maxLineBytes) {
        throw new HttpError(413, `Line ${line + 1} is longer than ${limits.maxLineBytes} bytes: split the record.`);
      }
    }
  }
  if (partBytes > 0) {
    const item = finishLine();
    if (item) yield item;
  }
}

/**
 * Reads a CSV body (header row first) row by row. Empty cells are left out, and cells
 * are converted to the types the record schema asks for ("12.5" → 12.5).
 */
export async function* csvItems(body: Readable, schema: TObject, limits: StreamLimits): AsyncGenerator<BodyItem> {
  const skipped: BodyItem[] = [];
  let index = 0;
  let total = 0;
  const parser = parse({
    columns: (header: string[]) => header.map((name) => name.trim()),
    bom: true,
    trim: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: limits.maxLineBytes,
    // A quote inside an unquoted cell is taken as it is: otherwise csv-parse reports it again at every quote of
    // the row, each report quoting the row so far, and one 1 MiB row of quotes made gigabytes of reports.
    relax_quotes: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      skipped.push({ index: index++, ...(error?.lines ? { line: Number(error.lines) } : {}), error: { path: '', message: csvProblem(error?.message) } });
      return undefined;
    },
  });
  body.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total > limits.maxBytes) {
      body.destroy(new HttpError(413, `The body is larger than the ${limits.maxBytes}-byte limit for streamed uploads: split the file.`));
    }
  });
  body.once('error', (error) => parser.destroy(error));
  body.pipe(parser);
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length > 0) yield skipped.shift()!;
    yield { index: index++, line: info.lines, raw: fromCsvRow(record, schema) };
  }
  while (skipped.length > 0) yield skipped.shift()!;
}

function fromCsvRow(row: Record<string, string>, schema: TObject): unknown {
  const record: Record<string, unknown> = {};
  for (const [name, cell] of Object.entries(row)) if (cell !== '') record[name] = cell;
  return Value.Convert(schema, record);
}

const MAX_PROBLEM_CHARS = 200;

function csvProblem(message: string | undefined): string {
  const problem = message === undefined ? 'unreadable' : message.length > MAX_PROBLEM_CHARS ? `${message.slice(0, MAX_PROBLEM_CHARS)}…` : message;
  return `is not a well-formed CSV row (${problem}): check the quoting and the number of columns`;
}
