/** CSV answers of the query API. */

/** Whether the client asked for CSV (`Accept: text/csv`). */
export function wantsCsv(accept: string | undefined): boolean {
  return accept?.split(',').some((type) => type.trim().split(';')[0]!.toLowerCase() === 'text/csv') ?? false;
}

/**
 * Rows as CSV under the given header: nested figures flattened (turnaroundHours.mean → turnaroundHoursMean), an unavailable
 * figure as empty cells; a cell that a spreadsheet would read as a formula is prefixed with a quote.
 */
export function toCsv(columns: readonly string[], rows: readonly object[]): string {
  const flat = rows.map(flatten);
  const lines = [columns.map(csvCell), ...flat.map((row) => columns.map((column) => csvCell(row[column])))];
  return lines.map((cells) => `${cells.join(',')}\r\n`).join('');
}

function flatten(row: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row) as Array<[string, unknown]>) {
    if (value === null || typeof value !== 'object') out[key] = value;
    else if ('reason' in value) out[key] = null;
    else for (const [part, inner] of Object.entries(value)) out[`${key}${part[0]!.toUpperCase()}${part.slice(1)}`] = inner;
  }
  return out;
}

/**
 * Text a spreadsheet may take for a formula (CSV injection, OWASP): a cell starting with = + - @, tab, CR or LF,
 * also after spaces, and the full-width forms of those signs that some spreadsheets read as the signs.
 */
const FORMULA = /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;

/** One cell: a formula-like text cell gets a leading quote, so that a spreadsheet shows it as text. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''; // a negative number is a number, not a formula
  let text = String(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

