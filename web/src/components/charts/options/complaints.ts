import type { ComplaintRow, PartsWaitComplaintRow } from '@servicetower/domain';
import { figureValue, round } from '../../../lib/figures';
import { baseOption, distinct, scrollLegend, type ChartOption, type ChartText } from './common';

const gap = (v: number | null) => (v === null ? null : round(v, 2));

/** Complaints per 100 orders received, one line per cause (rows grouped by cause). */
export function complaintRateByCauseOption(rows: readonly ComplaintRow[], text: ChartText): ChartOption {
  const buckets = distinct(rows.map((r) => r.bucket));
  const causes = distinct(rows.map((r) => r.group ?? ''));
  const cell = new Map(rows.map((r) => [`${r.bucket}|${r.group ?? ''}`, r]));
  return {
    ...baseOption(),
    legend: scrollLegend(),
    xAxis: { type: 'category', data: buckets.map((b) => b.slice(0, 10)) },
    yAxis: { type: 'value', name: text.t('unit.per100'), min: 0 },
    series: causes.map((cause) => ({
      type: 'line' as const,
      name: text.t(`cause.${cause || 'all'}`),
      lineStyle: cause === 'parts_wait' ? { width: 3 } : undefined,
      data: buckets.map((b) => gap(figureValue(cell.get(`${b}|${cause}`)?.ratePer100))),
    })),
  };
}

/**
 * Waiting for parts and complaints, beside the supply cycle: complaint rates of orders that waited and of
 * those that did not as bars, the parts-wait rate as a line (left axis, per 100 orders), and the mean supply
 * cycle per source on the right axis (days).
 */
export function partsWaitComplaintsOption(rows: readonly PartsWaitComplaintRow[], text: ChartText): ChartOption {
  const sorted = [...rows].sort((a, b) => a.bucket.localeCompare(b.bucket));
  return {
    ...baseOption(),
    legend: scrollLegend(),
    xAxis: { type: 'category', data: sorted.map((r) => r.bucket.slice(0, 10)) },
    yAxis: [
      { type: 'value', name: text.t('unit.per100'), min: 0 },
      { type: 'value', name: text.t('unit.days'), min: 0, splitLine: { show: false } },
    ],
    series: [
      { type: 'bar', name: text.t('chart.rateWaited'), data: sorted.map((r) => gap(figureValue(r.complaintRateWaitedPer100))) },
      { type: 'bar', name: text.t('chart.rateNotWaited'), data: sorted.map((r) => gap(figureValue(r.complaintRateNotWaitedPer100))) },
      { type: 'line', name: text.t('chart.partsWaitRate'), data: sorted.map((r) => gap(figureValue(r.partsWaitRatePer100))) },
      { type: 'line', name: text.t('chart.supplyMean', { name: text.t('source.hq_stock') }), yAxisIndex: 1, lineStyle: { type: 'dashed' },
        data: sorted.map((r) => gap(figureValue(r.supplyCycleMeanDays.hq_stock))) },
      { type: 'line', name: text.t('chart.supplyMean', { name: text.t('source.hq_procured') }), yAxisIndex: 1, lineStyle: { type: 'dashed' },
        data: sorted.map((r) => gap(figureValue(r.supplyCycleMeanDays.hq_procured))) },
    ],
  };
}
