import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileValidator, TelemetryRecord } from '@servicetower/domain';
import {
  defaultCmapssDir, deviceTelemetry, engineDeviceId, engineTelemetry, lastCycleDue, liveTelemetry, readCmapss, replayTelemetry,
  type CmapssEngine, type Fleet, type SimulatedModel,
} from '../src/telemetry/index.js';
import type { DeviceFault } from '../src/types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 0, 1);

const validRecord = compileValidator<TelemetryRecord>(TelemetryRecord);
const CMAPSS_DIR = defaultCmapssDir({});

/** A small seeded uniform source (mulberry32), standing in for the simulator's streams. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function samplesOf(records: TelemetryRecord[]): TelemetryRecord['readings'] {
  return records.flatMap((record) => record.readings);
}

describe('C-MAPSS FD001', () => {
  let train: CmapssEngine[] | undefined;
  async function training(): Promise<CmapssEngine[]> {
    train ??= await readCmapss(CMAPSS_DIR);
    return train;
  }
  const unit = async (n: number) => (await training()).find((engine) => engine.unit === n) as CmapssEngine;

  it('reads 100 training engines and 20,631 flights, unit 1 with cycles 1 to 192 in order', async () => {
    const engines = await training();
    expect(engines.map((engine) => engine.unit)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(engines.reduce((sum, engine) => sum + engine.cycles.length, 0)).toBe(20_631);
    const first = await unit(1);
    expect(first.cycles.map((c) => c.cycle)).toEqual(Array.from({ length: 192 }, (_, i) => i + 1));
    expect(first.cycles.every((c) => c.settings.length === 3 && c.sensors.length === 21)).toBe(true);
  });

  it('reads the test file too: 100 engines observed partway, 13,096 flights', async () => {
    const engines = await readCmapss(CMAPSS_DIR, 'test_FD001.txt');
    expect(engines).toHaveLength(100);
    expect(engines.reduce((sum, engine) => sum + engine.cycles.length, 0)).toBe(13_096);
  });

  it('replays unit 1 as one sample per flight whose 24 values are the numbers of the file', async () => {
    const records = engineTelemetry(await unit(1), engineDeviceId(1), { start: START, flightEveryMs: DAY });
    const samples = samplesOf(records);
    expect(records.every((record) => record.deviceId === 'eng-001' && validRecord.check(record))).toBe(true);
    expect(samples).toHaveLength(192);
    expect(samples.every((sample) => Object.keys(sample.values).length === 25)).toBe(true);

    const rows = (await readFile(join(CMAPSS_DIR, 'train_FD001.txt'), 'utf8')).split('\n');
    const expected = (row: string | undefined) => {
      const [, ...numbers] = (row ?? '').trim().split(/\s+/).map(Number);
      const names = ['cycle', 'op1', 'op2', 'op3', ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`)];
      return Object.fromEntries(names.map((name, i) => [name, numbers[i]]));
    };
    expect(samples[0]).toEqual({ at: '2026-01-01T00:00:00.000Z', values: expected(rows.find((r) => r.startsWith('1 1 '))) });
    expect(samples[191]).toEqual({ at: '2026-07-11T00:00:00.000Z', values: expected(rows.find((r) => r.startsWith('1 192 '))) });
    // The first row as printed in the file: no digit lost on the way.
    expect(samples[0]?.values).toMatchObject({ op1: -0.0007, op2: -0.0004, op3: 100, s1: 518.67, s2: 641.82, s15: 8.4195, s16: 0.03, s21: 23.419 });
  });

  it('sends a range of cycles, cut into records of the size asked', async () => {
    const records = engineTelemetry(await unit(1), 'eng-001', {
      start: START, flightEveryMs: HOUR, fromCycle: 10, toCycle: 59, samplesPerRecord: 20,
    });
    expect(records.map((record) => record.readings.length)).toEqual([20, 20, 10]);
    expect(samplesOf(records)[0]?.at).toBe(new Date(START + 9 * HOUR).toISOString());
    expect(records.every((record) => validRecord.check(record))).toBe(true);
  });

  it('names the engines as the network does', () => {
    expect([1, 42, 100].map(engineDeviceId)).toEqual(['eng-001', 'eng-042', 'eng-100']);
  });

  it('replays live: each flight once, stamped when it lands, nothing after the last cycle', async () => {
    const engine = await unit(1);
    const schedule = { startedAt: START, flightEveryMs: 10_000, fromCycle: 181 };
    expect(lastCycleDue(schedule, START - 1)).toBe(180);
    expect(lastCycleDue(schedule, START)).toBe(181);
    expect(lastCycleDue(schedule, START + 25_000)).toBe(183);

    const ticks = [START - 5_000, START + 3_000, START + 35_000, START + 36_000, START + 500_000];
    const sent = ticks.slice(1).map((until, i) => samplesOf(replayTelemetry(engine, 'eng-001', schedule, ticks[i] as number, until)));
    expect(sent.map((samples) => samples.length)).toEqual([1, 3, 0, 8]);
    const all = sent.flat();
    expect(all.map((sample) => sample.at)).toEqual(Array.from({ length: 12 }, (_, i) => new Date(START + i * 10_000).toISOString()));
    expect(all[11]?.values.s2).toBe(engine.cycles[191]?.sensors[1]);
  });

  it('says where to get the data and how to point at it when the folder is missing', async () => {
    await expect(readCmapss('/nowhere/cmapss')).rejects.toThrow(/\/nowhere\/cmapss\/train_FD001\.txt not found.*nasa\.gov.*CMAPSS_DIR/);
  });

  it('takes the folder from CMAPSS_DIR, else from beside the repository', () => {
    expect(defaultCmapssDir({ CMAPSS_DIR: '/data/cmapss' })).toBe('/data/cmapss');
    expect(defaultCmapssDir({}).endsWith(join('shared', 'data', 'cmapss'))).toBe(true);
  });
});

/** Sensors like the fleet's: a temperature (swings daily), a fan that fails low, a counter, a rate that runs near its floor, and one with only its envelope. */
const DISPLAY: SimulatedModel = {
  id: 'display-test',
  sensors: [
    { name: 'panel_temp', unit: '°C', min: 20, max: 55, nominal: 38, noise: 1.5, drift: 1 },
    { name: 'fan_speed', unit: 'rpm', min: 1200, max: 3200, nominal: 2200, noise: 60, drift: -1 },
    { name: 'cycle_count', unit: 'cycles', min: 0, max: 1000, nominal: 300, noise: 0, drift: 0 },
    { name: 'frame_drop_rate', unit: '%', min: 0, max: 2, nominal: 0.2, noise: 0.08, drift: 1 },
    { name: 'supply_voltage', unit: 'V', min: 11.4, max: 12.6 },
  ],
};
const envelope = new Map(DISPLAY.sensors.map((sensor) => [sensor.name, sensor]));
const devices = Array.from({ length: 5 }, (_, i) => ({ id: `dsp-00${i + 1}`, modelId: DISPLAY.id, outletId: 'sh-01' }));
const display = devices[0] as (typeof devices)[number];

function inside(name: string, value: number | undefined): boolean {
  const sensor = envelope.get(name);
  return sensor !== undefined && value !== undefined && value > sensor.min && value < sensor.max;
}

describe('device telemetry', () => {
  const month = { from: START, to: START + 30 * DAY, everyMs: 10 * MINUTE };

  it('keeps healthy devices inside their envelopes, each near a level of its own, warmest in the afternoon', () => {
    const next = seeded(7);
    const series = devices.map((device) => samplesOf(deviceTelemetry(device, DISPLAY, [], { ...month, next, timeZone: 'Asia/Shanghai' })));
    expect(series.map((samples) => samples.length)).toEqual(devices.map(() => 30 * 144));
    const outside = series.flat().flatMap(({ at, values }) =>
      DISPLAY.sensors.filter(({ name }) => !inside(name, values[name])).map(({ name }) => `${at} ${name} ${values[name]}`),
    );
    expect(outside).toEqual([]);
    const levels = series.map((samples) => samples[0]?.values.cycle_count);
    expect(new Set(levels).size).toBe(devices.length);

    // 15:00 in Shanghai is 07:00 UTC; 03:00 is 19:00 UTC.
    const meanAt = (utcHour: number) => {
      const temps = (series[0] ?? []).filter((s) => new Date(s.at).getUTCHours() === utcHour).map((s) => s.values.panel_temp ?? 0);
      return temps.reduce((a, b) => a + b, 0) / temps.length;
    };
    expect(meanAt(7) - meanAt(19)).toBeGreaterThan(3);
  });

  it('drifts a faulted sensor out of its envelope before the proactive order, and back after the repair', () => {
    const faults: DeviceFault[] = [
      { deviceId: display.id, sensor: 'panel_temp', driftStartsAt: START + 5 * DAY, orderCreatedAt: START + 11 * DAY },
      { deviceId: display.id, sensor: 'fan_speed', driftStartsAt: START + 14 * DAY, orderCreatedAt: START + 16 * DAY },
      { deviceId: 'dsp-002', sensor: 'frame_drop_rate', driftStartsAt: START + 1 * DAY, orderCreatedAt: START + 2 * DAY },
    ];
    const samples = samplesOf(deviceTelemetry(display, DISPLAY, faults, { ...month, next: seeded(3) }));
    const during = (from: number, to: number) => samples.filter((s) => Date.parse(s.at) >= from && Date.parse(s.at) < to);

    expect(during(START, START + 5 * DAY).every((s) => inside('panel_temp', s.values.panel_temp))).toBe(true);
    // The last 10 % of the way to the order: a limit alarm has had time to fire.
    const beforeOrder = during(START + 10.4 * DAY, START + 11 * DAY);
    expect(beforeOrder.length).toBeGreaterThan(0);
    expect(beforeOrder.every((s) => (s.values.panel_temp ?? 0) > 55)).toBe(true);
    expect(during(START + 11 * DAY, START + 12 * DAY).every((s) => (s.values.panel_temp ?? 0) > 55)).toBe(true);
    expect(during(START + 13.5 * DAY, START + 30 * DAY).every((s) => inside('panel_temp', s.values.panel_temp))).toBe(true);

    expect(during(START + 15.8 * DAY, START + 16 * DAY).every((s) => (s.values.fan_speed ?? Infinity) < 1200)).toBe(true);
    expect(during(START + 18.5 * DAY, START + 30 * DAY).every((s) => inside('fan_speed', s.values.fan_speed))).toBe(true);

    // Another device's fault and the device's other sensors leave these readings alone.
    const others = ['cycle_count', 'frame_drop_rate', 'supply_voltage'];
    expect(samples.every((s) => others.every((name) => inside(name, s.values[name])))).toBe(true);
  });

  it('gives the same values for the same draws, and others for other draws', () => {
    const faults: DeviceFault[] = [{ deviceId: display.id, sensor: 'panel_temp', driftStartsAt: START + DAY, orderCreatedAt: START + 3 * DAY }];
    const run = (seed: number) => deviceTelemetry(display, DISPLAY, faults, { ...month, next: seeded(seed) });
    expect(run(11)).toEqual(run(11));
    expect(run(12)).not.toEqual(run(11));
  });

  it('cuts long windows into valid records, and consecutive windows continue the same time grid', () => {
    const year = deviceTelemetry(display, DISPLAY, [], { from: START + 1, to: START + 365 * DAY, everyMs: 5 * MINUTE, next: seeded(1) });
    expect(year.map((record) => record.readings.length)).toEqual([...Array<number>(10).fill(10_000), 5_119]);
    expect(year.every((record) => validRecord.check(record))).toBe(true);

    const window = (from: number, to: number) =>
      samplesOf(deviceTelemetry(display, DISPLAY, [], { from, to, everyMs: 7 * MINUTE, next: seeded(1) })).map((s) => s.at);
    const split = START + 5 * HOUR + 123;
    expect([...window(START, split), ...window(split, START + DAY)]).toEqual(window(START, START + DAY));
  });

  it('streams live at the rate asked, for the simulated models only', () => {
    const fleet: Fleet = {
      devices: [...devices.slice(0, 2), { id: 'eng-001', modelId: 'cmapss-turbofan', outletId: 'sh-01' }],
      models: [DISPLAY],
      faults: [],
    };
    const records = liveTelemetry(fleet, { from: START, to: START + 5 * MINUTE, samplesPerMinute: 6, next: seeded(5) });
    expect(records.map((record) => [record.deviceId, record.readings.length])).toEqual([['dsp-001', 30], ['dsp-002', 30]]);
    expect(records.every((record) => validRecord.check(record))).toBe(true);
  });

  it('refuses a fault on a sensor the model does not have', () => {
    const faults: DeviceFault[] = [{ deviceId: display.id, sensor: 'lamp_hours', driftStartsAt: START, orderCreatedAt: START + DAY }];
    expect(() => deviceTelemetry(display, DISPLAY, faults, { ...month, next: seeded(1) })).toThrow(/lamp_hours.*display-test/);
  });
});
