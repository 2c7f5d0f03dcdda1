/** Local dates (YYYY-MM-DD) and months (YYYY-MM) as the query API takes them; pure string arithmetic in UTC. */

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isLocalDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const t = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === value;
}

/** Today in the browser's time zone, YYYY-MM-DD. */
export function today(now = new Date()): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The first day of the month `months` after (or before) the month of `date`. */
export function addMonths(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + months, 1)).toISOString().slice(0, 10);
}

export function startOfMonth(date: string): string {
  return `${date.slice(0, 7)}-01`;
}

/** YYYY-MM of a date. */
export function monthOf(date: string): string {
  return date.slice(0, 7);
}

/** Whole days between two local dates (to − from). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export const PERIOD_PRESETS = ['lastMonth', '3m', '12m', '24m'] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

/**
 * A preset period as [from, to) local dates. `lastMonth` is the last full month (the overview's default);
 * the others are that many months up to and including the current one.
 */
export function presetPeriod(preset: PeriodPreset, todayDate: string): { from: string; to: string } {
  const thisMonth = startOfMonth(todayDate);
  if (preset === 'lastMonth') return { from: addMonths(thisMonth, -1), to: thisMonth };
  const months = preset === '3m' ? 3 : preset === '12m' ? 12 : 24;
  return { from: addMonths(thisMonth, -(months - 1)), to: addMonths(thisMonth, 1) };
}

/** The preset a period matches, if any: the filter bar highlights it. */
export function matchingPreset(period: { from: string; to: string }, todayDate: string): PeriodPreset | null {
  return PERIOD_PRESETS.find((p) => {
    const q = presetPeriod(p, todayDate);
    return q.from === period.from && q.to === period.to;
  }) ?? null;
}

/** An ISO instant `hours` before `now`, for telemetry ranges. */
export function hoursBefore(now: Date, hours: number): string {
  return new Date(now.getTime() - hours * 3_600_000).toISOString();
}
