// The staffing recommendation, held to the domain forecast of the simulator's ground truth for a seeded
// run, and to hand-worked numbers for flags, empty scopes and local month boundaries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest, forecast, type Staffing } from '@servicetower/domain';
import type { Backfill } from '@servicetower/simulator';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { simulatedRun } from './support/simulated.js';

async function staffingOf(h: Harness, token: string, query: string): Promise<Staffing> {
  const response = await h.app.inject({ method: 'GET', url: `/api/v1/kpi/staffing?${query}`, headers: bearer(token) });
  if (response.statusCode !== 200) throw new Error(`GET staffing?${query}: ${response.statusCode} ${response.body}`);
  return response.json() as Staffing;
}

const close = (actual: unknown, expected: number) =>
  typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
const sum = (values: number[]) => values.reduce((total, n) => total + n, 0);

describe('staffing against the ground truth of a seeded simulator run', () => {
  let h: Harness;
  let run: Backfill;
  let reader: string;
  beforeAll(async () => {
    h = await startHarness({ workers: true, env: { BUSINESS_TIMEZONE: 'Asia/Shanghai' } });
    run = await simulatedRun(h, { settings: { seed: 11, months: 26, outlets: 8, devicesPerModel: 1, ordersPerOutletPerDay: 1 } });
    reader = await h.key(['read']);
  }, 300_000);
  afterAll(() => h?.close());

  it('forecasts each outlet from its monthly orders received, and sizes and flags it from the same numbers', async () => {
    // The run ends on 20 March 2026: the history is every month before March.
    const result = await staffingOf(h, reader, 'month=2026-03');
    const truth = run.truth.rows.filter((row) => row.scope === 'outlet' && row.interval === 'month' && row.bucket < '2026-03-01');
    const series = new Map(run.network.outlets.map((outlet) => [outlet.id, truth.filter((row) => row.scopeId === outlet.id)
      .sort((a, b) => a.bucket.localeCompare(b.bucket)).map((row) => row.ordersReceived)]));
    expect([...series.values()].every((s) => s.length === 26)).toBe(true);
    expect(result.history).toEqual({ from: '2024-01', to: '2026-03', months: 26, trailingMonths: 3 });
    expect(result.targetOrdersPerTechnician).toBe(60);

    const recent = (id: string) => sum(series.get(id)!.slice(-3)) / 3;
    const networkAvg = sum(run.network.outlets.map((outlet) => recent(outlet.id))) / run.network.outlets.length;
    expect(close(result.network.avgOrdersPerOutlet, networkAvg)).toBe(true);

    expect(result.outlets.map((row) => row.outletId).sort()).toEqual(run.network.outlets.map((outlet) => outlet.id).sort());
    for (const outlet of run.network.outlets) {
      const row = result.outlets.find((r) => r.outletId === outlet.id)!;
      const expected = forecast(series.get(outlet.id)!);
      expect(expected.method).toBe('holt-winters');
      const needed = Math.ceil(expected.value / 60 - 1e-9);
      expect(row, outlet.id).toMatchObject({ region: outlet.regionId, technicians: outlet.technicians, method: 'holt-winters', techniciansNeeded: needed, delta: needed - outlet.technicians });
      expect(close(row.forecastOrders, expected.value), `${outlet.id} ${JSON.stringify(row.forecastOrders)} ≠ ${expected.value}`).toBe(true);
      expect(close(row.recentOrdersPerMonth, recent(outlet.id))).toBe(true);
      expect(row.flag).toBe(recent(outlet.id) <= 0.5 * networkAvg ? 'consolidate' : null);
    }

    const regions = [...new Set(run.network.outlets.map((outlet) => outlet.regionId))].sort();
    expect(result.regions.filter((row) => row.outlets > 0).map((row) => row.region).sort()).toEqual(regions);
    for (const region of regions) {
      const own = run.network.outlets.filter((outlet) => outlet.regionId === region);
      const avg = sum(own.map((outlet) => recent(outlet.id))) / own.length;
      const row = result.regions.find((r) => r.region === region)!;
      expect(row.outlets).toBe(own.length);
      expect(close(row.avgOrdersPerOutlet, avg), region).toBe(true);
      expect(row.flag, region).toBe(avg >= 1.5 * networkAvg ? 'new_outlet' : null);
    }

    const errors = backtest([...series.values()], 12)!;
    expect(result.backtest).toMatchObject({ method: 'holt-winters', months: 12 });
    expect(close((result.backtest as { mae: number }).mae, errors.mae)).toBe(true);
    expect(close((result.backtest as { naiveWape: number }).naiveWape, errors.naiveWape!)).toBe(true);
  });

  it('narrows to a region and to an outlet, still comparing with the whole network', async () => {
    const all = await staffingOf(h, reader, 'month=2026-03');
    const outlet = run.network.outlets[0]!;
    const one = await staffingOf(h, reader, `month=2026-03&outlet=${outlet.id}`);
    expect(one.outlets).toEqual(all.outlets.filter((row) => row.outletId === outlet.id));
    expect(one.regions).toEqual(all.regions.filter((row) => row.region === outlet.regionId));
    expect(one.network).toEqual(all.network);
    const region = await staffingOf(h, reader, `month=2026-03&region=${outlet.regionId}`);
    expect(region.outlets).toEqual(all.outlets.filter((row) => row.region === outlet.regionId));
  });

  // Runs last in this block: it adds orders to the history.
  it('fits again when a late order lands in a past month, though the same history is answered from memory', async () => {
    const outlet = run.network.outlets[1]!;
    const before = await staffingOf(h, reader, 'month=2026-03');
    expect(await staffingOf(h, reader, 'month=2026-03')).toEqual(before);
    const late = Array.from({ length: 40 }, (_, i) => ({
      eventId: `late-${i}`, orderId: `late-${i}`, type: 'created', at: '2026-02-10T03:00:00Z', outletId: outlet.id, productLine: run.network.productLines[0]!.id,
    }));
    await h.ingest('service-orders', late);
    await h.drained();
    const after = await staffingOf(h, reader, 'month=2026-03');
    const row = (result: Staffing) => result.outlets.find((r) => r.outletId === outlet.id)!;
    expect(row(after).recentOrdersPerMonth).toBeCloseTo((row(before).recentOrdersPerMonth as number) + 40 / 3, 9);
    const truth = run.truth.rows.filter((r) => r.scope === 'outlet' && r.scopeId === outlet.id && r.interval === 'month' && r.bucket < '2026-03-01')
      .sort((a, b) => a.bucket.localeCompare(b.bucket)).map((r) => r.ordersReceived);
    truth[truth.length - 1]! += 40;
    expect(close(row(after).forecastOrders, forecast(truth).value)).toBe(true);
    expect(row(after).forecastOrders).not.toBe(row(before).forecastOrders);
    expect(after.backtest).not.toEqual(before.backtest);
  });
});

describe('staffing at the edges, in America/New_York', () => {
  let h: Harness;
  let reader: string;
  // Orders received per month, October 2025 to January 2026; February is asked for.
  const perMonth: Record<string, number> = { 'bj-01': 30, 'gz-01': 10, 'gz-02': 10, 'sh-01': 1, 'sh-02': 9 };

  beforeAll(async () => {
    h = await startHarness({ workers: true, env: { BUSINESS_TIMEZONE: 'America/New_York', TARGET_ORDERS_PER_TECHNICIAN: '10' } });
    await seedReference(h.app, h.adminKey);
    const put = async (url: string, payload: object) => {
      const response = await h.app.inject({ method: 'PUT', url: `/api/v1/${url}`, payload, headers: bearer(h.adminKey) });
      expect(response.statusCode, response.body).toBe(200);
    };
    await put('regions/east', { name: 'East' });
    await put('regions/west', { name: 'West' });
    await put('outlets/gz-02', { name: 'Guangzhou 2', regionId: 'south', technicians: 1, lat: 23.1, lon: 113.3 });
    await put('outlets/sh-01', { name: 'Shanghai 1', regionId: 'east', technicians: 3, lat: 31.2, lon: 121.5 });
    await put('outlets/sh-02', { name: 'Shanghai 2', regionId: 'east', technicians: 1, lat: 31.2, lon: 121.5 });
    const created = (orderId: string, at: string, outletId: string) => ({ eventId: `${orderId}-created`, orderId, type: 'created', at, outletId, productLine: 'tv' });
    const events = Object.entries(perMonth).flatMap(([outletId, n]) =>
      ['2025-10', '2025-11', '2025-12', '2026-01'].flatMap((month) =>
        Array.from({ length: n }, (_, i) => {
          // sh-01's January order is at 23:30 on 31 January in New York, 04:30 on 1 February in UTC.
          const at = outletId === 'sh-01' && month === '2026-01' ? '2026-01-31T23:30:00-05:00' : `${month}-${String(2 + (i % 20)).padStart(2, '0')}T${10 + Math.floor(i / 20)}:00:00-05:00`;
          return created(`${outletId}-${month}-${i}`, at, outletId);
        })));
    // 00:30 on 1 February in New York: February, not in the history of a February forecast.
    events.push(created('sh-01-feb', '2026-02-01T00:30:00-05:00', 'sh-01'));
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/service-orders', payload: events, headers: bearer(h.adminKey) });
    expect(response.statusCode, response.body).toBe(202);
    expect((response.json() as { rejectedCount: number }).rejectedCount).toBe(0);
    await h.drained();
    reader = await h.key(['read']);
  }, 120_000);
  afterAll(() => h?.close());

  it('flags a region far above the network average for a new outlet and an outlet far below for consolidation', async () => {
    const result = await staffingOf(h, reader, 'month=2026-02');
    expect(result.history).toEqual({ from: '2025-10', to: '2026-02', months: 4, trailingMonths: 3 });
    expect(result.network).toEqual({ outlets: 5, recentOrdersPerMonth: 60, avgOrdersPerOutlet: 12 });
    expect(result.regions).toEqual([
      { region: 'east', outlets: 2, technicians: 4, recentOrdersPerMonth: 10, avgOrdersPerOutlet: 5, ratioToNetwork: 5 / 12, flag: null },
      { region: 'north', outlets: 1, technicians: 6, recentOrdersPerMonth: 30, avgOrdersPerOutlet: 30, ratioToNetwork: 2.5, flag: 'new_outlet' },
      { region: 'south', outlets: 2, technicians: 5, recentOrdersPerMonth: 20, avgOrdersPerOutlet: 10, ratioToNetwork: 10 / 12, flag: null },
      { region: 'west', outlets: 0, technicians: 0, recentOrdersPerMonth: 0,
        avgOrdersPerOutlet: { value: null, reason: 'no outlets in the region' }, ratioToNetwork: { value: null, reason: 'no outlets in the region' }, flag: null },
    ]);
    const byId = new Map(result.outlets.map((row) => [row.outletId, row]));
    // A constant history forecasts itself; 10 orders per technician.
    expect(byId.get('bj-01')).toMatchObject({ method: 'holt', forecastOrders: 30, techniciansNeeded: 3, delta: -3, ratioToNetwork: 2.5, flag: null });
    expect(byId.get('gz-02')).toMatchObject({ forecastOrders: 10, techniciansNeeded: 1, delta: 0, flag: null });
    expect(byId.get('sh-01')).toMatchObject({ forecastOrders: 1, techniciansNeeded: 1, delta: -2, recentOrdersPerMonth: 1, ratioToNetwork: 1 / 12, flag: 'consolidate' });
    expect(byId.get('sh-02')).toMatchObject({ recentOrdersPerMonth: 9, ratioToNetwork: 0.75, flag: null });
    // Every outlet's history is constant: January is forecast from October to December without error (up to rounding).
    expect(result.backtest).toMatchObject({ method: 'holt', months: 1, naiveMae: 0, naiveWape: 0 });
    const { mae, wape } = result.backtest as { mae: number; wape: number };
    expect([mae, wape].every((error) => Math.abs(error) < 1e-12)).toBe(true);
  });

  it('counts an order at 23:30 local on the last day of a month in that month, and one at 00:30 on the 1st in the next', async () => {
    const march = await staffingOf(h, reader, 'month=2026-03&outlet=sh-01');
    // October to January 1 order each, February 1: still constant.
    expect(march.history).toMatchObject({ from: '2025-10', months: 5 });
    expect(march.outlets[0]).toMatchObject({ outletId: 'sh-01', forecastOrders: 1, recentOrdersPerMonth: 1 });
    const feb = await staffingOf(h, reader, 'month=2026-02&outlet=sh-01');
    expect(feb.outlets[0]).toMatchObject({ recentOrdersPerMonth: 1 });
  });

  it('gives an empty scope and a month without history nulls with their reasons', async () => {
    const west = await staffingOf(h, reader, 'month=2026-02&region=west');
    expect(west.outlets).toEqual([]);
    expect(west.regions).toMatchObject([{ region: 'west', outlets: 0, avgOrdersPerOutlet: { value: null, reason: 'no outlets in the region' } }]);
    expect(west.backtest).toEqual({ value: null, reason: 'no outlets in scope' });

    const early = await staffingOf(h, reader, 'month=2025-06');
    const none = { value: null, reason: 'no orders received before 2025-06' };
    expect(early.history).toEqual({ from: null, to: '2025-06', months: 0, trailingMonths: 0 });
    expect(early.network.avgOrdersPerOutlet).toEqual(none);
    expect(early.outlets.find((row) => row.outletId === 'bj-01')).toEqual({
      outletId: 'bj-01', region: 'north', technicians: 6, method: null, forecastOrders: none, techniciansNeeded: none, delta: none,
      recentOrdersPerMonth: none, ratioToNetwork: none, flag: null,
    });
    expect(early.regions.every((row) => row.flag === null && row.avgOrdersPerOutlet !== null && typeof row.avgOrdersPerOutlet === 'object')).toBe(true);
    expect(early.backtest).toMatchObject({ value: null });
  });

  it('shows a region-scoped key only its regions, compared with what it may see', async () => {
    const south = await h.key(['read'], ['south']);
    const result = await staffingOf(h, south, 'month=2026-02');
    expect(result.outlets.map((row) => row.outletId)).toEqual(['gz-01', 'gz-02']);
    expect(result.regions.map((row) => row.region)).toEqual(['south']);
    expect(result.network).toEqual({ outlets: 2, recentOrdersPerMonth: 20, avgOrdersPerOutlet: 10 });
    expect((await staffingOf(h, south, 'month=2026-02&region=north')).outlets).toEqual([]);
  });

  it('rejects a bad month with a 400 naming it, and answers 401 without a key', async () => {
    for (const month of ['2026-13', '2026-3', 'march', '2026-00', '0000-01']) {
      const response = await h.app.inject({ method: 'GET', url: `/api/v1/kpi/staffing?month=${month}`, headers: bearer(reader) });
      expect(response.statusCode, month).toBe(400);
      const body = response.json() as { message: string; errors: Array<{ path: string }> };
      expect(body.errors.map((e) => e.path)).toContain('querystring/month');
      expect(body.message).toContain('YYYY-MM');
    }
    const far = await h.app.inject({ method: 'GET', url: '/api/v1/kpi/staffing?month=2099-01', headers: bearer(reader) });
    expect(far.statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/kpi/staffing?month=2026-02' })).statusCode).toBe(401);
  });

  it('answers the current month by default', async () => {
    const result = await staffingOf(h, reader, '');
    const current = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    expect(result.month).toBe(current);
    expect(result.history.to).toBe(current);
  });

  it('answers the outlet rows as CSV with Accept: text/csv', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/api/v1/kpi/staffing?month=2026-02&region=north', headers: { ...bearer(reader), accept: 'text/csv' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.body.split('\r\n')).toEqual([
      'outletId,region,technicians,method,forecastOrders,techniciansNeeded,delta,recentOrdersPerMonth,ratioToNetwork,flag',
      "bj-01,north,6,holt,30,3,-3,30,2.5,",
      '',
    ]);
  });
});
