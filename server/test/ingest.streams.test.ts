import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedReference(h.app, h.adminKey);
});
afterAll(() => h?.close());

/** Per stream: valid records, invalid ones with the error each must get, and how to count what is stored. */
const cases = [
  {
    stream: 'service-orders',
    valid: (n: string) => [
      { eventId: `so-${n}-1`, orderId: `o-${n}`, type: 'created', at: '2026-05-01T09:00:00+08:00', outletId: 'bj-01', productLine: 'tv' },
      { eventId: `so-${n}-2`, orderId: `o-${n}`, type: 'assigned', at: '2026-05-01T10:00:00+08:00', outletId: 'bj-01', productLine: 'tv', technicianId: 't-7' },
    ],
    invalid: [
      { record: { eventId: 'x1', orderId: 'o', type: 'fixed', at: '2026-05-01T09:00:00Z', outletId: 'bj-01', productLine: 'tv' }, path: '/type', message: /must be one of created, assigned/ },
      { record: { eventId: 'x2', orderId: 'o', type: 'created', at: '2026-02-30T09:00:00Z', outletId: 'bj-01', productLine: 'tv' }, path: '/at', message: /ISO-8601|offset/ },
      { record: { eventId: 'x3', orderId: 'o', type: 'created', at: '2026-05-01T09:00:00Z', outletId: 'nowhere', productLine: 'tv' }, path: '/outletId', message: /unknown outlet "nowhere"/ },
      { record: { eventId: 'x4', orderId: 'o', type: 'created', at: '2026-05-01T09:00:00', outletId: 'bj-01', productLine: 'tv' }, path: '/at', message: /./ },
    ],
    stored: (prefix: string) => h.count(`SELECT 1 FROM service_order_event WHERE event_id LIKE $1`, [`${prefix}%`]),
  },
  {
    stream: 'parts',
    valid: (n: string) => [
      { eventId: `pe-${n}-1`, requestId: `r-${n}`, type: 'requested', at: '2026-05-01T09:00:00Z', outletId: 'bj-01', partNo: 'P-100', quantity: 2, source: 'hq_stock' },
      { eventId: `pe-${n}-2`, requestId: `r-${n}`, type: 'received', at: '2026-05-08T09:00:00Z', outletId: 'bj-01', partNo: 'P-100', quantity: 2, source: 'hq_stock' },
    ],
    invalid: [
      { record: { eventId: 'y1', requestId: 'r', type: 'requested', at: '2026-05-01T09:00:00Z', outletId: 'bj-01', partNo: 'P-100', quantity: 0, source: 'hq_stock' }, path: '/quantity', message: /at least 1/ },
      { record: { eventId: 'y2', requestId: 'r', type: 'requested', at: '2026-05-01T09:00:00Z', outletId: 'bj-01', partNo: 'P-999', quantity: 1, source: 'hq_stock' }, path: '/partNo', message: /unknown part "P-999"/ },
      { record: { eventId: 'y3', requestId: 'r', type: 'requested', at: '2026-05-01T09:00:00Z', outletId: 'bj-01', partNo: 'P-100', quantity: 1, source: 'warehouse' }, path: '/source', message: /hq_stock, hq_procured/ },
    ],
    stored: (prefix: string) => h.count(`SELECT 1 FROM parts_request_event WHERE event_id LIKE $1`, [`${prefix}%`]),
  },
  {
    stream: 'complaints',
    valid: (n: string) => [
      { eventId: `ce-${n}-1`, complaintId: `c-${n}`, at: '2026-05-03T12:00:00+02:00', outletId: 'gz-01', productLine: 'phone', cause: 'parts_wait', severity: 'high' },
    ],
    invalid: [
      { record: { eventId: 'z1', complaintId: 'c', at: '2026-05-03T12:00:00Z', outletId: 'gz-01', productLine: 'phone', cause: 'rude' }, path: '/cause', message: /parts_wait/ },
      { record: { eventId: 'z2', complaintId: 'c', at: '2026-05-03T12:00:00Z', outletId: 'gz-01', productLine: 'fridge', cause: 'other' }, path: '/productLine', message: /unknown product line/ },
      { record: { eventId: 'z3', complaintId: 'c', at: '2026-05-03T12:00:00Z', outletId: 'gz-01', productLine: 'phone', cause: 'other', mood: 'angry' }, path: '/mood', message: /not a known field/ },
    ],
    stored: (prefix: string) => h.count(`SELECT 1 FROM complaint WHERE event_id LIKE $1`, [`${prefix}%`]),
  },
  {
    stream: 'telemetry',
    valid: (n: string) => [
      { deviceId: 'eng-1', readings: [{ at: `2026-05-0${n.length}T00:00:00Z`, values: { s2: 642.1, s3: 1589.7 } }, { at: `2026-05-0${n.length}T01:00:00Z`, values: { s2: 642.3, s3: 1590.2, s4: 1400.5 } }] },
    ],
    invalid: [
      { record: { deviceId: 'eng-1', readings: [{ at: '2026-05-01T00:00:00Z', values: { s2: 'hot' } }] }, path: '/readings/0/values/s2', message: /must be a number/ },
      { record: { deviceId: 'eng-9', readings: [{ at: '2026-05-01T00:00:00Z', values: { s2: 1 } }] }, path: '/deviceId', message: /unknown device/ },
      { record: { deviceId: 'eng-1', readings: [{ at: '2026-05-01T00:00:00Z', values: { s99: 1 } }] }, path: '/readings/0/values/s99', message: /not defined for device model "engine"/ },
      { record: { deviceId: 'eng-1', readings: [] }, path: '/readings', message: /at least 1/ },
    ],
    stored: () => h.count(`SELECT 1 FROM reading`),
  },
] as const;

const post = (stream: string, payload: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({ method: 'POST', url: `/api/v1/ingest/${stream}`, payload: payload as object, headers: { ...bearer(h.adminKey), ...headers } });

describe.each(cases)('$stream', (c) => {
  it('stores a mixed batch’s valid records, rejects each invalid one with index, path and message, and stores none of them', async () => {
    const before = await c.stored('');
    const valid = c.valid('m');
    const batch = [c.invalid[0].record, ...valid, ...c.invalid.slice(1).map((i) => i.record)];
    const response = await post(c.stream, batch);
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body.accepted).toBe(valid.length);
    expect(body.rejectedCount).toBe(c.invalid.length);
    const expectedIndexes = [0, ...c.invalid.slice(1).map((_, i) => valid.length + 1 + i)];
    expect(body.rejected.map((r: { index: number }) => r.index)).toEqual(expectedIndexes);
    c.invalid.forEach((invalid, i) => {
      const error = body.rejected[i].errors.find((e: { path: string }) => e.path === invalid.path);
      expect(error, `record ${i}: ${JSON.stringify(body.rejected[i].errors)}`).toBeDefined();
      expect(error.message).toMatch(invalid.message);
    });
    await h.drained();
    const readingsPerValid = c.stream === 'telemetry' ? 5 : valid.length;
    expect((await c.stored('')) - before).toBe(readingsPerValid);
  });

  it('stores a duplicate batch and duplicate records once', async () => {
    const batch = c.valid('dup');
    const first = await post(c.stream, [...batch, ...batch]);
    expect(first.statusCode).toBe(202);
    await h.drained();
    const stored = await c.stored('');
    const again = await post(c.stream, batch);
    expect(again.statusCode).toBe(202);
    await h.drained();
    expect(await c.stored('')).toBe(stored);
  });

  it('answers 422 when every record is invalid, and stores nothing', async () => {
    const before = await c.stored('');
    const response = await post(c.stream, c.invalid.map((i) => i.record));
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ accepted: 0, rejectedCount: c.invalid.length });
    await h.drained();
    expect(await c.stored('')).toBe(before);
  });

  it('replays the first answer for a repeated Idempotency-Key and queues the batch once', async () => {
    const key = `idem-${c.stream}`;
    const batch = c.valid('idem');
    const first = await post(c.stream, batch, { 'idempotency-key': key });
    const second = await post(c.stream, batch, { 'idempotency-key': key });
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    const jobs = await h.app.queues[c.stream].getJobs(['waiting', 'active', 'completed', 'delayed']);
    expect(jobs.filter((job) => job.data.batchId === first.json().batchId)).toHaveLength(1);
    await h.drained();
  });

  it('takes NDJSON, rejecting a broken line by its line number', async () => {
    const before = await c.stored('');
    const lines = [...c.valid('nd').map((r) => JSON.stringify(r)), '{"broken": ', '', JSON.stringify(c.invalid[0].record)];
    const response = await post(c.stream, lines.join('\n'), { 'content-type': 'application/x-ndjson' });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body.accepted).toBe(c.valid('nd').length);
    expect(body.rejected[0]).toMatchObject({ index: c.valid('nd').length, line: c.valid('nd').length + 1 });
    expect(body.rejected[0].errors[0].message).toMatch(/not valid JSON/);
    expect(body.rejected[1].line).toBe(lines.length);
    await h.drained();
    if (c.stream !== 'telemetry') expect((await c.stored('')) - before).toBe(c.valid('nd').length);
  });
});

describe('CSV', () => {
  it('takes service-order events with a header row, converting numbers and leaving empty cells out', async () => {
    const csv = [
      'eventId,orderId,type,at,outletId,productLine,technicianId,laborCost',
      'csv-1,o-csv,created,2026-06-01T08:00:00+08:00,gz-01,phone,,',
      'csv-2,o-csv,completed,2026-06-02T08:00:00+08:00,gz-01,phone,t-3,80.25',
      'csv-3,o-csv,completed,2026-06-02T08:00:00+08:00,gz-01,phone,t-3,cheap',
    ].join('\n');
    const response = await post('service-orders', csv, { 'content-type': 'text/csv' });
    expect(response.statusCode).toBe(202);
    const body = response.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([{ index: 2, line: 4, errors: [{ path: '/laborCost', message: expect.stringMatching(/must be a number/) }] }]);
    await h.drained();
    const { rows } = await h.pool.query(`SELECT event_id, technician_id, labor_cost::float8 AS cost FROM service_order_event WHERE order_id = 'o-csv' ORDER BY event_id`);
    expect(rows).toEqual([
      { event_id: 'csv-1', technician_id: null, cost: null },
      { event_id: 'csv-2', technician_id: 't-3', cost: 80.25 },
    ]);
  });

  it('is refused for telemetry with 415 saying what to send', async () => {
    const response = await post('telemetry', 'deviceId,at\neng-1,2026-01-01T00:00:00Z', { 'content-type': 'text/csv' });
    expect(response.statusCode).toBe(415);
    expect(response.json().message).toMatch(/JSON or NDJSON/);
  });
});

describe('current state', () => {
  it('gives the right order state whatever order the events arrive in', async () => {
    const ev = (id: string, type: string, at: string) => ({ eventId: `ooo-${id}`, orderId: 'o-ooo', type, at, outletId: 'bj-01', productLine: 'tv' });
    const events = [
      ev('5', 'completed', '2026-07-05T10:00:00Z'),
      ev('3', 'parts_requested', '2026-07-02T10:00:00Z'),
      ev('1', 'created', '2026-07-01T10:00:00Z'),
    ];
    await post('service-orders', [events[0]]);
    await h.drained();
    await post('service-orders', events.slice(1));
    await post('service-orders', [ev('4', 'parts_received', '2026-07-04T10:00:00Z'), ev('2', 'visit_started', '2026-07-01T12:00:00Z')]);
    await h.drained();
    const { rows } = await h.pool.query(
      `SELECT status, created_at, completed_at, waiting_parts_since, visits FROM service_order WHERE order_id = 'o-ooo'`,
    );
    expect(rows).toEqual([
      { status: 'completed', created_at: new Date('2026-07-01T10:00:00Z'), completed_at: new Date('2026-07-05T10:00:00Z'), waiting_parts_since: null, visits: 1 },
    ]);
  });

  it('shows an order waiting for parts until they are received, even if the receipt arrives first', async () => {
    const ev = (id: string, type: string, at: string) => ({ eventId: `wp-${id}`, orderId: 'o-wp', type, at, outletId: 'bj-01', productLine: 'tv' });
    await post('service-orders', [ev('1', 'created', '2026-07-01T10:00:00Z'), ev('2', 'parts_requested', '2026-07-02T10:00:00Z')]);
    await h.drained();
    const waiting = await h.pool.query(`SELECT status, waiting_parts_since FROM service_order WHERE order_id = 'o-wp'`);
    expect(waiting.rows).toEqual([{ status: 'parts_requested', waiting_parts_since: new Date('2026-07-02T10:00:00Z') }]);
    await post('service-orders', [ev('3', 'parts_received', '2026-07-06T10:00:00Z')]);
    await h.drained();
    const received = await h.pool.query(`SELECT status, waiting_parts_since FROM service_order WHERE order_id = 'o-wp'`);
    expect(received.rows).toEqual([{ status: 'parts_received', waiting_parts_since: null }]);
  });

  it('gives a parts request its state from the latest event whatever the arrival order', async () => {
    const ev = (id: string, type: string, at: string) => ({ eventId: `pr-${id}`, requestId: 'r-ooo', type, at, outletId: 'gz-01', partNo: 'P-200', quantity: 1, source: 'hq_procured' });
    await post('parts', [ev('3', 'received', '2026-07-05T10:00:00Z')]);
    await h.drained();
    await post('parts', [ev('1', 'requested', '2026-07-01T10:00:00Z'), ev('2', 'shipped', '2026-07-03T10:00:00Z')]);
    await h.drained();
    const { rows } = await h.pool.query(`SELECT status, requested_at, shipped_at, received_at FROM parts_request WHERE request_id = 'r-ooo'`);
    expect(rows).toEqual([
      { status: 'received', requested_at: new Date('2026-07-01T10:00:00Z'), shipped_at: new Date('2026-07-03T10:00:00Z'), received_at: new Date('2026-07-05T10:00:00Z') },
    ]);
  });
});
