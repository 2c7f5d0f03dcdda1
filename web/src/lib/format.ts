import type { Figure } from '@servicetower/domain';
import { figureValue } from './figures';

/** Display formatting in the chosen locale; '—' for a figure the API could not compute. */
export const DASH = '—';

export function formatNumber(value: number | null | undefined, locale: string, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
}

export function formatFigure(figure: Figure<number> | null | undefined, locale: string, digits = 1): string {
  return formatNumber(figureValue(figure), locale, digits);
}

export function formatPercent(share: number | null | undefined, locale: string, digits = 0): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return DASH;
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(share);
}

export function formatDateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return DASH;
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(t);
}

/** A bucket start (YYYY-MM-DD) as its interval reads: 2026-03 for a month, the date otherwise. */
export function bucketLabel(bucket: string, interval: 'day' | 'week' | 'month'): string {
  return interval === 'month' ? bucket.slice(0, 7) : bucket.slice(0, 10);
}
