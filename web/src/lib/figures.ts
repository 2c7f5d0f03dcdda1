import type { Figure, Unavailable } from '@servicetower/domain';

/** The number of a figure, or null when the API says it cannot be computed (the reason is in `figureReason`). */
export function figureValue(figure: Figure<number> | null | undefined): number | null {
  if (figure === null || figure === undefined) return null;
  return typeof figure === 'number' ? figure : null;
}

export function figureReason(figure: Figure<unknown> | null | undefined): string | null {
  if (figure === null || figure === undefined || typeof figure !== 'object') return null;
  return isUnavailable(figure) ? figure.reason : null;
}

export function isUnavailable(figure: unknown): figure is Unavailable {
  return typeof figure === 'object' && figure !== null && 'value' in figure && (figure as { value: unknown }).value === null && 'reason' in figure;
}

/** Rounds for display and charts: figures arrive with full precision. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
