import type { Alarm } from '@servicetower/domain';
import type { SensorLine } from '../../../lib/liveUpdates';
import { baseOption, LTTB_THRESHOLD, type ChartOption, type ChartText } from './common';

/** Height of one sensor's panel in the stacked device chart, and the room for the zoom slider below them. */
export const SENSOR_PANEL_PX = 150;
export const SENSOR_CHART_MARGIN_PX = 70;

export function sensorChartHeight(sensors: number): number {
  return Math.max(1, sensors) * SENSOR_PANEL_PX + SENSOR_CHART_MARGIN_PX;
}

export interface SensorChartOptions {
  /** The normal range per sensor, from the device model: drawn as dashed lines. */
  envelopes?: Record<string, { min: number; max: number }>;
  alarms?: readonly Pick<Alarm, 'sensor' | 'openedAt' | 'severity' | 'alarmId'>[];
  /** [from, to] epoch ms, so every panel spans the requested range even where data is missing. */
  range?: [number, number];
  text: ChartText;
}

/**
 * One panel per sensor, stacked, on a shared time axis: one zoom (wheel or the slider) moves every panel,
 * and the tooltip follows across them. Long lines are sampled (lttb) when drawn; bucketed series show their
 * minimum and maximum as thin lines beside the mean; alarms are vertical marks where they opened.
 */
export function sensorChartOption(lines: readonly SensorLine[], options: SensorChartOptions): ChartOption {
  const { text } = options;
  const indexes = lines.map((_, i) => i);
  const top = (i: number) => 24 + i * SENSOR_PANEL_PX;
  const series: NonNullable<ChartOption['series']> = [];
  lines.forEach((line, i) => {
    const envelope = options.envelopes?.[line.sensor];
    const alarms = (options.alarms ?? []).filter((a) => a.sensor === line.sensor);
    const long = line.points.length > LTTB_THRESHOLD;
    const marks = [
      ...(envelope ? [{ yAxis: envelope.min, name: text.t('device.envelopeMin') }, { yAxis: envelope.max, name: text.t('device.envelopeMax') }] : []),
      ...alarms.map((a) => ({
        xAxis: Date.parse(a.openedAt),
        name: text.t(`severity.${a.severity}`),
        lineStyle: { type: 'solid' as const, color: a.severity === 'critical' ? '#cf222e' : '#bf8700' },
        label: { formatter: `#${a.alarmId}` },
      })),
    ];
    series.push({
      type: 'line',
      name: line.sensor,
      xAxisIndex: i,
      yAxisIndex: i,
      data: line.points,
      showSymbol: false,
      sampling: long ? 'lttb' : undefined,
      progressive: long ? 2000 : undefined,
      lineStyle: { width: 1.25 },
      markLine: marks.length === 0 ? undefined : {
        symbol: 'none',
        silent: true,
        lineStyle: { type: 'dashed', opacity: 0.7 },
        label: { fontSize: 10 },
        data: marks,
      },
    });
    if (line.band) {
      for (const [k, key] of [[1, 'device.min'], [2, 'device.max']] as const) {
        series.push({
          type: 'line',
          name: `${line.sensor} ${text.t(key)}`,
          xAxisIndex: i,
          yAxisIndex: i,
          data: line.band.map((p) => [p[0], p[k]]),
          showSymbol: false,
          sampling: line.band.length > LTTB_THRESHOLD ? 'lttb' : undefined,
          lineStyle: { width: 0.75, opacity: 0.45 },
        });
      }
    }
  });
  return {
    ...baseOption(),
    animation: false,
    tooltip: { trigger: 'axis', confine: true },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    grid: indexes.map((i) => ({ left: 56, right: 24, top: top(i), height: SENSOR_PANEL_PX - 44 })),
    xAxis: indexes.map((i) => ({
      type: 'time' as const,
      gridIndex: i,
      min: options.range?.[0],
      max: options.range?.[1],
      axisLabel: { show: i === lines.length - 1, hideOverlap: true },
    })),
    yAxis: lines.map((line, i) => ({
      type: 'value' as const,
      gridIndex: i,
      scale: true,
      name: line.unit ? `${line.sensor} (${line.unit})` : line.sensor,
      nameLocation: 'end' as const,
      nameTextStyle: { align: 'left' as const },
      splitNumber: 3,
    })),
    dataZoom: [
      { type: 'inside', xAxisIndex: indexes, filterMode: 'none' },
      { type: 'slider', xAxisIndex: indexes, bottom: 8, height: 20, filterMode: 'none' },
    ],
    series,
  };
}
