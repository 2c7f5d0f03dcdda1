// The staffing forecast and its arithmetic, on series whose continuation is known exactly.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backtest, forecast, outletFlag, regionFlag, staffingDelta, techniciansNeeded } from '../src/forecast.js';

const SEASON = [12, -3, 5, -8, 0, 7, -6, 2, -4, 9, -10, -4]; // sums to 0
const seasonal = (n: number, from = 0) => Array.from({ length: n }, (_, i) => 100 + 2.5 * (from + i) + SEASON[(from + i) % 12]!);

describe('forecast', () => {
  it('continues an exact linear trend with a fixed 12-month season by Holt-Winters', () => {
    const series = seasonal(36);
    const next = forecast(series);
    expect(next.method).toBe('holt-winters');
    expect(next.value).toBeCloseTo(seasonal(1, 36)[0]!, 6);
    expect(forecast(series, 5).value).toBeCloseTo(seasonal(1, 40)[0]!, 6);
  });

  it('stays close on the same series with noise, and closer than a straight trend would', () => {
    const noise = [0.8, -1.1, 0.4, 1.5, -0.6, -1.3, 0.9, 0.2, -0.7, 1.2, -0.4, -0.9];
    const series = seasonal(30).map((y, i) => y + noise[(i * 5) % 12]!);
    const expected = seasonal(1, 30)[0]!;
    expect(Math.abs(forecast(series).value - expected)).toBeLessThan(3);
    expect(Math.abs(forecast(series).value - expected)).toBeLessThan(Math.abs(forecast(series.slice(-23)).value - expected));
  });

  it('continues a pure linear series by Holt when there are fewer than 24 points', () => {
    const series = Array.from({ length: 14 }, (_, i) => 40 + 3 * i);
    const next = forecast(series);
    expect(next.method).toBe('holt');
    expect(next.value).toBeCloseTo(40 + 3 * 14, 9);
    expect(forecast(series, 3).value).toBeCloseTo(40 + 3 * 16, 9);
    expect(forecast(seasonal(23)).method).toBe('holt');
    expect(forecast([5, 7, 9]).method).toBe('holt');
    expect(forecast([5, 7, 9]).value).toBeCloseTo(11, 9);
  });

  it('falls back to the mean for one or two points and refuses an empty series', () => {
    expect(forecast([7])).toEqual({ method: 'mean', value: 7, alpha: null, beta: null, gamma: null });
    expect(forecast([4, 10])).toMatchObject({ method: 'mean', value: 7 });
    expect(() => forecast([])).toThrow(RangeError);
    expect(() => forecast([1, 2, 3], 0)).toThrow(RangeError);
  });

  it('never forecasts below zero', () => {
    expect(forecast([30, 20, 10, 0]).value).toBe(0);
    expect(forecast([30, 20, 10, 5], 6).value).toBe(0);
    const falling = Array.from({ length: 36 }, (_, i) => 200 - 4 * i + SEASON[i % 12]!);
    expect(forecast(falling, 12).value).toBeCloseTo(200 - 4 * 47 + SEASON[11]!, 6);
    expect(forecast(falling, 24).value).toBe(0);
  });

  it('gives the same answer for the same series', () => {
    const series = seasonal(26).map((y, i) => y + ((i * 7) % 5));
    expect(forecast(series)).toEqual(forecast([...series]));
  });
});

describe('backtest', () => {
  it('pools one-step errors of the forecast and the naive baseline, by hand on a tiny series', () => {
    // Origins 3 and 4 (each keeps 3 points before it):
    // y[3] = 20 from [10, 12, 14]: Holt starts at level 12, trend 2 and fits 14 exactly → 16; naive 14.
    // y[4] = 18 from [10, 12, 14, 20]: the grid's fit, computed below; naive 20.
    const series = [10, 12, 14, 20, 18];
    const second = forecast(series.slice(0, 4)).value;
    const result = backtest([series], 5);
    expect(result).not.toBeNull();
    expect(result!.months).toBe(2);
    expect(result!.method).toBe('holt');
    expect(result!.mae).toBeCloseTo((4 + Math.abs(18 - second)) / 2, 12);
    expect(result!.wape).toBeCloseTo((4 + Math.abs(18 - second)) / 38, 12);
    expect(result!.naiveMae).toBe((6 + 2) / 2);
    expect(result!.naiveWape).toBeCloseTo(8 / 38, 12);
  });

  it('uses the same month a year earlier as the naive forecast once there is one, and pools several series', () => {
    const a = seasonal(26);
    const b = [0, 0, 0, 0];
    const result = backtest([a, b], 2)!;
    expect(result.months).toBe(2);
    expect(result.method).toBe('holt-winters');
    const naive = Math.abs(a[24]! - a[12]!) + Math.abs(a[25]! - a[13]!);
    expect(result.naiveMae).toBeCloseTo(naive / 3, 9);
    expect(result.mae).toBeCloseTo((Math.abs(a[24]! - forecast(a.slice(0, 24)).value) + Math.abs(a[25]! - forecast(a.slice(0, 25)).value)) / 3, 12);
    expect(result.mae).toBeLessThan(result.naiveMae);
  });

  it('says null when no series is long enough, and no WAPE when nothing was ordered', () => {
    expect(backtest([[1, 2, 3], [4]], 12)).toBeNull();
    expect(backtest([], 12)).toBeNull();
    expect(backtest([[0, 0, 0, 0, 0]], 2)).toMatchObject({ months: 2, mae: 0, wape: null, naiveMae: 0, naiveWape: null });
  });
});

describe('staffing arithmetic', () => {
  it('rounds technicians up, a whole quotient as it is even after floating-point noise', () => {
    expect(techniciansNeeded(120, 60)).toBe(2);
    expect(techniciansNeeded(120.000000001, 60)).toBe(2);
    expect(techniciansNeeded(119.99999999, 60)).toBe(2);
    expect(techniciansNeeded(120.01, 60)).toBe(3);
    expect(techniciansNeeded(0.5, 60)).toBe(1);
    expect(techniciansNeeded(0, 60)).toBe(0);
    expect(() => techniciansNeeded(10, 0)).toThrow(RangeError);
  });

  it('gives the difference from today’s headcount', () => {
    expect(staffingDelta(3, 6)).toBe(-3);
    expect(staffingDelta(4, 4)).toBe(0);
    expect(staffingDelta(5, 2)).toBe(3);
  });

  it('flags a region at 1.5 × the network average and an outlet at 0.5 ×, boundaries included', () => {
    expect(regionFlag(15, 10, 1.5)).toBe('new_outlet');
    expect(regionFlag(3 * 0.1 * 50, 10, 1.5)).toBe('new_outlet'); // 15.000000000000002 and 14.999… alike
    expect(regionFlag(14.9, 10, 1.5)).toBeNull();
    expect(regionFlag(5, 0, 1.5)).toBeNull();
    expect(outletFlag(5, 10, 0.5)).toBe('consolidate');
    expect(outletFlag(0, 10, 0.5)).toBe('consolidate');
    expect(outletFlag(5.1, 10, 0.5)).toBeNull();
    expect(outletFlag(0, 0, 0.5)).toBeNull();
  });
});

/**
 * The grid search stops summing a candidate's error once it cannot win, and tries the previous origin's
 * choice first in the backtest. The choice must be the one a plain search makes: the first candidate,
 * in grid order, with the least squared one-step error. This plain search is the oracle.
 */
describe('the pruned grid search chooses as a plain one does', () => {
  const GRID = [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95];
  function plainHoltWinters(y: number[], m = 12) {
    let best: { sse: number; params: number[] } | null = null;
    for (const a of GRID) for (const b of GRID) for (const g of GRID) {
      let [first, second] = [0, 0];
      for (let i = 0; i < m; i++) [first, second] = [first + y[i]! / m, second + y[m + i]! / m];
      let trend = (second - first) / m;
      const season = Array.from({ length: m }, (_, i) => y[i]! - (first + trend * (i - (m - 1) / 2)));
      let level = first + (trend * (m - 1)) / 2;
      let sse = 0;
      for (let t = m; t < y.length; t++) {
        const p = t % m;
        const e = y[t]! - (level + trend + season[p]!);
        sse += e * e;
        const previous = level;
        level = a * (y[t]! - season[p]!) + (1 - a) * (level + trend);
        trend = b * (level - previous) + (1 - b) * trend;
        season[p] = g * (y[t]! - level) + (1 - g) * season[p]!;
      }
      if (best === null || sse < best.sse) best = { sse, params: [a, b, g] };
    }
    return best!.params;
  }

  it('on random monthly series, with flat stretches and ties', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.constant(0), fc.constant(50), fc.integer({ min: 0, max: 400 })), { minLength: 24, maxLength: 40 }),
      (y) => {
        const chosen = forecast(y);
        expect([chosen.alpha, chosen.beta, chosen.gamma]).toEqual(plainHoltWinters(y));
      },
    ), { numRuns: 60 });
  });

  it('in the backtest too, where each origin starts from the previous one\'s choice', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 26, maxLength: 36 }), (y) => {
      const plain = y.slice(24).map((_, i) => {
        const history = y.slice(0, 24 + i);
        const [a, b, g] = plainHoltWinters(history);
        const fit = forecast(history);
        expect([fit.alpha, fit.beta, fit.gamma]).toEqual([a, b, g]);
        return Math.abs(y[24 + i]! - fit.value);
      });
      const result = backtest([y], y.length - 24)!;
      expect(result.mae).toBeCloseTo(plain.reduce((s, e) => s + e, 0) / plain.length, 9);
    }), { numRuns: 20 });
  });
});
