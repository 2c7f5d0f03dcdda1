import { isLocalDate, presetPeriod, type PeriodPreset } from './period';

export const INTERVALS = ['day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** The scope every figure view shares, kept in the URL query so a view can be shared and survives a reload. */
export interface Filters {
  from: string;
  to: string;
  region: string | null;
  productLine: string | null;
  interval: Interval;
}

/** A URL query as vue-router hands it over. */
export type QueryLike = Record<string, string | null | ReadonlyArray<string | null> | undefined>;

/** The query keys the filters own; other keys of a view (e.g. a tab) pass through untouched. */
export const FILTER_KEYS = ['from', 'to', 'region', 'productLine', 'interval'] as const;

function first(value: QueryLike[string]): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v !== '' ? v : null;
}

/**
 * Reads the filters from a query. A missing or malformed period falls back to the view's default preset,
 * a reversed one too (the API would refuse it); an unknown interval to `month`.
 */
export function parseFilters(query: QueryLike, todayDate: string, defaultPreset: PeriodPreset): Filters {
  const from = first(query.from);
  const to = first(query.to);
  const period = isLocalDate(from) && isLocalDate(to) && from < to ? { from, to } : presetPeriod(defaultPreset, todayDate);
  const interval = first(query.interval);
  return {
    ...period,
    region: first(query.region),
    productLine: first(query.productLine),
    interval: (INTERVALS as readonly string[]).includes(interval ?? '') ? (interval as Interval) : 'month',
  };
}

/** True when the query names a valid period of its own (not the view's default). */
export function hasExplicitPeriod(query: QueryLike): boolean {
  const from = first(query.from);
  const to = first(query.to);
  return isLocalDate(from) && isLocalDate(to) && from < to;
}

/** The query with `changes` applied: null or '' removes a key; keys the filters do not own are kept. */
export function withFilters(query: QueryLike, changes: Partial<Record<(typeof FILTER_KEYS)[number], string | null>>): Record<string, string> {
  const next: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const v = first(value);
    if (v !== null) next[key] = v;
  }
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === undefined || value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

/** Only the filter keys of a query: what navigation links carry from one view to the next. */
export function filterQuery(query: QueryLike): Record<string, string> {
  const next: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const v = first(query[key]);
    if (v !== null) next[key] = v;
  }
  return next;
}
