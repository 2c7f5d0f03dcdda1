import { describe, expect, it } from 'vitest';
import {
  bucketStart, bucketWidth, lttb, lttbBuckets, LTTB_MIN_POINTS, mergeBuckets, minMaxBuckets, type SeriesBucket, type SeriesPoint,
} from '../src/downsample.js';

/** mulberry32: a small seeded generator, so that a failing seed can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random walk with irregular gaps, repeated values and the odd spike. */
function series(seed: number): SeriesPoint[] {
  const r = random(seed);
  const n = 1 + Math.floor(r() * 3000);
  let [at, value] = [1_700_000_000_000 + Math.floor(r() * 1e6), 0];
  return Array.from({ length: n }, () => {
    at += 1 + Math.floor(r() * (r() < 0.05 ? 600_000 : 2000));
    value = r() < 0.01 ? value + (r() - 0.5) * 1000 : r() < 0.2 ? value : value + (r() - 0.5) * 2;
    return { at, value };
  });
}

const values = (points: readonly SeriesPoint[]) => points.map((p) => p.value);

describe('lttb', () => {
  it('keeps every bucket’s min and max, the first and last points, in time order, never more than maxPoints (300 seeds)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const points = series(seed);
      const maxPoints = LTTB_MIN_POINTS + (seed * 37) % 1200;
      const sampled = lttb(points, maxPoints);
      const context = `seed ${seed}, ${points.length} points, maxPoints ${maxPoints}`;
      expect(sampled.length, context).toBeLessThanOrEqual(maxPoints);
      expect(sampled.every((p, i) => i === 0 || p.at > sampled[i - 1]!.at), context).toBe(true);
      const inInput = new Set(points);
      expect(sampled.every((p) => inInput.has(p)), context).toBe(true);
      expect(Math.min(...values(sampled))).toBe(Math.min(...values(points)));
      expect(Math.max(...values(sampled))).toBe(Math.max(...values(points)));
      if (points.length <= maxPoints) {
        expect(sampled).toEqual(points);
        continue;
      }
      expect(sampled[0]).toBe(points[0]);
      expect(sampled.at(-1)).toBe(points.at(-1));
      const kept = new Set(sampled);
      for (const [start, end] of lttbBuckets(points.length, maxPoints)) {
        const bucket = points.slice(start, end);
        const keptValues = values(bucket.filter((p) => kept.has(p)));
        expect(Math.min(...keptValues), `${context}, bucket ${start}`).toBe(Math.min(...values(bucket)));
        expect(Math.max(...keptValues), `${context}, bucket ${start}`).toBe(Math.max(...values(bucket)));
      }
    }
  });

  it('picks, by hand: the peak and the trough of each bucket and the point of the largest triangle', () => {
    const points = [0, 1, 5, 2, 2, 9, 3, 0, 4, 1, 1].map((value, i) => ({ at: i * 1000, value }));
    // 11 points, maxPoints 8: interior indices 1..9 in ⌊6/3⌋ = 2 buckets, [1, 5) and [5, 10).
    expect(lttbBuckets(11, 8)).toEqual([[1, 5], [5, 10]]);
    // Bucket 1: min 1 (index 1), max 5 (index 2); against (0, 0) and the mean of bucket 2 (7000, 3.4)
    // the largest triangle is index 2 again. Bucket 2: min 0 (7), max 9 (5), triangle from
    // (2000, 5) to the last point (10000, 1) largest at index 5 too.
    expect(lttb(points, 8).map((p) => p.at / 1000)).toEqual([0, 1, 2, 5, 7, 10]);
  });

  it('returns a short series whole and refuses fewer than LTTB_MIN_POINTS', () => {
    const points = [{ at: 1, value: 2 }, { at: 2, value: 3 }];
    expect(lttb(points, 5)).toEqual(points);
    expect(() => lttb(points, 4)).toThrow(RangeError);
  });
});

describe('min/max buckets', () => {
  it('never give more than maxPoints, and each bucket holds the true min, max, sum and count of its points (300 seeds)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const points = series(seed);
      const r = random(seed * 7919);
      const maxPoints = 1 + Math.floor(r() * 2000);
      const grain = [1, 1000, 60_000][seed % 3]!;
      const from = points[0]!.at - Math.floor(r() * 5000);
      const to = points.at(-1)!.at + 1 + Math.floor(r() * 5000);
      const width = bucketWidth(from, to, maxPoints, grain);
      const origin = Math.floor(from / grain) * grain;
      expect(width % grain).toBe(0);
      const buckets = minMaxBuckets(points, origin, width);
      const context = `seed ${seed}, ${points.length} points, maxPoints ${maxPoints}, width ${width}`;
      expect(buckets.length, context).toBeLessThanOrEqual(maxPoints);
      const expected = new Map<number, SeriesPoint[]>();
      for (const p of points) {
        const at = bucketStart(p.at, origin, width);
        expected.set(at, [...(expected.get(at) ?? []), p]);
      }
      expect(buckets.map((b) => b.at)).toEqual([...expected.keys()]);
      for (const b of buckets) {
        const inBucket = values(expected.get(b.at)!);
        expect(b.min).toBe(Math.min(...inBucket));
        expect(b.max).toBe(Math.max(...inBucket));
        expect(b.count).toBe(inBucket.length);
        expect(b.sum).toBeCloseTo(inBucket.reduce((x, y) => x + y, 0), 6);
      }
    }
  });

  it('merging fine buckets into coarse ones equals bucketing the points at the coarse width (100 seeds)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const points = series(seed);
      const origin = Math.floor(points[0]!.at / 60_000) * 60_000;
      const fine = minMaxBuckets(points, origin, 60_000);
      const coarse = 60_000 * (1 + (seed % 30));
      const merged = mergeBuckets(fine, origin, coarse);
      const direct = minMaxBuckets(points, origin, coarse);
      expect(merged.map(({ sum: _s, ...b }) => b)).toEqual(direct.map(({ sum: _s, ...b }) => b));
    }
  });

  it('bucket a small series by hand', () => {
    const points = [{ at: 0, value: 3 }, { at: 10, value: -1 }, { at: 25, value: 7 }, { at: 29, value: 7 }, { at: 61, value: 2 }];
    // 0..70 in at most 3 buckets of a multiple of 10: width 30.
    expect(bucketWidth(0, 70, 3, 10)).toBe(30);
    expect(minMaxBuckets(points, 0, 30)).toEqual<SeriesBucket[]>([
      { at: 0, min: -1, max: 7, sum: 16, count: 4 },
      { at: 60, min: 2, max: 2, sum: 2, count: 1 },
    ]);
    // from inside a grain: the origin is floored to it, and the buckets still fit.
    expect(bucketWidth(15, 70, 3, 10)).toBe(20);
  });
});
