// The parts figures of the query API (supply cycle, open requests, orders waiting for parts), held to the
// simulator's ground truth for a seeded run through the real API and workers, in Asia/Shanghai.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARTS_SOURCES } from '@servicetower/domain';
import type { Backfill, SimulationSettings } from '@servicetower/simulator';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { differences } from './support/compare.js';
import { simulatedRun } from './support/simulated.js';

const ZONE = { BUSINESS_TIMEZONE: 'Asia/Shanghai' };
type Row = Record<string, unknown> & { bucket: string; group: string | null };

async function get(h: Harness, token: string, url: string): Promise<{ rows: Row[]; at?: string }> {
  const response = await h.app.inject({ method: 'GET', url, headers: bearer(token) });
  if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode} ${response.body}`);
  return response.json() as { rows: Row[]; at?: string };
}

describe('parts figures against the ground truth of a seeded simulator run', () => {
  let h: Harness;
  let run: Backfill;
  let settings: SimulationSettings;
  let reader: string;
  let range: string;
  beforeAll(async () => {
    h = await startHarness({ workers: true, env: ZONE });
    const simulated = await simulatedRun(h, { settings: { seed: 11, months: 2, outlets: 8, devicesPerModel: 1 } });
    run = simulated;
    settings = simulated.settings;
    reader = await h.key(['read']);
    const days = run.truth.rows.filter((row) => row.interval === 'day' && row.scope === 'network').map((row) => row.bucket);
    const after = new Date(Date.parse(`${days.at(-1)!}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    range = `from=${days[0]!}&to=${after}`;
  }, 300_000);
  afterAll(() => h?.close());

  /** The API's supply-cycle row as the truth would give it for one source: the whole figure unavailable without requests. */
  const asTruth = (row: Row | undefined) =>
    row && (row.requests === 0
      ? { value: null, reason: 'no requests received' }
      : { requests: row.requests, meanDays: row.meanDays, p50Days: row.p50Days, p90Days: row.p90Days, targetDays: row.targetDays, withinTargetShare: row.withinTargetShare });
  const truthOf = (figure: unknown) =>
    typeof figure === 'object' && figure !== null && 'reason' in figure ? { value: null, reason: 'no requests received' } : figure;

  for (const interval of ['month', 'day'] as const) {
    for (const [scope, groupBy] of [['network', ''], ['region', '&groupBy=region'], ['outlet', '&groupBy=outlet']] as const) {
      it(`gives the supply cycle of each source by ${scope}, per ${interval}, as the truth does`, async () => {
        const truth = run.truth.rows.filter((row) => row.scope === scope && row.interval === interval);
        let received = 0;
        for (const source of PARTS_SOURCES) {
          const { rows } = await get(h, reader, `/api/v1/kpi/parts/supply-cycle?${range}&interval=${interval}${groupBy}&source=${source}`);
          expect(rows).toHaveLength(truth.length);
          const byKey = new Map(rows.map((row) => [`${row.bucket} ${row.group}`, row]));
          const wrong = truth.flatMap((t) => {
            const cycles = t.supplyCycle as Record<string, unknown>;
            return differences(asTruth(byKey.get(`${t.bucket} ${t.scopeId}`)), truthOf(cycles[source]), `${source} ${t.bucket} ${t.scopeId}`);
          });
          expect(wrong).toEqual([]);
          received += rows.reduce((sum, row) => sum + (row.requests as number), 0);
        }
        expect(received).toBeGreaterThan(0);
      });
    }

    it(`gives the supply cycle grouped by source, per ${interval}, as the network truth per source`, async () => {
      const { rows } = await get(h, reader, `/api/v1/kpi/parts/supply-cycle?${range}&interval=${interval}&groupBy=source`);
      const truth = run.truth.rows.filter((row) => row.scope === 'network' && row.interval === interval);
      expect(rows).toHaveLength(truth.length * PARTS_SOURCES.length);
      const byKey = new Map(rows.map((row) => [`${row.bucket} ${row.group}`, row]));
      const wrong = truth.flatMap((t) =>
        PARTS_SOURCES.flatMap((source) => {
          const row = byKey.get(`${t.bucket} ${source}`);
          expect(row?.targetDays).toBe({ hq_stock: 7, hq_procured: 4 }[source]); // the default settings
          return differences(asTruth(row), truthOf((t.supplyCycle as Record<string, unknown>)[source]), `${t.bucket} ${source}`);
        }),
      );
      expect(wrong).toEqual([]);
    });
  }

  for (const interval of ['month', 'day'] as const) {
    for (const [scope, groupBy] of [['network', ''], ['region', '&groupBy=region'], ['outlet', '&groupBy=outlet'], ['productLine', '&groupBy=productLine']] as const) {
      it(`links waiting for parts to complaints by ${scope}, per ${interval}, as the truth does`, async () => {
        const { rows } = await get(h, reader, `/api/v1/kpi/parts/wait-complaints?${range}&interval=${interval}${groupBy}`);
        const truth = run.truth.rows.filter((row) => row.scope === scope && row.interval === interval);
        expect(rows).toHaveLength(truth.length);
        const byKey = new Map(rows.map((row) => [`${row.bucket} ${row.group}`, row]));
        const meanOf = (cycles: unknown, source: string) => {
          if (typeof cycles === 'object' && cycles !== null && 'reason' in cycles) return cycles;
          const cycle = (cycles as Record<string, { meanDays?: number; reason?: string }>)[source]!;
          return cycle.meanDays ?? { value: null, reason: `no ${source} requests received` };
        };
        const wrong = truth.flatMap((t) =>
          differences(byKey.get(`${t.bucket} ${t.scopeId}`), {
            bucket: t.bucket,
            group: t.scopeId,
            ...t.partsWaitLink,
            partsWaitRatePer100: t.partsWaitRatePer100,
            supplyCycleMeanDays: { hq_stock: meanOf(t.supplyCycle, 'hq_stock'), hq_procured: meanOf(t.supplyCycle, 'hq_procured') },
          }, `${t.bucket} ${t.scopeId}`),
        );
        expect(wrong).toEqual([]);
        expect(rows.reduce((sum, row) => sum + (row.complaintsWaited as number), 0)).toBeGreaterThan(0);
      });
    }
  }

  it('gives the parts-wait link as CSV, and a scope with no orders as figures with their reasons', async () => {
    const csv = await h.app.inject({ method: 'GET', url: `/api/v1/kpi/parts/wait-complaints?${range}&interval=month`, headers: { ...bearer(reader), accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n')[0]).toBe('bucket,group,ordersWaited,ordersNotWaited,complaintsWaited,complaintsNotWaited,complaintRateWaitedPer100,' +
      'complaintRateNotWaitedPer100,partsWaitRatePer100,supplyCycleMeanDaysHq_stock,supplyCycleMeanDaysHq_procured');
    const { rows } = await get(h, reader, '/api/v1/kpi/parts/wait-complaints?from=2020-01-01&to=2020-02-01&interval=month');
    expect(rows).toEqual([{
      bucket: '2020-01-01', group: null, ordersWaited: 0, ordersNotWaited: 0, complaintsWaited: 0, complaintsNotWaited: 0,
      complaintRateWaitedPer100: { value: null, reason: 'no orders received that waited for parts' },
      complaintRateNotWaitedPer100: { value: null, reason: 'no orders received that did not wait for parts' },
      partsWaitRatePer100: { value: null, reason: 'no orders received' },
      supplyCycleMeanDays: { hq_stock: { value: null, reason: 'no hq_stock requests received' }, hq_procured: { value: null, reason: 'no hq_procured requests received' } },
    }]);
  });

  it('counts every request once across the network, by part and without a source, and gives a mixed-source row no single target', async () => {
    const month = `${range}&interval=month`;
    const network = (await get(h, reader, `/api/v1/kpi/parts/supply-cycle?${month}`)).rows;
    const byPart = (await get(h, reader, `/api/v1/kpi/parts/supply-cycle?${month}&groupBy=part`)).rows;
    for (const row of network) {
      const parts = byPart.filter((p) => p.bucket === row.bucket);
      expect(parts.reduce((sum, p) => sum + (p.requests as number), 0)).toBe(row.requests);
      const within = parts.reduce((sum, p) => sum + (p.requests as number) * (typeof p.withinTargetShare === 'number' ? p.withinTargetShare : 0), 0);
      expect(within / (row.requests as number)).toBeCloseTo(row.withinTargetShare as number, 9);
      expect(parts.every((p) => typeof p.targetDays === 'number')).toBe(true);
    }
    expect(network.some((row) => typeof row.targetDays === 'object' && /both sources/.test(String((row.targetDays as { reason: string }).reason)))).toBe(true);
  });

  it('lists the parts requests open at the run end, with their ages, as the truth does', async () => {
    const at = new Date(settings.end).toISOString();
    const response = await get(h, reader, `/api/v1/kpi/parts/open-requests?at=${encodeURIComponent(at)}&limit=10000`);
    expect(response.at).toBe(at);
    expect(run.truth.atEnd.openPartsRequests.length).toBeGreaterThan(0);
    expect(response.rows.map((row) => row.requestId)).toEqual(run.truth.atEnd.openPartsRequests.map((row) => row.requestId));
    expect(differences(response.rows, run.truth.atEnd.openPartsRequests, 'open')).toEqual([]);
    const firstTwo = await get(h, reader, `/api/v1/kpi/parts/open-requests?at=${encodeURIComponent(at)}&limit=2`);
    expect(firstTwo.rows.map((row) => row.requestId)).toEqual(run.truth.atEnd.openPartsRequests.slice(0, 2).map((row) => row.requestId));
  });

  it('lists the orders waiting for parts at the run end, with days waited, as the truth does', async () => {
    const at = new Date(settings.end).toISOString();
    const { rows } = await get(h, reader, `/api/v1/kpi/orders/waiting-parts?at=${encodeURIComponent(at)}&limit=10000`);
    const truth = run.truth.atEnd.ordersWaitingForParts.map(({ orderId, outletId, since, daysWaiting }) => ({ orderId, outletId, since, daysWaiting }));
    expect(truth.length).toBeGreaterThan(0);
    expect(differences(rows, truth, 'waiting')).toEqual([]);
  });

  it('shows a region-scoped key only its regions', async () => {
    const region = run.truth.rows.find((row) => row.scope === 'region')!.scopeId!;
    const scoped = await h.key(['read'], [region]);
    const month = `${range}&interval=month`;
    const byRegion = (await get(h, scoped, `/api/v1/kpi/parts/supply-cycle?${month}&groupBy=region&source=hq_stock`)).rows;
    expect(new Set(byRegion.map((row) => row.group))).toEqual(new Set([region]));
    const network = (await get(h, scoped, `/api/v1/kpi/parts/supply-cycle?${month}&source=hq_stock`)).rows;
    const truth = run.truth.rows.filter((row) => row.scope === 'region' && row.scopeId === region && row.interval === 'month');
    expect(differences(network.map(asTruth), truth.map((t) => truthOf((t.supplyCycle as Record<string, unknown>).hq_stock)), region)).toEqual([]);
    const other = run.truth.rows.find((row) => row.scope === 'region' && row.scopeId !== region)!.scopeId!;
    expect((await get(h, scoped, `/api/v1/kpi/parts/supply-cycle?${month}&region=${other}`)).rows).toEqual([]);

    const at = encodeURIComponent(new Date(settings.end).toISOString());
    const outlets = new Set(run.truth.rows.filter((row) => row.scope === 'outlet').map((row) => row.scopeId));
    const regionOf = new Map(run.network.outlets.map((o) => [o.id, o.regionId]));
    expect(outlets.size).toBeGreaterThan(1);
    const open = (await get(h, scoped, `/api/v1/kpi/parts/open-requests?at=${at}&limit=10000`)).rows;
    expect(open.map((row) => row.requestId)).toEqual(
      run.truth.atEnd.openPartsRequests.filter((row) => regionOf.get(row.outletId) === region).map((row) => row.requestId));
    const waiting = (await get(h, scoped, `/api/v1/kpi/orders/waiting-parts?at=${at}&limit=10000`)).rows;
    expect(waiting.map((row) => row.orderId)).toEqual(
      run.truth.atEnd.ordersWaitingForParts.filter((row) => regionOf.get(row.outletId) === region).map((row) => row.orderId));
    expect((await get(h, scoped, `/api/v1/kpi/orders/waiting-parts?at=${at}&region=${other}`)).rows).toEqual([]);
  });

  it('gives the overview tiles of a full month as the truth does, the lists counted at its end', async () => {
    // The run's second month is whole: the first may start late, the last ends at the run's end.
    const months = run.truth.rows.filter((row) => row.scope === 'network' && row.interval === 'month');
    const t = months[1]!;
    const next = months[2]!.bucket;
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/kpi/overview?from=${t.bucket}&to=${next}`, headers: bearer(reader) });
    expect(response.statusCode, response.body).toBe(200);
    const tiles = response.json() as Record<string, unknown> & { supplyCycleMeanDays: Record<string, number> };
    const cycles = t.supplyCycle as Record<string, { meanDays: number }>;
    expect(differences({ ...tiles, supplyCycleMeanDays: null }, {
      from: t.bucket, to: next, ordersReceived: t.ordersReceived, backlog: t.backlog, complaintRatePer100: t.complaintRatePer100,
      partsWaitRatePer100: t.partsWaitRatePer100, supplyCycleMeanDays: null,
      openPartsRequests: tiles.openPartsRequests, ordersWaitingForParts: tiles.ordersWaitingForParts,
    }, 'overview')).toEqual([]);
    for (const source of PARTS_SOURCES) expect(tiles.supplyCycleMeanDays[source]).toBeCloseTo(cycles[source]!.meanDays, 9);
    const at = encodeURIComponent(new Date(`${next}T00:00:00+08:00`).toISOString());
    expect(tiles.openPartsRequests).toBe((await get(h, reader, `/api/v1/kpi/parts/open-requests?at=${at}&limit=10000`)).rows.length);
    expect(tiles.ordersWaitingForParts).toBe((await get(h, reader, `/api/v1/kpi/orders/waiting-parts?at=${at}&limit=10000`)).rows.length);
    expect(tiles.openPartsRequests).toBeGreaterThan(0);

    const byDefault = await h.app.inject({ method: 'GET', url: '/api/v1/kpi/overview', headers: bearer(reader) });
    const [year, monthNo] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).split('-').map(Number) as [number, number];
    expect(byDefault.json()).toMatchObject({
      from: new Date(Date.UTC(year, monthNo - 2, 1)).toISOString().slice(0, 10), to: new Date(Date.UTC(year, monthNo - 1, 1)).toISOString().slice(0, 10),
    });
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/kpi/overview?from=${t.bucket}`, headers: bearer(reader) })).statusCode).toBe(400);
  });

  it('gives the overview tiles of a period that is not whole months from the days in it', async () => {
    const days = run.truth.rows.filter((row) => row.scope === 'network' && row.interval === 'day');
    const inside = days.slice(40, 50);
    const [from, to] = [inside[0]!.bucket, days[50]!.bucket];
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/kpi/overview?from=${from}&to=${to}`, headers: bearer(reader) });
    expect(response.statusCode, response.body).toBe(200);
    const received = inside.reduce((sum, row) => sum + (row.ordersReceived as number), 0);
    expect(received).toBeGreaterThan(0);
    expect(response.json()).toMatchObject({ from, to, ordersReceived: received, backlog: inside.at(-1)!.backlog });
  });

  it('answers 401 without a key and 403 without the read scope', async () => {
    const writer = await h.key(['parts']);
    const urls = [`/api/v1/kpi/parts/supply-cycle?${range}&interval=month`, '/api/v1/kpi/parts/open-requests', '/api/v1/kpi/orders/waiting-parts', '/api/v1/kpi/overview'];
    for (const url of urls) {
      expect((await h.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
      expect((await h.app.inject({ method: 'GET', url, headers: bearer(writer) })).statusCode, url).toBe(403);
    }
  });

  it('refuses a productLine filter on the supply cycle with a 400 saying parts carry none, and a bad at', async () => {
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/kpi/parts/supply-cycle?${range}&interval=month&productLine=tv`, headers: bearer(reader) });
    expect(response.statusCode).toBe(400);
    const body = response.json() as { message: string; errors: Array<{ path: string }> };
    expect(body.message).toMatch(/no product line/);
    expect(body.errors.map((e) => e.path)).toContain('querystring/productLine');
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/kpi/parts/open-requests?at=yesterday', headers: bearer(reader) });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { errors: Array<{ path: string }> }).errors.map((e) => e.path)).toContain('querystring/at');
  });

  it('answers CSV with Accept: text/csv', async () => {
    const response = await h.app.inject({
      method: 'GET', url: `/api/v1/kpi/parts/supply-cycle?${range}&interval=month&groupBy=source`, headers: { ...bearer(reader), accept: 'text/csv' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.body.split('\r\n')[0]).toBe('bucket,group,requests,meanDays,p50Days,p90Days,targetDays,withinTargetShare');
    const open = await h.app.inject({ method: 'GET', url: '/api/v1/kpi/parts/open-requests', headers: { ...bearer(reader), accept: 'text/csv' } });
    expect(open.body.split('\r\n')[0]).toBe('requestId,outletId,partNo,source,requestedAt,ageDays');
  });
});

describe('parts figures at the edges, in Asia/Shanghai', () => {
  let h: Harness;
  let reader: string;
  const request = (requestId: string, type: string, at: string, partNo: string, source = 'hq_stock') => ({
    eventId: `${requestId}-${type}`, requestId, type, at, outletId: 'bj-01', partNo, quantity: 1, source,
  });
  const order = (orderId: string, type: string, at: string) => ({ eventId: `${orderId}-${type}-${at}`, orderId, type, at, outletId: 'gz-01', productLine: 'tv' });

  beforeAll(async () => {
    h = await startHarness({ workers: true, env: ZONE });
    await seedReference(h.app, h.adminKey);
    const part = await h.app.inject({
      method: 'PUT', url: '/api/v1/parts/P-300', payload: { name: 'Hinge', source: 'hq_stock', unitCost: 3, targetDays: 2 }, headers: bearer(h.adminKey),
    });
    expect(part.statusCode, part.body).toBe(200);
    await h.ingest('parts', [
      // Three days each: within P-100's source target of 7, past P-300's own target of 2.
      request('r1', 'requested', '2026-04-01T00:00:00Z', 'P-100'),
      request('r1', 'received', '2026-04-04T00:00:00Z', 'P-100'),
      request('r2', 'requested', '2026-04-01T00:00:00Z', 'P-300'),
      request('r2', 'received', '2026-04-04T00:00:00Z', 'P-300'),
      // Received at 01:00 on 1 May local: a May receipt, 5 days against a target of 4.
      request('r3', 'requested', '2026-04-25T17:00:00Z', 'P-200', 'hq_procured'),
      request('r3', 'received', '2026-04-30T17:00:00Z', 'P-200', 'hq_procured'),
      request('r4', 'requested', '2026-04-10T00:00:00Z', 'P-100'),
      request('r4', 'cancelled', '2026-04-12T00:00:00Z', 'P-100'),
    ]);
    await h.ingest('service-orders', [
      order('o1', 'created', '2026-04-01T00:00:00Z'),
      order('o1', 'parts_requested', '2026-04-02T00:00:00Z'),
      order('o1', 'parts_received', '2026-04-05T00:00:00Z'),
      order('o1', 'parts_requested', '2026-04-06T00:00:00Z'),
      order('o1', 'parts_requested', '2026-04-07T00:00:00Z'),
      order('o1', 'completed', '2026-04-20T00:00:00Z'),
    ]);
    await h.drained();
    reader = await h.key(['read']);
  }, 120_000);
  afterAll(() => h?.close());

  it('holds each request to its part’s own target, else its source’s, in the local month of its receipt', async () => {
    const { rows } = await get(h, reader, '/api/v1/kpi/parts/supply-cycle?from=2026-04-01&to=2026-06-01&interval=month&groupBy=part');
    expect(rows).toHaveLength(6);
    expect(rows.find((row) => row.bucket === '2026-05-01' && row.group === 'P-300')).toMatchObject({ requests: 0, targetDays: 2, meanDays: { value: null } });
    const received = rows.filter((row) => row.requests !== 0);
    expect(received.map((row) => [row.bucket, row.group, row.requests, row.meanDays, row.targetDays, row.withinTargetShare])).toEqual([
      ['2026-04-01', 'P-100', 1, 3, 7, 1],
      ['2026-04-01', 'P-300', 1, 3, 2, 0],
      ['2026-05-01', 'P-200', 1, 5, 4, 0],
    ]);
    const network = (await get(h, reader, '/api/v1/kpi/parts/supply-cycle?from=2026-04-01&to=2026-06-01&interval=month')).rows;
    expect(network.map((row) => [row.requests, row.targetDays, row.withinTargetShare])).toEqual([[2, 7, 0.5], [1, 4, 0]]);
  });

  it('lists requests and orders as they stood at a moment, a cancelled request and a receipt undoing the wait', async () => {
    const open = async (at: string) => (await get(h, reader, `/api/v1/kpi/parts/open-requests?at=${at}`)).rows.map((row) => [row.requestId, row.ageDays]);
    expect(await open('2026-04-11T00:00:00Z')).toEqual([['r4', 1]]);
    expect(await open('2026-04-12T00:00:00Z')).toEqual([['r4', 2]]); // an event at `at` has not happened yet
    expect(await open('2026-04-12T00:00:01Z')).toEqual([]);
    expect(await open('2026-04-27T17:00:00Z')).toEqual([['r3', 2]]);
    const waiting = async (at: string) => (await get(h, reader, `/api/v1/kpi/orders/waiting-parts?at=${at}`)).rows.map((row) => [row.orderId, row.since, row.daysWaiting]);
    expect(await waiting('2026-04-03T00:00:00Z')).toEqual([['o1', '2026-04-02T00:00:00.000Z', 1]]);
    expect(await waiting('2026-04-05T12:00:00Z')).toEqual([]);
    expect(await waiting('2026-04-08T00:00:00Z')).toEqual([['o1', '2026-04-06T00:00:00.000Z', 2]]);
    expect(await waiting('2026-04-21T00:00:00Z')).toEqual([]);
  });
});
