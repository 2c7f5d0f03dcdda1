// The service-load and complaint figures of the query API, held to the simulator's ground truth
// for a seeded run, and to hand-worked numbers for the edges in a non-UTC business time zone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPLAINT_CAUSES } from '@servicetower/domain';
import type { Backfill } from '@servicetower/simulator';
import { toCsv } from '../src/csv.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { differences } from './support/compare.js';
import { simulatedRun } from './support/simulated.js';

const ZONE = { BUSINESS_TIMEZONE: 'Asia/Shanghai' };
type Row = Record<string, unknown> & { bucket: string; group: string | null };

async function rowsOf(h: Harness, token: string, url: string): Promise<Row[]> {
  const response = await h.app.inject({ method: 'GET', url, headers: bearer(token) });
  if (response.statusCode !== 200) throw new Error(`GET ${url}: ${response.statusCode} ${response.body}`);
  return (response.json() as { rows: Row[] }).rows;
}

describe('service load and complaints against the ground truth of a seeded simulator run', () => {
  let h: Harness;
  let run: Backfill;
  let reader: string;
  let range: string;
  beforeAll(async () => {
    h = await startHarness({ workers: true, env: ZONE });
    run = await simulatedRun(h, { settings: { seed: 5, months: 2, outlets: 8, devicesPerModel: 1 } });
    reader = await h.key(['read']);
    const days = run.truth.rows.filter((row) => row.interval === 'day' && row.scope === 'network').map((row) => row.bucket);
    const after = new Date(Date.parse(`${days.at(-1)!}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    range = `from=${days[0]!}&to=${after}`;
  }, 300_000);
  afterAll(() => h?.close());

  const scopes = [
    { scope: 'network', groupBy: '' },
    { scope: 'region', groupBy: '&groupBy=region' },
    { scope: 'outlet', groupBy: '&groupBy=outlet' },
    { scope: 'productLine', groupBy: '&groupBy=productLine' },
  ] as const;

  for (const interval of ['month', 'day'] as const) {
    for (const { scope, groupBy } of scopes) {
      it(`gives every service-load figure by ${scope}, per ${interval}, as the truth does`, async () => {
        const rows = await rowsOf(h, reader, `/api/v1/kpi/service-load?${range}&interval=${interval}${groupBy}`);
        const truth = run.truth.rows.filter((row) => row.scope === scope && row.interval === interval);
        expect(rows.map((row) => `${row.bucket} ${row.group}`)).toEqual(
          [...truth].sort((a, b) => a.bucket.localeCompare(b.bucket) || String(a.scopeId).localeCompare(String(b.scopeId))).map((row) => `${row.bucket} ${row.scopeId}`),
        );
        const byKey = new Map(rows.map((row) => [`${row.bucket} ${row.group}`, row]));
        const wrong = truth.flatMap((t) => {
          const { ordersReceived, ordersCompleted, backlog, avgOrdersPerOutlet, ordersPerTechnician, turnaroundHours, firstTimeFixRate } = t;
          const expected = { bucket: t.bucket, group: t.scopeId, ordersReceived, ordersCompleted, backlog, avgOrdersPerOutlet, ordersPerTechnician, turnaroundHours, firstTimeFixRate };
          return differences(byKey.get(`${t.bucket} ${t.scopeId}`), expected, `${t.bucket} ${t.scopeId}`);
        });
        expect(wrong).toEqual([]);
        expect(truth.some((t) => t.ordersCompleted > 0 && typeof t.turnaroundHours === 'object' && 'mean' in t.turnaroundHours)).toBe(true);
      });

      it(`gives every complaint figure by ${scope}, per ${interval}, as the truth does`, async () => {
        const rows = await rowsOf(h, reader, `/api/v1/kpi/complaints?${range}&interval=${interval}${groupBy}`);
        const truth = run.truth.rows.filter((row) => row.scope === scope && row.interval === interval);
        expect(rows).toHaveLength(truth.length);
        const byKey = new Map(rows.map((row) => [`${row.bucket} ${row.group}`, row]));
        const wrong = truth.flatMap((t) =>
          differences(byKey.get(`${t.bucket} ${t.scopeId}`), {
            bucket: t.bucket,
            group: t.scopeId,
            complaints: t.complaints,
            ordersReceived: t.ordersReceived,
            ratePer100: t.complaintRatePer100,
            partsWaitComplaints: t.complaintsByCause.parts_wait ?? 0,
            partsWaitRatePer100: t.partsWaitRatePer100,
          }, `${t.bucket} ${t.scopeId}`),
        );
        expect(wrong).toEqual([]);
      });
    }

    it(`gives complaints by cause, per ${interval}, as the truth's counts by cause`, async () => {
      const rows = await rowsOf(h, reader, `/api/v1/kpi/complaints?${range}&interval=${interval}&groupBy=cause`);
      const truth = run.truth.rows.filter((row) => row.scope === 'network' && row.interval === interval);
      expect(rows).toHaveLength(truth.length * COMPLAINT_CAUSES.length);
      const byKey = new Map(rows.map((row) => [`${row.bucket} ${row.group}`, row]));
      const wrong = truth.flatMap((t) =>
        COMPLAINT_CAUSES.flatMap((cause) => {
          const count = t.complaintsByCause[cause] ?? 0;
          const row = byKey.get(`${t.bucket} ${cause}`);
          const rate = t.ordersReceived > 0 ? (count / t.ordersReceived) * 100 : { value: null, reason: 'no orders received' };
          return differences({ complaints: row?.complaints, ordersReceived: row?.ordersReceived, ratePer100: row?.ratePer100 },
            { complaints: count, ordersReceived: t.ordersReceived, ratePer100: rate }, `${t.bucket} ${cause}`);
        }),
      );
      expect(wrong).toEqual([]);
      expect(rows.some((row) => (row.complaints as number) > 0)).toBe(true);
    });
  }
});

describe('service load and complaints at the edges, in Asia/Shanghai', () => {
  let h: Harness;
  let reader: string;
  const months = 'from=2026-03-01&to=2026-06-01&interval=month';
  const order = (orderId: string, type: string, at: string, outletId = 'bj-01', productLine = 'tv') => ({
    eventId: `${orderId}-${type}-${at}`, orderId, type, at, outletId, productLine,
  });

  beforeAll(async () => {
    h = await startHarness({ workers: true, env: ZONE });
    await seedReference(h.app, h.adminKey);
    const west = await h.app.inject({ method: 'PUT', url: '/api/v1/regions/west', payload: { name: 'West' }, headers: bearer(h.adminKey) });
    expect(west.statusCode).toBe(200);
    await h.ingest('service-orders', [
      // o1: completed at 01:00 on 1 April local (17:00 UTC on 31 March), reopened within 30 days, completed again in May.
      order('o1', 'created', '2026-03-10T02:00:00Z'),
      order('o1', 'visit_started', '2026-03-11T02:00:00Z'),
      order('o1', 'completed', '2026-03-31T17:00:00Z'),
      order('o1', 'reopened', '2026-04-20T00:00:00Z'),
      order('o1', 'completed', '2026-05-02T00:00:00Z'),
      // o2: cancelled the next day, never in a backlog.
      order('o2', 'created', '2026-03-15T00:00:00Z'),
      order('o2', 'cancelled', '2026-03-16T00:00:00Z'),
      // o3: fixed at the first visit in a day.
      order('o3', 'created', '2026-04-02T00:00:00Z', 'gz-01', 'phone'),
      order('o3', 'visit_started', '2026-04-02T06:00:00Z', 'gz-01', 'phone'),
      order('o3', 'completed', '2026-04-03T00:00:00Z', 'gz-01', 'phone'),
      // o4: created at 01:00 on 1 April local, still open.
      order('o4', 'created', '2026-03-31T17:00:00Z', 'gz-01'),
    ]);
    await h.ingest('complaints', [
      { eventId: 'c1-a', complaintId: 'c1', at: '2026-03-31T17:00:00Z', outletId: 'bj-01', productLine: 'tv', cause: 'parts_wait' },
      { eventId: 'c1-b', complaintId: 'c1', at: '2026-03-31T17:00:00Z', outletId: 'bj-01', productLine: 'tv', cause: 'parts_wait' },
      { eventId: 'c2', complaintId: 'c2', at: '2026-04-10T00:00:00Z', outletId: 'gz-01', productLine: 'phone', cause: 'repair_quality' },
    ]);
    await h.drained();
    reader = await h.key(['read']);
  }, 120_000);
  afterAll(() => h?.close());

  it('counts in local months: a 17:00 UTC event on 31 March in April, cancelled and reopened orders in the backlog as they were', async () => {
    const rows = await rowsOf(h, reader, `/api/v1/kpi/service-load?${months}`);
    const noneCompleted = { value: null, reason: 'no orders completed' };
    expect(rows).toEqual([
      { bucket: '2026-03-01', group: null, ordersReceived: 2, ordersCompleted: 0, backlog: 1, avgOrdersPerOutlet: 1, ordersPerTechnician: 0.2,
        turnaroundHours: noneCompleted, firstTimeFixRate: noneCompleted },
      { bucket: '2026-04-01', group: null, ordersReceived: 2, ordersCompleted: 2, backlog: 2, avgOrdersPerOutlet: 1, ordersPerTechnician: 0.2,
        turnaroundHours: { mean: 271.5, p50: 271.5, p90: 469.5 }, firstTimeFixRate: 0.5 },
      { bucket: '2026-05-01', group: null, ordersReceived: 0, ordersCompleted: 1, backlog: 1, avgOrdersPerOutlet: 0, ordersPerTechnician: 0,
        turnaroundHours: { value: null, reason: 'only repeat completions of reopened orders' }, firstTimeFixRate: 0 },
    ]);
  });

  it('buckets local days and Monday weeks', async () => {
    const days = await rowsOf(h, reader, '/api/v1/kpi/service-load?from=2026-03-31&to=2026-04-02&interval=day');
    expect(days.map((row) => [row.bucket, row.ordersReceived, row.ordersCompleted, row.backlog])).toEqual([
      ['2026-03-31', 0, 0, 1],
      ['2026-04-01', 1, 1, 1],
    ]);
    const weeks = await rowsOf(h, reader, '/api/v1/kpi/service-load?from=2026-03-31&to=2026-04-08&interval=week');
    expect(weeks.map((row) => [row.bucket, row.ordersReceived, row.ordersCompleted])).toEqual([
      ['2026-03-30', 2, 2],
      ['2026-04-06', 0, 0],
    ]);
  });

  it('gives a scope without outlets a null with its reason, never NaN', async () => {
    const rows = await rowsOf(h, reader, `/api/v1/kpi/service-load?${months}&groupBy=region`);
    const west = rows.filter((row) => row.group === 'west');
    expect(west).toHaveLength(3);
    expect(west[0]).toMatchObject({
      ordersReceived: 0, backlog: 0,
      avgOrdersPerOutlet: { value: null, reason: 'no outlets in scope' },
      ordersPerTechnician: { value: null, reason: 'no technicians on staff in scope' },
    });
    expect(rows.find((row) => row.group === 'north' && row.bucket === '2026-04-01')).toMatchObject({ ordersCompleted: 1, backlog: 1, firstTimeFixRate: 0 });
  });

  it('counts a complaint once per complaintId in its local month, against the orders received there', async () => {
    const rows = await rowsOf(h, reader, `/api/v1/kpi/complaints?${months}`);
    expect(rows).toEqual([
      { bucket: '2026-03-01', group: null, complaints: 0, ordersReceived: 2, ratePer100: 0, partsWaitComplaints: 0, partsWaitRatePer100: 0 },
      { bucket: '2026-04-01', group: null, complaints: 2, ordersReceived: 2, ratePer100: 100, partsWaitComplaints: 1, partsWaitRatePer100: 50 },
      { bucket: '2026-05-01', group: null, complaints: 0, ordersReceived: 0, ratePer100: { value: null, reason: 'no orders received' },
        partsWaitComplaints: 0, partsWaitRatePer100: { value: null, reason: 'no orders received' } },
    ]);
    const byCause = await rowsOf(h, reader, `/api/v1/kpi/complaints?from=2026-04-01&to=2026-05-01&interval=month&groupBy=cause`);
    expect(byCause.find((row) => row.group === 'parts_wait')).toMatchObject({ complaints: 1, ordersReceived: 2, ratePer100: 50, partsWaitComplaints: 1 });
    expect(byCause.find((row) => row.group === 'repair_quality')).toMatchObject({ complaints: 1, partsWaitComplaints: 0 });
  });

  it('answers 401 without a key and 403 without the read scope', async () => {
    const url = `/api/v1/kpi/service-load?${months}`;
    expect((await h.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const writer = await h.key(['service-orders']);
    expect((await h.app.inject({ method: 'GET', url, headers: bearer(writer) })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/kpi/complaints?${months}`, headers: bearer(writer) })).statusCode).toBe(403);
  });

  it('shows a region-scoped key only its regions', async () => {
    const north = await h.key(['read'], ['north']);
    const byRegion = await rowsOf(h, north, `/api/v1/kpi/service-load?${months}&groupBy=region`);
    expect(new Set(byRegion.map((row) => row.group))).toEqual(new Set(['north']));
    const network = await rowsOf(h, north, `/api/v1/kpi/service-load?${months}`);
    expect(network.map((row) => row.ordersReceived)).toEqual([2, 0, 0]);
    const complaints = await rowsOf(h, north, `/api/v1/kpi/complaints?${months}&groupBy=outlet`);
    expect(new Set(complaints.map((row) => row.group))).toEqual(new Set(['bj-01']));
    expect(await rowsOf(h, north, `/api/v1/kpi/service-load?${months}&region=south`)).toEqual([]);
    expect(await rowsOf(h, north, `/api/v1/kpi/complaints?${months}&outlet=gz-01&groupBy=productLine`)).toEqual([]);
  });

  it('rejects a bad range with a 400 that names the parameter', async () => {
    const get = (query: string) => h.app.inject({ method: 'GET', url: `/api/v1/kpi/service-load?${query}`, headers: bearer(reader) });
    const cases = [
      ['from=2026-04-01&to=2026-03-01&interval=day', 'to'],
      ['from=2020-01-01&to=2024-01-02&interval=day', 'to'],
      ['from=2026-02-30&to=2026-03-01&interval=day', 'from'],
      ['from=2026-02-01&to=2026-03-01&interval=year', 'interval'],
      ['from=2026-02-01&to=2026-03-01&interval=day&groupBy=cause', 'groupBy'],
    ] as const;
    for (const [query, name] of cases) {
      const response = await get(query);
      expect(response.statusCode, query).toBe(400);
      expect((response.json() as { errors: Array<{ path: string }> }).errors.map((e) => e.path), query).toContain(`querystring/${name}`);
    }
  });

  it('answers CSV with Accept: text/csv, turnaround flattened and unavailable figures empty', async () => {
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/kpi/service-load?${months}`, headers: { ...bearer(reader), accept: 'text/csv' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.body.split('\r\n')).toEqual([
      'bucket,group,ordersReceived,ordersCompleted,backlog,avgOrdersPerOutlet,ordersPerTechnician,turnaroundHoursMean,turnaroundHoursP50,turnaroundHoursP90,firstTimeFixRate',
      '2026-03-01,,2,0,1,1,0.2,,,,',
      '2026-04-01,,2,2,2,1,0.2,271.5,271.5,469.5,0.5',
      '2026-05-01,,0,1,1,0,0,,,,0',
      '',
    ]);
    const complaints = await h.app.inject({ method: 'GET', url: `/api/v1/kpi/complaints?${months}`, headers: { ...bearer(reader), accept: 'text/csv' } });
    expect(complaints.body.split('\r\n')[0]).toBe('bucket,group,complaints,ordersReceived,ratePer100,partsWaitComplaints,partsWaitRatePer100');
  });

  it('escapes CSV cells a spreadsheet would run as formulas', () => {
    const csv = toCsv(['a', 'b', 'c', 'd', 'e', 'f'], [{ a: '=SUM(A1)', b: '+1', c: '-2', d: '@cmd', e: 'x,"y"', f: 'plain' }]);
    expect(csv).toBe(`a,b,c,d,e,f\r\n'=SUM(A1),'+1,'-2,'@cmd,"x,""y""",plain\r\n`);
    expect(toCsv(['delta', 'text'], [{ delta: -3, text: '-3' }])).toBe(`delta,text\r\n-3,'-3\r\n`);
  });
});

describe('local days across daylight-saving changes, in America/New_York', () => {
  let h: Harness;
  let reader: string;
  beforeAll(async () => {
    h = await startHarness({ workers: true, env: { BUSINESS_TIMEZONE: 'America/New_York' } });
    await seedReference(h.app, h.adminKey);
    const created = (orderId: string, at: string) => ({ eventId: `${orderId}-created`, orderId, type: 'created', at, outletId: 'bj-01', productLine: 'tv' });
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/v1/ingest/service-orders',
      headers: bearer(h.adminKey),
      payload: [
        created('a', '2026-03-08T04:59:00Z'), // 23:59 EST on 7 March
        created('b', '2026-03-08T05:00:00Z'), // midnight EST on 8 March, a 23-hour day
        created('c', '2026-03-09T03:59:00Z'), // 23:59 EDT on 8 March
        created('d', '2026-03-09T04:00:00Z'), // midnight EDT on 9 March
        created('e', '2026-11-02T04:30:00Z'), // 23:30 EST on 1 November, a 25-hour day
        created('f', '2026-11-02T05:00:00Z'), // midnight EST on 2 November
      ],
    });
    expect(response.statusCode, response.body).toBe(202);
    await h.drained();
    reader = await h.key(['read']);
  }, 120_000);
  afterAll(() => h?.close());

  it('counts each order in its local day, short and long days alike, and carries the backlog over', async () => {
    const spring = await rowsOf(h, reader, '/api/v1/kpi/service-load?from=2026-03-07&to=2026-03-10&interval=day');
    expect(spring.map((row) => [row.bucket, row.ordersReceived, row.backlog])).toEqual([
      ['2026-03-07', 1, 1],
      ['2026-03-08', 2, 3],
      ['2026-03-09', 1, 4],
    ]);
    const autumn = await rowsOf(h, reader, '/api/v1/kpi/service-load?from=2026-11-01&to=2026-11-03&interval=day');
    expect(autumn.map((row) => [row.bucket, row.ordersReceived, row.backlog])).toEqual([
      ['2026-11-01', 1, 5],
      ['2026-11-02', 1, 6],
    ]);
  });
});
