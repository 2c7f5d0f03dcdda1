/**
 * Downsampling a telemetry series to the points a chart can show (DESIGN.md §6), never losing an
 * extreme: both ways keep every bucket's minimum and maximum and never give more than maxPoints.
 * Times are milliseconds since the epoch; input points are in time order.
 */

export interface SeriesPoint {
  at: number;
  value: number;
}

/** A time bucket of a series: its start and the min, max, sum and count of the values in it. */
export interface SeriesBucket {
  at: number;
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** The fewest points lttb() accepts: the first, the last and one bucket of three. */
export const LTTB_MIN_POINTS = 5;

/**
 * The buckets lttb() splits the interior points (all but the first and the last) into, as
 * [start, end) index ranges of `n` points: as equal in size as whole points allow.
 */
export function lttbBuckets(n: number, maxPoints: number): Array<[number, number]> {
  const interior = n - 2;
  const count = Math.min(interior, Math.floor((maxPoints - 2) / 3));
  return Array.from({ length: count }, (_, i) => [1 + Math.floor((i * interior) / count), 1 + Math.floor(((i + 1) * interior) / count)]);
}

/**
 * Largest-triangle-three-buckets that keeps extremes: the first and the last point, and from each
 * bucket of lttbBuckets() its minimum, its maximum and the point LTTB picks (the one making the
 * largest triangle with the point kept before it and the mean of the next bucket), so at most
 * 2 + 3 × ⌊(maxPoints − 2) / 3⌋ ≤ maxPoints points, a subset of the input in time order.
 */
export function lttb(points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < LTTB_MIN_POINTS) throw new RangeError(`lttb needs maxPoints ≥ ${LTTB_MIN_POINTS}, got ${maxPoints}`);
  if (points.length <= maxPoints) return [...points];
  const buckets = lttbBuckets(points.length, maxPoints);
  const kept: SeriesPoint[] = [points[0]!];
  buckets.forEach(([start, end], b) => {
    const [nextStart, nextEnd] = buckets[b + 1] ?? [points.length - 1, points.length];
    let [meanAt, meanValue] = [0, 0];
    for (let i = nextStart; i < nextEnd; i++) {
      meanAt += points[i]!.at;
      meanValue += points[i]!.value;
    }
    [meanAt, meanValue] = [meanAt / (nextEnd - nextStart), meanValue / (nextEnd - nextStart)];
    const a = kept.at(-1)!;
    let [lo, hi, pick, largest] = [start, start, start, -1];
    for (let i = start; i < end; i++) {
      const p = points[i]!;
      if (p.value < points[lo]!.value) lo = i;
      if (p.value > points[hi]!.value) hi = i;
      const area = Math.abs((a.at - meanAt) * (p.value - a.value) - (a.at - p.at) * (meanValue - a.value));
      if (area > largest) [pick, largest] = [i, area];
    }
    for (const i of [...new Set([lo, hi, pick])].sort((x, y) => x - y)) kept.push(points[i]!);
  });
  kept.push(points.at(-1)!);
  return kept;
}

/**
 * The bucket width for [from, to): the smallest multiple of `grain` (ms) that cuts the range, from
 * `from` floored to the grain, into at most maxPoints buckets.
 */
export function bucketWidth(from: number, to: number, maxPoints: number, grain: number): number {
  const origin = Math.floor(from / grain) * grain;
  return grain * Math.max(1, Math.ceil((to - origin) / grain / maxPoints));
}

/** Start of the bucket of width `width` holding `at`, buckets aligned on `origin`. */
export const bucketStart = (at: number, origin: number, width: number) => origin + Math.floor((at - origin) / width) * width;

/** Min, max, sum and count of the points in each bucket of `width` aligned on `origin`; empty buckets are left out. */
export function minMaxBuckets(points: readonly SeriesPoint[], origin: number, width: number): SeriesBucket[] {
  return mergeBuckets(points.map((p) => ({ at: p.at, min: p.value, max: p.value, sum: p.value, count: 1 })), origin, width);
}

/**
 * Merges buckets (in time order) into buckets of `width` aligned on `origin`: min of mins, max of
 * maxes, sums and counts added. With width from bucketWidth() there are at most maxPoints.
 */
export function mergeBuckets(buckets: readonly SeriesBucket[], origin: number, width: number): SeriesBucket[] {
  const out: SeriesBucket[] = [];
  for (const b of buckets) {
    const at = bucketStart(b.at, origin, width);
    const last = out.at(-1);
    if (last?.at === at) {
      last.min = Math.min(last.min, b.min);
      last.max = Math.max(last.max, b.max);
      last.sum += b.sum;
      last.count += b.count;
    } else {
      out.push({ ...b, at });
    }
  }
  return out;
}
