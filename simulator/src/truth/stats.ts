/** The statistics the figures use, defined once so the product's SQL can be held to them. */

/** A figure that cannot be computed for its scope and bucket, and why. Never NaN, never a bare null. */
export interface Unavailable {
  value: null;
  reason: string;
}

export type Figure<T> = T | Unavailable;

export function unavailable(reason: string): Unavailable {
  return { value: null, reason };
}

export interface Spread {
  mean: number;
  p50: number;
  p90: number;
}

/**
 * The p-th percentile of `sorted` (ascending, non-empty) by linear interpolation between
 * the closest ranks, as PostgreSQL's percentile_cont: position p × (n − 1), counted from 0.
 */
export function percentileCont(sorted: readonly number[], p: number): number {
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const lower = sorted[below]!;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)]!;
  return lower + (upper - lower) * (position - below);
}

/** Mean, median and 90th percentile of a non-empty sample; sorts it in place. */
export function spreadOf(sample: number[]): Spread {
  sample.sort((a, b) => a - b);
  let sum = 0;
  for (const value of sample) sum += value;
  return { mean: sum / sample.length, p50: percentileCont(sample, 0.5), p90: percentileCont(sample, 0.9) };
}

/** numerator ÷ denominator × scale, or the reason when the denominator is zero. */
export function ratio(numerator: number, denominator: number, reason: string, scale = 1): Figure<number> {
  return denominator > 0 ? (numerator / denominator) * scale : unavailable(reason);
}
