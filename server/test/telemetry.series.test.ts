// Telemetry series downsampled from raw readings and rollups, and a device's operating cost,
// through the real API and workers: readings posted over HTTP, answers checked against what was sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BucketPoint, DeviceCost, RawPoint, Series } from '@servicetower/domain';
import { flushDueReadingRollups, flushReadingRollups, rebuildReadingRollups } from '@servicetower/workers';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-01-05T00:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

/** Values that are multiples of 1/4, so that sums are exact in any order. */
function walk(seed: number, n: number): number[] {
  let [x, v] = [seed, 640];
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    v += ((x % 9) - 4) / 4;
    return v;
  });
}

interface Sent {
  at: number;
  value: number;
}

describe('telemetry series and operating cost', () => {
  let h: Harness;
  let reader: string;
  const sent: Record<'s2' | 's3', Sent[]> = { s2: [], s3: [] };

  const get = async (url: string, token = reader) => h.app.inject({ method: 'GET', url, headers: bearer(token) });
  const series = async (query: string): Promise<Series> => {
    const response = await get(`/api/v1/devices/eng-1/series?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as Series;
  };
  const rollupRows = async (table: string, device: string) =>
    (await h.pool.query(`SELECT sensor, bucket, min, max, sum, count, first_at, last_at FROM ${table} WHERE device_id = $1 ORDER BY 1, 2`, [device])).rows;

  beforeAll(async () => {
    h = await startHarness({ workers: true });
    await seedReference(h.app, h.adminKey);
    reader = await h.key(['read']);
    // eng-1: six hours at one sample per 10 s (two sensors), a spike and a dip in s2; then a sample a
    // day for 50 days, so that a two-month range is read from the hourly rollup.
    const s2 = walk(7, 2160);
    const s3 = walk(11, 2160);
    s2[1234] = 9999.75;
    s2[321] = -500.25;
    const samples = s2.map((v, i) => ({ at: T0 + i * 10_000, s2: v, s3: s3[i]! }));
    for (let d = 1; d <= 50; d++) samples.push({ at: T0 + d * 24 * HOUR + 7 * HOUR, s2: 600 + d / 4, s3: 1500 - d / 2 });
    for (const s of samples) {
      sent.s2.push({ at: s.at, value: s.s2 });
      sent.s3.push({ at: s.at, value: s.s3 });
    }
    const records = [];
    for (let i = 0; i < samples.length; i += 400) {
      records.push({ deviceId: 'eng-1', readings: samples.slice(i, i + 400).map((s) => ({ at: iso(s.at), values: { s2: s.s2, s3: s.s3 } })) });
    }
    await h.ingest('telemetry', records);
    await h.drained();
  }, 120_000);
  afterAll(() => h?.close());

  const inRange = (sensor: 's2' | 's3', from: number, to: number) => sent[sensor].filter((r) => r.at >= from && r.at < to);

  it('rolls up, on the scheduled flush, the buckets the device has reported past, and only those', async () => {
    const start = T0 + 100 * 24 * HOUR; // 10-minute aligned, after everything else eng-2 sends
    await h.ingest('telemetry', [{ deviceId: 'eng-2', readings: Array.from({ length: 7 }, (_, i) => ({ at: iso(start + i * 5 * MINUTE), values: { s2: 640 + i } })) }]);
    await h.drained();
    const pending = () => h.count(`SELECT 1 FROM reading_rollup_pending WHERE device_id = 'eng-2' AND NOT rolled`);
    expect(await pending()).toBe(4); // buckets at 0, 10, 20 and 30 minutes; the last reading is at 30 minutes
    await flushDueReadingRollups(h.pool);
    expect(await pending()).toBe(1); // the 30-minute bucket waits for a later report
    const { rows } = await h.pool.query(`SELECT bucket, min, max, count FROM reading_10m WHERE device_id = 'eng-2' AND sensor = 's2' AND bucket >= $1 ORDER BY bucket`, [new Date(start)]);
    expect(rows.map((r: { min: number; max: number; count: string }) => [r.min, r.max, Number(r.count)])).toEqual([[640, 641, 2], [642, 643, 2], [644, 645, 2]]);
  });

  it('gives every raw reading of a short range exactly', async () => {
    const body = await series(`sensors=s2,s3&from=${iso(T0)}&to=${iso(T0 + 5 * MINUTE)}`);
    expect(body.series.map((s) => [s.sensor, s.unit, s.resolution, s.bucketSeconds])).toEqual([['s2', '°R', 'raw', null], ['s3', '°R', 'raw', null]]);
    for (const s of body.series) {
      expect(s.points).toEqual(inRange(s.sensor as 's2', T0, T0 + 5 * MINUTE).map((r) => ({ at: iso(r.at), value: r.value })));
    }
  });

  it('samples a moderate raw count by largest triangles, within maxPoints, keeping the extremes', async () => {
    const [from, to] = [T0, T0 + 4 * HOUR];
    const body = await series(`sensors=s2&from=${iso(from)}&to=${iso(to)}&maxPoints=200`);
    const [s2] = body.series;
    const truth = inRange('s2', from, to);
    expect(s2!.resolution).toBe('lttb');
    const points = s2!.points as RawPoint[];
    expect(points.length).toBeLessThanOrEqual(200);
    const sentAt = new Map(truth.map((r) => [iso(r.at), r.value]));
    expect(points.every((p) => sentAt.get(p.at) === p.value)).toBe(true);
    expect(points.map((p) => p.value)).toContain(9999.75);
    expect(points.map((p) => p.value)).toContain(-500.25);
    expect(points[0]!.at).toBe(iso(truth[0]!.at));
    expect(points.at(-1)!.at).toBe(iso(truth.at(-1)!.at));
  });

  for (const [name, from, to, maxPoints, resolution] of [
    ['six hours from the 10-minute rollup', T0, T0 + 6 * HOUR, 30, '10m'],
    ['400 days from the hourly rollup', T0, T0 + 400 * 24 * HOUR, 20, '1h'],
  ] as const) {
    it(`gives ${name}: at most maxPoints buckets, each with the true min, max and count of its readings`, async () => {
      const body = await series(`sensors=s2,s3&from=${iso(from)}&to=${iso(to)}&maxPoints=${maxPoints}`);
      for (const s of body.series) {
        expect(s.resolution).toBe(resolution);
        const points = s.points as BucketPoint[];
        expect(points.length).toBeLessThanOrEqual(maxPoints);
        const width = s.bucketSeconds! * 1000;
        expect(width % (resolution === '10m' ? 10 * MINUTE : HOUR)).toBe(0);
        const expected = new Map<string, number[]>();
        for (const r of inRange(s.sensor as 's2', from, to)) {
          const at = iso(from + Math.floor((r.at - from) / width) * width);
          expected.set(at, [...(expected.get(at) ?? []), r.value]);
        }
        expect(points.map((p) => p.at)).toEqual([...expected.keys()]);
        for (const p of points) {
          const values = expected.get(p.at)!;
          expect([p.min, p.max, p.count, p.mean]).toEqual([Math.min(...values), Math.max(...values), values.length, values.reduce((a, b) => a + b, 0) / values.length]);
        }
        const all = inRange(s.sensor as 's2', from, to).map((r) => r.value);
        expect(Math.min(...points.map((p) => p.min))).toBe(Math.min(...all));
        expect(Math.max(...points.map((p) => p.max))).toBe(Math.max(...all));
      }
      expect(Math.max(...(body.series[0]!.points as BucketPoint[]).map((p) => p.max))).toBe(9999.75);
    });
  }

  it('never gives more than maxPoints, down to one point per sensor', async () => {
    for (const maxPoints of [1, 2, 3, 4, 7, 99]) {
      const body = await series(`from=${iso(T0)}&to=${iso(T0 + 6 * HOUR)}&maxPoints=${maxPoints}`);
      expect(body.series.map((s) => s.sensor)).toEqual(['s2', 's3', 's4']);
      for (const s of body.series) expect(s.points.length).toBeLessThanOrEqual(maxPoints);
      expect(Math.max(...(body.series[0]!.points as BucketPoint[]).map((p) => p.max))).toBe(9999.75);
    }
  });

  it('counts a duplicate reading once in the rollups, which equal a rebuild from the raw readings', async () => {
    const before = await h.count(`SELECT 1 FROM reading WHERE device_id = 'eng-1'`);
    // The device's latest bucket waits for a later reading; until then series read it raw.
    expect(await h.count(`SELECT 1 FROM reading_rollup_pending WHERE device_id = 'eng-1'`)).toBeGreaterThanOrEqual(1);
    const twoMonths = `sensors=s2&from=${iso(T0)}&to=${iso(T0 + 60 * 24 * HOUR)}&maxPoints=20`;
    const unflushed = await series(twoMonths);
    await h.ingest('telemetry', [
      { deviceId: 'eng-1', readings: [{ at: iso(T0), values: { s2: 1e6, s3: 1e6 } }, { at: iso(T0 + 10_000), values: { s2: 1e6 } }] },
      { deviceId: 'eng-1', readings: [{ at: iso(T0 + 2 * MINUTE + 5000), values: { s2: 700.5 } }] },
    ]);
    await h.drained();
    await flushReadingRollups(h.pool, 'eng-1');
    expect(await h.count(`SELECT 1 FROM reading_rollup_pending WHERE device_id = 'eng-1'`)).toBe(0);
    const flushed = await series(twoMonths);
    expect(flushed.series[0]!.points.map((p) => ({ ...p, count: 0, mean: 0 }))).toEqual(unflushed.series[0]!.points.map((p) => ({ ...p, count: 0, mean: 0 })));
    sent.s2.push({ at: T0 + 2 * MINUTE + 5000, value: 700.5 });
    sent.s2.sort((a, b) => a.at - b.at);
    expect(await h.count(`SELECT 1 FROM reading WHERE device_id = 'eng-1'`)).toBe(before + 1);
    for (const table of ['reading_10m', 'reading_1h']) {
      const { rows } = await h.pool.query(`SELECT sum(count)::int AS n, max(max) AS top FROM ${table} WHERE device_id = 'eng-1'`);
      expect(rows[0]).toEqual({ n: before + 1, top: 9999.75 });
    }
    const kept = [await rollupRows('reading_10m', 'eng-1'), await rollupRows('reading_1h', 'eng-1')];
    await rebuildReadingRollups(h.pool, 'eng-1', new Date(T0 - HOUR), new Date(T0 + 60 * 24 * HOUR));
    expect([await rollupRows('reading_10m', 'eng-1'), await rollupRows('reading_1h', 'eng-1')]).toEqual(kept);
    const body = await series(`sensors=s2&from=${iso(T0)}&to=${iso(T0 + 5 * MINUTE)}`);
    expect((body.series[0]!.points as RawPoint[]).map((p) => p.value)).toEqual(inRange('s2', T0, T0 + 5 * MINUTE).map((r) => r.value));
  });

  it('answers 400 naming the field for bad sensors, times and maxPoints', async () => {
    const range = `from=${iso(T0)}&to=${iso(T0 + HOUR)}`;
    const cases = [
      [`sensors=s2,9x&${range}`, 'querystring/sensors', /9x/],
      [`sensors=s2,s9&${range}`, 'querystring/sensors', /s9.*s2, s3, s4/],
      [`from=yesterday&to=${iso(T0)}`, 'querystring/from', /ISO/],
      [`from=${iso(T0)}&to=${iso(T0)}`, 'querystring/to', /after/],
      [`${range}&maxPoints=0`, 'querystring/maxPoints', /./],
      [`${range}&maxPoints=10001`, 'querystring/maxPoints', /./],
      [`${range}&maxPoints=many`, 'querystring/maxPoints', /./],
    ] as const;
    for (const [query, path, message] of cases) {
      const response = await get(`/api/v1/devices/eng-1/series?${query}`);
      expect(response.statusCode, query).toBe(400);
      const body = response.json() as { message: string; errors: Array<{ path: string }> };
      expect(body.errors.map((e) => e.path), query).toContain(path);
      expect(body.message, query).toMatch(message);
    }
  });

  it('answers 404 for an unknown device or one outside the key’s regions, and 401 without a key', async () => {
    const range = `from=${iso(T0)}&to=${iso(T0 + HOUR)}`;
    expect((await get(`/api/v1/devices/nope/series?${range}`)).statusCode).toBe(404);
    const south = await h.key(['read'], ['south']);
    expect((await get(`/api/v1/devices/eng-1/series?${range}`, south)).statusCode).toBe(404);
    expect((await get(`/api/v1/devices/eng-1/cost?${range}`, south)).statusCode).toBe(404);
    expect((await get(`/api/v1/devices/eng-2/series?${range}`, south)).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/devices/eng-1/series?${range}` })).statusCode).toBe(401);
  });

  describe('operating cost', () => {
    const D = Date.parse('2026-02-01T00:00:00Z');
    const order = (orderId: string, type: string, at: number, extra: object = {}) =>
      ({ eventId: `${orderId}-${type}`, orderId, type, at: iso(at), outletId: 'gz-01', productLine: 'tv', deviceId: 'eng-2', ...extra });
    const parts = (requestId: string, type: string, at: number, extra: object) =>
      ({ eventId: `${requestId}-${type}`, requestId, type, at: iso(at), outletId: 'gz-01', source: 'hq_stock', ...extra });

    beforeAll(async () => {
      // Operating: 00:00–02:00 reported every 20 s (two hours), off for three hours, 05:00–05:30 every minute (half an hour).
      const readings = [];
      for (let t = D; t <= D + 2 * HOUR; t += 20_000) readings.push({ at: iso(t), values: { s2: 641 } });
      for (let t = D + 5 * HOUR; t <= D + 5.5 * HOUR; t += MINUTE) readings.push({ at: iso(t), values: { s3: 1600 } });
      await h.ingest('telemetry', [{ deviceId: 'eng-2', readings }]);
      await h.ingest('service-orders', [
        order('o-1', 'created', D + HOUR),
        order('o-1', 'completed', D + 30 * HOUR, { laborCost: 100 }),
        order('o-2', 'created', D + 48 * HOUR),
        order('o-2', 'completed', D + 50 * HOUR, { laborCost: 50.5 }),
        order('o-3', 'created', D + 49 * HOUR),
        order('o-3', 'cancelled', D + 50 * HOUR, { laborCost: 999 }),
        order('o-4', 'created', Date.parse('2026-03-05T00:00:00Z'), { laborCost: 77 }),
      ]);
      await h.ingest('parts', [
        parts('PR-1', 'requested', D + 2 * HOUR, { partNo: 'P-100', quantity: 2, orderId: 'o-1' }),
        parts('PR-2', 'requested', D + 49 * HOUR, { partNo: 'P-200', quantity: 3, orderId: 'o-2', unitCost: 10 }),
        parts('PR-3', 'requested', D + 3 * HOUR, { partNo: 'P-100', quantity: 5, orderId: 'o-1' }),
        parts('PR-3', 'cancelled', D + 4 * HOUR, { partNo: 'P-100', quantity: 5 }),
      ]);
      const third = await h.app.inject({ method: 'PUT', url: '/api/v1/devices/eng-3', payload: { modelId: 'engine', outletId: 'gz-01' }, headers: bearer(h.adminKey) });
      expect(third.statusCode).toBe(200);
      await h.drained();
    });

    it('gives operating hours, labour and parts cost, cost per operating hour and MTBF by hand', async () => {
      const response = await get(`/api/v1/devices/eng-2/cost?from=${iso(D)}&to=2026-03-01T00:00:00Z`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual<DeviceCost>({
        deviceId: 'eng-2', from: iso(D), to: '2026-03-01T00:00:00.000Z',
        operatingHours: 2.5, orders: 2, laborCost: 150.5, partsCost: 2 * 120 + 3 * 10, totalCost: 420.5,
        costPerOperatingHour: 420.5 / 2.5, failures: 2, meanTimeBetweenFailuresHours: 1.25,
      });
    });

    it('gives null with a reason for a device without telemetry', async () => {
      const body = (await get(`/api/v1/devices/eng-3/cost?from=${iso(D)}&to=2026-03-01T00:00:00Z`)).json() as DeviceCost;
      expect(body.operatingHours).toBe(0);
      expect(body.costPerOperatingHour).toEqual({ value: null, reason: expect.stringMatching(/no operating time/) });
      expect(body.meanTimeBetweenFailuresHours).toEqual({ value: null, reason: expect.stringMatching(/no operating time/) });
    });
  });
});
