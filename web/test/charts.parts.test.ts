import type { SupplyCycleRow } from '@servicetower/domain';
import { describe, expect, it } from 'vitest';
import { openRequestAgeOption, supplyCycleSpreadOption, supplyCycleTrendOption, targetOf } from '../src/components/charts/options/parts';
import { asArray, text } from './support';

const unavailable = { value: null, reason: 'no requests received' };
const row = (bucket: string, group: string, mean: number | null, target: number, p90 = (mean ?? 0) * 2): SupplyCycleRow => ({
  bucket, group, requests: mean === null ? 0 : 10,
  meanDays: mean ?? unavailable, p50Days: mean ?? unavailable, p90Days: mean === null ? unavailable : p90,
  targetDays: target, withinTargetShare: mean === null ? unavailable : 0.75,
});

describe('supply cycle per source', () => {
  const rows = [
    row('2026-01-01', 'hq_stock', 13.96, 7), row('2026-01-01', 'hq_procured', 5.2, 4),
    row('2026-02-01', 'hq_stock', 7.04, 7), row('2026-02-01', 'hq_procured', null, 4),
  ];

  it('draws the mean and the 90th percentile of each source, a gap where a month has no receipts', () => {
    const series = asArray(supplyCycleTrendOption(rows, text).series);
    expect(series.map((s) => s.name)).toEqual([
      'chart.meanOf(name=source.hq_procured)', 'chart.p90Of(name=source.hq_procured)',
      'chart.meanOf(name=source.hq_stock)', 'chart.p90Of(name=source.hq_stock)',
    ]);
    expect(series[0]!.data).toEqual([5.2, null]);
    expect(series[2]!.data).toEqual([13.96, 7.04]);
    expect(series[3]!.data).toEqual([27.92, 14.08]);
  });

  it('marks each source’s target (7 days stocked, 4 procured) as a horizontal line', () => {
    const series = asArray(supplyCycleTrendOption(rows, text).series);
    expect(series[0]!.markLine).toMatchObject({ data: [{ yAxis: 4 }] });
    expect(series[2]!.markLine).toMatchObject({ data: [{ yAxis: 7 }] });
    expect(targetOf(rows, 'hq_stock')).toBe(7);
    expect(targetOf(rows, 'nowhere')).toBeNull();
  });

  it('labels the x axis by bucket', () => {
    const [x] = asArray(supplyCycleTrendOption(rows, text).xAxis);
    expect(x).toMatchObject({ data: ['2026-01-01', '2026-02-01'] });
  });
});

describe('supply-cycle spread by region', () => {
  it('shows median, mean and 90th percentile per region', () => {
    const option = supplyCycleSpreadOption([row('2026-02-01', 'north', 6, 7, 11), row('2026-02-01', 'east', 9, 7, 20)], text, { north: 'North' });
    expect(asArray(option.xAxis)[0]).toMatchObject({ data: ['east', 'North'] });
    expect(asArray(option.series).map((s) => s.data)).toEqual([[9, 6], [9, 6], [20, 11]]);
  });
});

describe('open requests by age', () => {
  it('stacks the sources per age bucket', () => {
    const option = openRequestAgeOption([{ label: '0–2', counts: { hq_stock: 2 } }, { label: '2–4', counts: { hq_procured: 1 } }], text);
    expect(asArray(option.xAxis)[0]).toMatchObject({ data: ['0–2', '2–4'] });
    expect(asArray(option.series).map((s) => [s.name, s.data])).toEqual([['source.hq_procured', [0, 1]], ['source.hq_stock', [2, 0]]]);
  });
});
