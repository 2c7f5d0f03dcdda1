import type { ServiceLoadRow } from '@servicetower/domain';
import { figureValue, round } from '../../../lib/figures';
import type { OutletRank } from '../../../lib/ranking';
import { baseOption, distinct, groupName, scrollLegend, type ChartOption, type ChartText } from './common';

export const SERVICE_LOAD_METRICS = ['ordersReceived', 'ordersPerTechnician', 'avgOrdersPerOutlet', 'backlog', 'ordersCompleted'] as const;
export type ServiceLoadMetric = (typeof SERVICE_LOAD_METRICS)[number];

export function serviceLoadValue(row: ServiceLoadRow, metric: ServiceLoadMetric): number | null {
  switch (metric) {
    case 'ordersReceived':
    case 'ordersCompleted':
    case 'backlog':
      return row[metric];
    case 'ordersPerTechnician':
    case 'avgOrdersPerOutlet':
      return figureValue(row[metric]);
  }
}

/** The latest bucket of grouped rows: its groups' sum and the group with the highest value. */
export function latestByGroup<R extends { bucket: string; group: string | null }>(rows: readonly R[], value: (row: R) => number | null) {
  const bucket = rows.reduce<string | null>((max, r) => (max === null || r.bucket > max ? r.bucket : max), null);
  if (bucket === null) return null;
  let total = 0;
  let top: { group: string | null; value: number } | null = null;
  for (const row of rows) {
    if (row.bucket !== bucket) continue;
    const v = value(row);
    if (v === null) continue;
    total += v;
    if (top === null || v > top.value) top = { group: row.group, value: v };
  }
  return { bucket, total, top };
}

/** Region × month heat map of one service-load figure; a missing figure is an empty cell, not zero. */
export function regionMonthOption(rows: readonly ServiceLoadRow[], metric: ServiceLoadMetric, text: ChartText, names?: Record<string, string>): ChartOption {
  const months = distinct(rows.map((r) => r.bucket));
  const groups = distinct(rows.map((r) => r.group ?? ''));
  const data: Array<[number, number, number | '-']> = rows.map((r) => {
    const v = serviceLoadValue(r, metric);
    return [months.indexOf(r.bucket), groups.indexOf(r.group ?? ''), v === null ? '-' : round(v, 1)];
  });
  const max = Math.max(0, ...data.map((d) => (typeof d[2] === 'number' ? d[2] : 0)));
  return {
    ...baseOption(),
    tooltip: { trigger: 'item', confine: true },
    grid: { left: 8, right: 16, top: 8, bottom: 56, outerBoundsMode: 'same', outerBoundsContain: 'all' },
    xAxis: { type: 'category', data: months.map((m) => m.slice(0, 7)), splitArea: { show: true } },
    yAxis: { type: 'category', data: groups.map((g) => groupName(g || null, names)), splitArea: { show: true } },
    visualMap: { type: 'continuous', min: 0, max: max || 1, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
    series: [{
      type: 'heatmap',
      name: text.t(`metric.${metric}`),
      data,
      label: { show: months.length <= 12 && groups.length <= 12, fontSize: 10 },
      emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } },
    }],
  };
}

/** Orders received per product line and month, stacked: the mix and the total in one view. */
export function productLineMixOption(rows: readonly ServiceLoadRow[], text: ChartText, names?: Record<string, string>): ChartOption {
  const months = distinct(rows.map((r) => r.bucket));
  const groups = distinct(rows.map((r) => r.group ?? ''));
  const value = new Map(rows.map((r) => [`${r.bucket}|${r.group ?? ''}`, r.ordersReceived]));
  return {
    ...baseOption(),
    legend: scrollLegend(),
    xAxis: { type: 'category', data: months.map((m) => m.slice(0, 7)) },
    yAxis: { type: 'value', name: text.t('metric.ordersReceived') },
    series: groups.map((g) => ({
      type: 'bar' as const,
      name: groupName(g || null, names),
      stack: 'mix',
      data: months.map((m) => value.get(`${m}|${g}`) ?? 0),
    })),
  };
}

/** The busiest outlets by orders per technician, the target as a line: bars past it are the ones to staff up. */
export function outletRankingOption(ranked: readonly OutletRank[], target: number | null, text: ChartText, top = 15): ChartOption {
  const shown = ranked.filter((r) => r.ordersPerTechnician !== null).slice(0, top).reverse();
  return {
    ...baseOption(),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    xAxis: { type: 'value', name: text.t('metric.ordersPerTechnician') },
    yAxis: { type: 'category', data: shown.map((r) => r.name) },
    series: [{
      type: 'bar',
      name: text.t('metric.ordersPerTechnician'),
      data: shown.map((r) => ({
        value: round(r.ordersPerTechnician ?? 0, 1),
        itemStyle: target !== null && (r.ordersPerTechnician ?? 0) > target ? { color: '#d4380d' } : undefined,
      })),
      markLine: target === null ? undefined : {
        symbol: 'none',
        label: { formatter: text.t('chart.target', { value: text.number(target, 0) }) },
        lineStyle: { type: 'dashed' },
        data: [{ xAxis: target, name: text.t('chart.targetName') }],
      },
    }],
  };
}
