import { describe, expect, it } from 'vitest';
import { LTTB_THRESHOLD } from '../src/components/charts/options/common';
import { sensorChartHeight, sensorChartOption, SENSOR_PANEL_PX } from '../src/components/charts/options/sensors';
import type { SensorLine } from '../src/lib/liveUpdates';
import { asArray, text } from './support';

const t0 = Date.parse('2026-03-01T00:00:00Z');
const points = (n: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [t0 + i * 1000, Math.sin(i)]);
const line = (sensor: string, n: number, band = false): SensorLine => ({
  sensor, unit: '°C', resolution: band ? '10m' : 'raw', points: points(n), band: band ? points(n).map(([t, v]) => [t, v - 1, v + 1]) : null,
});

describe('device sensor charts', () => {
  it('stacks one panel per sensor on linked time axes, zoomed together', () => {
    const option = sensorChartOption([line('temp', 10), line('pressure', 10)], { text, range: [t0, t0 + 3_600_000] });
    expect(asArray(option.grid)).toHaveLength(2);
    const x = asArray(option.xAxis);
    expect(x.map((a) => [a.type, (a as { gridIndex: number }).gridIndex, (a as { min: number }).min])).toEqual([['time', 0, t0], ['time', 1, t0]]);
    expect(asArray(option.yAxis).map((a) => a.name)).toEqual(['temp (°C)', 'pressure (°C)']);
    expect(asArray(option.dataZoom).map((z) => [z.type, z.xAxisIndex])).toEqual([['inside', [0, 1]], ['slider', [0, 1]]]);
    expect(sensorChartHeight(2)).toBe(2 * SENSOR_PANEL_PX + 70);
  });

  it('samples long series with lttb and leaves short ones as they are', () => {
    const series = asArray(sensorChartOption([line('long', LTTB_THRESHOLD + 1), line('short', 20)], { text }).series);
    expect(series[0]).toMatchObject({ sampling: 'lttb', showSymbol: false, xAxisIndex: 0 });
    expect(series[0]!.data).toHaveLength(LTTB_THRESHOLD + 1);
    expect(series[1]).not.toHaveProperty('sampling', 'lttb');
  });

  it('marks the normal range and each alarm of the sensor where it opened', () => {
    const option = sensorChartOption([line('temp', 10), line('pressure', 10)], {
      text,
      envelopes: { temp: { min: -5, max: 90 } },
      alarms: [
        { alarmId: '7', sensor: 'temp', openedAt: '2026-03-01T00:00:05Z', severity: 'critical' },
        { alarmId: '8', sensor: 'vibration', openedAt: '2026-03-01T00:00:06Z', severity: 'warning' },
      ],
    });
    const [temp, pressure] = asArray(option.series);
    const marks = (temp!.markLine as { data: Array<Record<string, unknown>> }).data;
    expect(marks.map((m) => m.yAxis ?? m.xAxis)).toEqual([-5, 90, t0 + 5000]);
    expect(marks[2]).toMatchObject({ label: { formatter: '#7' } });
    expect(pressure!.markLine).toBeUndefined();
  });

  it('draws a bucketed series’ minimum and maximum beside its mean', () => {
    const series = asArray(sensorChartOption([line('temp', 3, true)], { text }).series);
    expect(series.map((s) => s.name)).toEqual(['temp', 'temp device.min', 'temp device.max']);
    expect(series[1]!.data).toEqual([[t0, -1], [t0 + 1000, Math.sin(1) - 1], [t0 + 2000, Math.sin(2) - 1]]);
  });
});
