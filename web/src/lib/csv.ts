import { today } from './period';

/** One CSV column: the header a person reads and how to take the cell from a row. */
export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => unknown;
}

/** Characters that make a spreadsheet read a cell as a formula (or hide it): such cells get a leading quote. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: numbers as they are, text quoted when it holds a separator, a quote or a line break,
 * and text that a spreadsheet would take for a formula prefixed with ' so it stays text.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The rows as CSV text: a header row, then one line per row, CRLF line ends (RFC 4180). */
export function toCsv<Row>(columns: ReadonlyArray<CsvColumn<Row>>, rows: readonly Row[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A file name safe on every system (letters, digits, dot, dash and underscore), stamped with the local date:
 * the day the filters call today, not the UTC one (an export at 07:00 in Shanghai is dated that day).
 */
export function csvFileName(name: string, date = new Date()): string {
  return `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}-${today(date)}.csv`;
}

/** Saves the CSV in the browser; the byte-order mark makes spreadsheet programs read UTF-8 (Chinese names) right. */
export function downloadCsv(fileName: string, csv: string): void {
  const blob = new Blob(['\uFEFF', csv], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
