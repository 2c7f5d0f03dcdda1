import type { SupplyCycleRow } from '@servicetower/domain';
import { figureValue, round } from '../../../lib/figures';
import type { AgeBucket } from '../../../lib/ranking';
import { baseOption, distinct, groupName, scrollLegend, type ChartOption, type ChartText } from './common';

const SOURCE_COLORS: Record<string, string> = { hq_stock: '#1f77b4', hq_procured: '#d4801b' };

/** The target of a source: the first row of the source that states one. */
export function targetOf(rows: readonly SupplyCycleRow[], group: string): number | null {
  for (const row of rows) {
    const target = row.group === group ? figureValue(row.targetDays) : null;
    if (target !== null) return target;
  }
  return null;
}

const valueOrGap = (v: number | null) => (v === null ? null : round(v, 2));

/**
 * Supply cycle per source over time (rows grouped by source): the mean as a solid line, the 90th percentile
 * dashed, and each source's target as a horizontal line in the source's colour.
 */
export function supplyCycleTrendOption(rows: readonly SupplyCycleRow[], text: ChartText): ChartOption {
  const buckets = distinct(rows.map((r) => r.bucket));
  const sources = distinct(rows.map((r) => r.group ?? ''));
  const cell = new Map(rows.map((r) => [`${r.bucket}|${r.group ?? ''}`, r]));
  const series: NonNullable<ChartOption['series']> = [];
  for (const source of sources) {
    const name = text.t(`source.${source || 'all'}`);
    const color = SOURCE_COLORS[source];
    const target = targetOf(rows, source);
    series.push({
      type: 'line',
      name: text.t('chart.meanOf', { name }),
      color,
      connectNulls: false,
      data: buckets.map((b) => valueOrGap(figureValue(cell.get(`${b}|${source}`)?.meanDays))),
      markLine: target === null ? undefined : {
        symbol: 'none',
        lineStyle: { type: 'dotted', width: 2, color },
        label: { formatter: text.t('chart.targetDays', { name, value: text.number(target, 0) }), position: 'insideEndTop' },
        data: [{ yAxis: target, name: text.t('chart.targetName') }],
      },
    });
    series.push({
      type: 'line',
      name: text.t('chart.p90Of', { name }),
      color,
      lineStyle: { type: 'dashed', opacity: 0.6 },
      symbol: 'none',
      data: buckets.map((b) => valueOrGap(figureValue(cell.get(`${b}|${source}`)?.p90Days))),
    });
  }
  return {
    ...baseOption(),
    legend: scrollLegend(),
    xAxis: { type: 'category', data: buckets.map((b) => b.slice(0, 10)) },
    yAxis: { type: 'value', name: text.t('unit.days'), min: 0 },
    series,
  };
}

/** How the supply cycle is spread in each group (rows of one bucket grouped by region): median, mean, 90th percentile. */
export function supplyCycleSpreadOption(rows: readonly SupplyCycleRow[], text: ChartText, names?: Record<string, string>): ChartOption {
  const groups = distinct(rows.map((r) => r.group ?? ''));
  const byGroup = new Map(rows.map((r) => [r.group ?? '', r]));
  const measure = (key: 'p50Days' | 'meanDays' | 'p90Days') => groups.map((g) => valueOrGap(figureValue(byGroup.get(g)?.[key])));
  return {
    ...baseOption(),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    legend: scrollLegend(),
    xAxis: { type: 'category', data: groups.map((g) => groupName(g || null, names)) },
    yAxis: { type: 'value', name: text.t('unit.days'), min: 0 },
    series: [
      { type: 'bar', name: text.t('chart.p50'), data: measure('p50Days') },
      { type: 'bar', name: text.t('chart.mean'), data: measure('meanDays') },
      { type: 'bar', name: text.t('chart.p90'), data: measure('p90Days') },
    ],
  };
}

/** Open parts requests by age, stacked by source. */
export function openRequestAgeOption(buckets: readonly AgeBucket[], text: ChartText): ChartOption {
  const sources = distinct(buckets.flatMap((b) => Object.keys(b.counts)));
  return {
    ...baseOption(),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    legend: scrollLegend(),
    xAxis: { type: 'category', name: text.t('unit.daysOpen'), nameLocation: 'middle', nameGap: 28, data: buckets.map((b) => b.label) },
    yAxis: { type: 'value', name: text.t('chart.requests'), minInterval: 1 },
    series: sources.map((source) => ({
      type: 'bar' as const,
      name: text.t(`source.${source}`),
      stack: 'age',
      color: SOURCE_COLORS[source],
      data: buckets.map((b) => b.counts[source] ?? 0),
    })),
  };
}
