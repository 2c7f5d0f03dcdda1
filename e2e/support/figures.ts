// What the dashboard should show for an API answer, written out independently of web/src: numbers as
// an English reader sees them, periods as the filter presets make them, CSV as a spreadsheet reads it.
import type { Figure } from '@servicetower/domain';

const LOCALE = 'en';
export const DASH = '—';

export function fmt(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

export function pct(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  return new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(share);
}

/** The number of a figure; null when the API says it cannot be computed. */
export function value(figure: Figure<number> | null | undefined): number | null {
  return typeof figure === 'number' ? figure : null;
}

/** The first day of the month `months` after the month of `date` (YYYY-MM-DD). */
export function addMonths(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 10);
}

/** A filter preset as [from, to) local dates: `n` months up to and including the current one. */
export function lastMonths(today: string, n: number): { from: string; to: string } {
  const thisMonth = `${today.slice(0, 7)}-01`;
  return { from: addMonths(thisMonth, -(n - 1)), to: addMonths(thisMonth, 1) };
}

/** Rows of a CSV file (RFC 4180: quoted fields, doubled quotes, CRLF), its byte-order mark dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const input = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < input.length; i += 1) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** CSV text as objects keyed by the header row. */
export function csvRecords(text: string): Array<Record<string, string>> {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}
