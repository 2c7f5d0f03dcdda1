import type { ServiceLoadRow } from '@servicetower/domain';
import { describe, expect, it } from 'vitest';
import { latestByGroup, outletRankingOption, productLineMixOption, regionMonthOption } from '../src/components/charts/options/serviceLoad';
import type { OutletRank } from '../src/lib/ranking';
import { asArray, text } from './support';

const row = (bucket: string, group: string, orders: number, perTech: number | null = orders / 10): ServiceLoadRow => ({
  bucket, group, ordersReceived: orders, ordersCompleted: orders - 1, backlog: 3,
  avgOrdersPerOutlet: orders / 2, ordersPerTechnician: perTech === null ? { value: null, reason: 'no technicians' } : perTech,
  turnaroundHours: { mean: 20, p50: 18, p90: 40 }, firstTimeFixRate: 0.8,
});
const rows = [row('2026-01-01', 'north', 120), row('2026-01-01', 'east', 80), row('2026-02-01', 'north', 130), row('2026-02-01', 'east', 90, null)];

describe('region × month heat map', () => {
  it('puts months on x, regions (by name) on y, and a missing figure as an empty cell', () => {
    const option = regionMonthOption(rows, 'ordersPerTechnician', text, { north: 'North', east: 'East' });
    const [x] = asArray(option.xAxis);
    const [y] = asArray(option.yAxis);
    expect(x).toMatchObject({ type: 'category', data: ['2026-01', '2026-02'] });
    expect(y).toMatchObject({ type: 'category', data: ['East', 'North'] });
    const [series] = asArray(option.series);
    expect(series).toMatchObject({ type: 'heatmap', name: 'metric.ordersPerTechnician' });
    expect(series!.data).toEqual([[0, 1, 12], [0, 0, 8], [1, 1, 13], [1, 0, '-']]);
    expect(option.visualMap).toMatchObject({ min: 0, max: 13 });
  });

  it('summarises the latest month: the total and the busiest group', () => {
    expect(latestByGroup(rows, (r) => r.ordersReceived)).toEqual({ bucket: '2026-02-01', total: 220, top: { group: 'north', value: 130 } });
    expect(latestByGroup([], (r: ServiceLoadRow) => r.ordersReceived)).toBeNull();
  });
});

describe('product-line mix', () => {
  it('stacks orders received per product line and month, zero where a line had none', () => {
    const option = productLineMixOption([row('2026-01-01', 'tv', 5), row('2026-02-01', 'tv', 7), row('2026-02-01', 'washer', 3)], text);
    const series = asArray(option.series);
    expect(series.map((s) => [s.name, s.type, (s as { stack?: string }).stack, s.data])).toEqual([
      ['tv', 'bar', 'mix', [5, 7]],
      ['washer', 'bar', 'mix', [0, 3]],
    ]);
  });
});

describe('outlet ranking', () => {
  const rank = (outletId: string, perTech: number | null): OutletRank => ({
    outletId, name: outletId.toUpperCase(), region: 'north', month: '2026-02', ordersReceived: 100, ordersPerTechnician: perTech,
    technicians: 2, forecastOrders: 110, techniciansNeeded: 2, delta: 0, flag: null,
  });

  it('draws the busiest outlets top-down with the target as a vertical mark, bars past it highlighted', () => {
    const option = outletRankingOption([rank('a', 80), rank('b', 50), rank('c', null)], 60, text);
    const [y] = asArray(option.yAxis);
    expect(y).toMatchObject({ data: ['B', 'A'] });
    const [series] = asArray(option.series);
    const data = series!.data as Array<{ value: number; itemStyle?: unknown }>;
    expect(data.map((d) => d.value)).toEqual([50, 80]);
    expect(data[0]!.itemStyle).toBeUndefined();
    expect(data[1]!.itemStyle).toBeDefined();
    expect(series!.markLine).toMatchObject({ data: [{ xAxis: 60 }] });
  });

  it('has no target line when the target is unknown', () => {
    const [series] = asArray(outletRankingOption([rank('a', 80)], null, text).series);
    expect(series!.markLine).toBeUndefined();
  });
});
