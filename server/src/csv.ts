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

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value); // a negative number is a number, not a formula
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

