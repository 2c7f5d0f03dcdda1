// Each alarm rule kind on series built to trip it, and on series built not to.
import { describe, expect, it } from 'vitest';
import {
  alarmRuleErrors, evaluateAlarmRule, median, robustStats, type AlarmRuleBody, type AlarmRuleSpec, type ReadingPoint,
} from '../src/alarms.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const MINUTE = 60_000;
/** One reading a minute from T0 (or `start`). */
const series = (values: number[], start = T0, step = MINUTE): ReadingPoint[] => values.map((value, i) => ({ at: start + i * step, value }));
const all = { since: -Infinity, now: Infinity };

describe('limit rules', () => {
  const rule: AlarmRuleSpec = { kind: 'limit', sensor: 's2', unit: '°R', params: { low: 640, high: 645, holdSeconds: 300 } };

  it('fire when the value stays outside the limits for the hold', () => {
    const trip = evaluateAlarmRule(rule, series([643, 646, 647, 650, 648, 647, 646]), all);
    expect(trip).toMatchObject({ at: T0 + 6 * MINUTE, value: 646 });
    expect(trip!.message).toContain('above 645 °R for 5 min');
    expect(trip!.message).toContain('furthest 650');
  });

  it('fire below the low limit too', () => {
    expect(evaluateAlarmRule(rule, series([630, 630, 630, 630, 630, 630]), all)?.message).toContain('below 640');
  });

  it('stay quiet on a breach shorter than the hold, and on one broken by a reading back in range', () => {
    expect(evaluateAlarmRule(rule, series([643, 650, 650, 650, 650, 643]), all)).toBeNull();
    expect(evaluateAlarmRule(rule, series([650, 650, 650, 644, 650, 650, 650]), all)).toBeNull();
    expect(evaluateAlarmRule(rule, series([640, 641, 645, 644, 642, 640, 643, 645]), all)).toBeNull();
  });

  it('count a run that began before the new readings, but not one that ended before them', () => {
    const readings = series([650, 650, 650, 650, 650, 650, 650]);
    expect(evaluateAlarmRule(rule, readings, { since: T0 + 6 * MINUTE, now: 0 })).toMatchObject({ at: T0 + 6 * MINUTE });
    const ended = series([650, 650, 650, 650, 650, 650, 643, 643]);
    expect(evaluateAlarmRule(rule, ended, { since: T0 + 6 * MINUTE, now: 0 })).toBeNull();
  });

  it('with a hold of 0, fire on a single reading outside the limits', () => {
    expect(evaluateAlarmRule({ ...rule, params: { high: 645, holdSeconds: 0 } }, series([640, 646]), all)).toMatchObject({ value: 646 });
  });
});

describe('rate rules', () => {
  const rule: AlarmRuleSpec = { kind: 'rate', sensor: 's3', params: { maxPerMinute: 2, windowSeconds: 300 } };

  it('fire when the value changes faster than the limit over the window', () => {
    const trip = evaluateAlarmRule(rule, series([1600, 1600, 1600, 1600, 1600, 1600, 1603, 1606, 1609, 1612, 1615]), all);
    expect(trip).not.toBeNull();
    expect(trip!.message).toMatch(/^s3 rose 15 in 5 min \(3 a minute, limit 2\)/);
    const falling = evaluateAlarmRule(rule, series([1600, 1597, 1594, 1591, 1588, 1585, 1582]), all);
    expect(falling!.message).toContain('s3 fell');
  });

  it('stay quiet on a slow trend and on noise that cancels out over the window', () => {
    expect(evaluateAlarmRule(rule, series(Array.from({ length: 30 }, (_, i) => 1600 + 1.5 * i)), all)).toBeNull();
    expect(evaluateAlarmRule(rule, series(Array.from({ length: 30 }, (_, i) => 1600 + (i % 2 === 0 ? 4 : -4))), all)).toBeNull();
  });

  it('need a reading a whole window older before judging', () => {
    expect(evaluateAlarmRule(rule, series([1600, 1650, 1700]), all)).toBeNull();
  });
});

describe('drift rules', () => {
  const rule: AlarmRuleSpec = { kind: 'drift', sensor: 's4', params: { baselineCount: 20, recentCount: 5, k: 4 } };
  const noise = [0.3, -0.5, 0.1, 0.6, -0.2, -0.4, 0.5, 0, -0.6, 0.2];
  const baseline = Array.from({ length: 20 }, (_, i) => 1400 + noise[i % 10]!);

  it('fire when the recent median leaves the device’s own baseline by more than k robust deviations', () => {
    const trip = evaluateAlarmRule(rule, series([...baseline, 1403, 1404, 1403.5, 1404.2, 1403.8]), all);
    expect(trip).not.toBeNull();
    expect(trip!.message).toMatch(/drifted up: the median of its last 5 readings, 1403.8, is 3.75 from its baseline median 1400.05/);
  });

  it('stay quiet while the recent readings stay in the envelope', () => {
    expect(evaluateAlarmRule(rule, series([...baseline, 1400.4, 1399.7, 1400.1, 1400.6, 1399.5]), all)).toBeNull();
  });

  it('are not moved by a single outlier, in the recent readings or in the baseline', () => {
    expect(evaluateAlarmRule(rule, series([...baseline, 1400.2, 1400.1, 1500, 1399.9, 1400.3]), all)).toBeNull();
    const spiked = [...baseline];
    spiked[7] = 2000;
    expect(evaluateAlarmRule(rule, series([...spiked, 1403, 1404, 1403.5, 1404.2, 1403.8]), all)).not.toBeNull();
  });

  it('with a MAD of 0, fall back to the mean absolute deviation, and fire on any departure from a constant baseline', () => {
    const flat = [...Array(18).fill(10), 10.5, 9.5];
    expect(robustStats(flat)).toMatchObject({ median: 10, mad: 0 });
    expect(robustStats(flat).scale).toBeCloseTo(1.2533 * 0.05, 9);
    expect(evaluateAlarmRule(rule, series([...flat, 10, 10.5, 10, 10, 9.5]), all)).toBeNull();
    expect(evaluateAlarmRule(rule, series([...flat, 11, 11, 11, 11, 11]), all)).not.toBeNull();
    const constant = Array(20).fill(10);
    expect(evaluateAlarmRule(rule, series([...constant, 10, 10, 10, 10, 10]), all)).toBeNull();
    expect(evaluateAlarmRule(rule, series([...constant, 10.1, 10.1, 10.1, 10.1, 10.1]), all)?.message).toContain('never varied');
    expect(evaluateAlarmRule({ ...rule, params: { ...rule.params, minDeviation: 0.5 } }, series([...constant, 10.1, 10.1, 10.1, 10.1, 10.1]), all)).toBeNull();
  });

  it('wait for a full baseline, and judge only when the latest reading is new', () => {
    expect(evaluateAlarmRule(rule, series([...baseline.slice(5), 1403, 1404, 1403.5, 1404.2, 1403.8]), all)).toBeNull();
    expect(evaluateAlarmRule(rule, series([...baseline, 1403, 1404, 1403.5, 1404.2, 1403.8]), { since: T0 + 25 * MINUTE, now: 0 })).toBeNull();
  });

  it('use the usual median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('stale rules', () => {
  const rule: AlarmRuleSpec = { kind: 'stale', sensor: 's2', params: { staleSeconds: 3600 } };
  const last = series([642], T0 + 30 * MINUTE);

  it('fire when the sensor has not reported for staleSeconds', () => {
    const trip = evaluateAlarmRule(rule, last, { since: 0, now: T0 + 150 * MINUTE });
    expect(trip).toMatchObject({ at: T0 + 30 * MINUTE, value: 642 });
    expect(trip!.message).toMatch(/^No s2 reading for 2 h \(last 642 at 2026-03-01T00:30:00.000Z; limit 1 h\)/);
  });

  it('stay quiet while readings arrive, and on a device never heard from', () => {
    expect(evaluateAlarmRule(rule, last, { since: 0, now: T0 + 89 * MINUTE })).toBeNull();
    expect(evaluateAlarmRule(rule, [], { since: 0, now: T0 + 1000 * MINUTE })).toBeNull();
  });
});

describe('rule bodies', () => {
  const body = (over: Partial<AlarmRuleBody>): AlarmRuleBody => ({ modelId: 'engine', sensor: 's2', kind: 'limit', params: { high: 645, holdSeconds: 60 }, severity: 'warning', ...over });

  it('take exactly the parameters of their kind', () => {
    expect(alarmRuleErrors(body({}))).toEqual([]);
    expect(alarmRuleErrors(body({ kind: 'rate', params: { maxPerMinute: 2, holdSeconds: 60 } }))).toEqual([
      { path: '/params/holdSeconds', message: 'is not a parameter of a rate rule, which takes maxPerMinute, windowSeconds' },
      { path: '/params/windowSeconds', message: 'is required for a rate rule' },
    ]);
    expect(alarmRuleErrors(body({ params: { holdSeconds: 60 } }))).toEqual([{ path: '/params/high', message: 'a limit rule needs low, high or both' }]);
    expect(alarmRuleErrors(body({ params: { holdSeconds: 60, low: 5, high: 1 } }))[0]!.path).toBe('/params/high');
  });

  it('name their product line when they create service orders', () => {
    expect(alarmRuleErrors(body({ createServiceOrder: true }))).toEqual([
      { path: '/productLine', message: 'is required when createServiceOrder is true: the proactive service order needs a product line' },
    ]);
    expect(alarmRuleErrors(body({ createServiceOrder: true, productLine: 'tv' }))).toEqual([]);
  });
});
