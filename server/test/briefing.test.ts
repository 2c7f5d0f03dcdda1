// The daily briefing on a hand-built fixture in America/New_York, whose 8 March 2026 is 23 hours long
// (clocks go forward at 02:00): what the fixture plants is what the briefing finds, and a webhook
// that fails once still gets it, with both attempts in the delivery log.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBriefing } from '@servicetower/workers';
import { bearer, seedReference, startHarness, waitFor, type Harness } from './support/harness.js';

const DAY = '2026-03-08';

/** A webhook receiver: answers 500 to the first delivery, 200 to the others, and keeps every body. */
async function startReceiver(): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response.writeHead(bodies.length === 1 ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/briefing`, bodies };
}

const order = (orderId: string, type: string, at: string, outletId: string) => ({ eventId: `${orderId}-${type}`, orderId, type, at, outletId, productLine: 'tv' });
const request = (requestId: string, type: string, at: string, outletId: string, partNo: string, source: string) =>
  ({ eventId: `${requestId}-${type}`, requestId, type, at, outletId, partNo, quantity: 1, source });
const complaint = (complaintId: string, at: string, outletId: string, cause: string, eventId = complaintId) =>
  ({ eventId, complaintId, at, outletId, productLine: 'tv', cause });

describe('the daily briefing', () => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let reader: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    h = await startHarness({
      workers: true,
      env: {
        BUSINESS_TIMEZONE: 'America/New_York', BRIEFING_LOCAL_TIME: '06:45', BRIEFING_WEBHOOKS: receiver.url,
        BRIEFING_RETRY_DELAY_MS: '200', TARGET_ORDERS_PER_TECHNICIAN: '1',
      },
    });
    await seedReference(h.app, h.adminKey);
    const part = await h.app.inject({ method: 'PUT', url: '/api/v1/parts/P-300', payload: { name: 'Fuse', source: 'hq_stock', unitCost: 2, targetDays: 2 }, headers: bearer(h.adminKey) });
    expect(part.statusCode, part.body).toBe(200);
    await h.ingest('service-orders', [
      // gz-01 (4 technicians, target 1 order each a month): 4 orders in the window ending 7 March, 5 in the one ending 8 March.
      order('g1', 'created', '2026-03-02T15:00:00Z', 'gz-01'),
      order('g2', 'created', '2026-03-05T15:00:00Z', 'gz-01'),
      order('g2', 'completed', '2026-03-06T15:00:00Z', 'gz-01'),
      order('g3', 'created', '2026-03-06T15:00:00Z', 'gz-01'),
      order('g4', 'created', '2026-03-07T15:00:00Z', 'gz-01'),
      order('g5', 'created', '2026-03-08T23:30:00-04:00', 'gz-01'), // 23:30 local (EDT): still 8 March
      // bj-01 (6 technicians): 2 orders, far below target.
      order('b1', 'created', '2026-02-20T15:00:00Z', 'bj-01'),
      order('b2', 'created', '2026-03-08T15:00:00Z', 'bj-01'),
      order('b2', 'cancelled', '2026-03-08T18:00:00Z', 'bj-01'),
      order('b3', 'created', '2026-03-09T00:30:00-04:00', 'bj-01'), // 00:30 local: 9 March, though within 24 h of 8 March 00:00
    ]);
    await h.ingest('parts', [
      request('r1', 'requested', '2026-03-01T12:00:00Z', 'gz-01', 'P-100', 'hq_stock'), // 7 days run out on 8 March
      request('r2', 'requested', '2026-03-06T12:00:00Z', 'gz-01', 'P-200', 'hq_procured'),
      request('r2', 'received', '2026-03-07T12:00:00Z', 'gz-01', 'P-200', 'hq_procured'),
      request('r3', 'requested', '2026-03-02T12:00:00Z', 'bj-01', 'P-200', 'hq_procured'),
      request('r3', 'cancelled', '2026-03-07T00:00:00Z', 'bj-01', 'P-200', 'hq_procured'),
      request('r4', 'requested', '2026-02-20T12:00:00Z', 'bj-01', 'P-200', 'hq_procured'), // late for weeks
      request('r5', 'requested', '2026-03-06T12:00:00Z', 'gz-01', 'P-300', 'hq_stock'), // its own 2-day target runs out on 8 March
    ]);
    const usual = [];
    for (let d = 8; d <= 35; d++) {
      const date = new Date(Date.UTC(2026, 1, d)).toISOString().slice(0, 10);
      usual.push(complaint(`rq-${date}-a`, `${date}T12:00:00-05:00`, 'bj-01', 'repair_quality'), complaint(`rq-${date}-b`, `${date}T13:00:00-05:00`, 'bj-01', 'repair_quality'));
    }
    await h.ingest('complaints', [
      ...usual, // bj-01 has 2 repair_quality complaints a day: 3 on 8 March is below twice that
      complaint('rq-d-1', '2026-03-08T10:00:00-04:00', 'bj-01', 'repair_quality'),
      complaint('rq-d-2', '2026-03-08T11:00:00-04:00', 'bj-01', 'repair_quality'),
      complaint('rq-d-3', '2026-03-08T12:00:00-04:00', 'bj-01', 'repair_quality'),
      complaint('ta-1', '2026-03-08T10:00:00-04:00', 'bj-01', 'turnaround'),
      complaint('ta-2', '2026-03-08T11:00:00-04:00', 'bj-01', 'turnaround'),
      complaint('pw-0', '2026-02-20T15:00:00Z', 'gz-01', 'parts_wait'),
      complaint('pw-1', '2026-03-08T09:00:00-04:00', 'gz-01', 'parts_wait'),
      complaint('pw-1', '2026-03-08T09:00:00-04:00', 'gz-01', 'parts_wait', 'pw-1-again'), // the same complaint twice
      complaint('pw-2', '2026-03-08T16:00:00-04:00', 'gz-01', 'parts_wait'),
      complaint('pw-3', '2026-03-08T23:30:00-04:00', 'gz-01', 'parts_wait'),
      complaint('pw-4', '2026-03-09T00:30:00-04:00', 'gz-01', 'parts_wait'),
    ]);
    await h.ingest('telemetry', [
      { deviceId: 'eng-1', readings: [
        { at: '2026-03-07T15:00:00Z', values: { s2: 643, s3: 1600 } },
        { at: '2026-03-08T15:00:00Z', values: { s2: 650, s3: 1600 } },
        { at: '2026-03-08T16:00:00Z', values: { s2: 644, s3: 1600 } },
      ] },
      { deviceId: 'eng-2', readings: [
        { at: '2026-03-07T15:00:00Z', values: { s2: 642 } },
        { at: '2026-03-09T00:30:00-04:00', values: { s2: 700 } },
      ] },
    ]);
    await h.drained();
    reader = await h.key(['read']);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    receiver?.server.close();
  });

  it('schedules the run daily at the configured local time in the business time zone', async () => {
    const scheduler = await h.app.queues.maintenance.getJobScheduler('daily-briefing');
    expect(scheduler).toMatchObject({ pattern: '45 6 * * *', tz: 'America/New_York' });
  });

  it('finds what the fixture planted, per department, on a 23-hour day', async () => {
    const run = await h.app.inject({ method: 'POST', url: `/api/v1/briefings/runs?date=${DAY}`, headers: bearer(h.adminKey) });
    expect(run.statusCode, run.body).toBe(202);
    await waitFor(async () => (await h.app.inject({ method: 'GET', url: `/api/v1/briefings?date=${DAY}`, headers: bearer(reader) })).statusCode === 200, 30_000, 'the briefing');
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/briefings?date=${DAY}`, headers: bearer(reader) });
    const briefing = response.json();
    expect(briefing).toMatchObject({ date: DAY, timeZone: 'America/New_York' });
    const { service, parts, quality, engineering } = briefing.departments;

    expect(service.findings).toEqual({
      windowDays: 30,
      outletsAboveTarget: [{ outletId: 'gz-01', regionId: 'south', orders: 5, technicians: 4, load: 1.25, target: 1, previousDayLoad: 1, newlyAbove: true }],
      outletsAboveTargetPreviousDay: 0,
      backlog: [
        { regionId: null, end: 5, previousDay: 4, weekBefore: 1, changeOnDay: 1, changeOnWeek: 4 },
        { regionId: 'north', end: 1, previousDay: 1, weekBefore: 1, changeOnDay: 0, changeOnWeek: 0 },
        { regionId: 'south', end: 4, previousDay: 3, weekBefore: 0, changeOnDay: 1, changeOnWeek: 4 },
      ],
    });
    expect(service.summary).toContain('1 outlet above the target');

    // The day ends at 2026-03-09T04:00Z (midnight EDT).
    expect(parts.findings).toEqual({
      pastTarget: 3, pastTargetPreviousDay: 1, pastTargetWeekBefore: 1, newlyPastTarget: 2,
      requests: [
        { requestId: 'r4', outletId: 'bj-01', regionId: 'north', partNo: 'P-200', source: 'hq_procured', requestedAt: '2026-02-20T12:00:00.000Z',
          ageDays: expect.closeTo(16 + 16 / 24, 9), targetDays: 4, newlyPastTarget: false },
        { requestId: 'r1', outletId: 'gz-01', regionId: 'south', partNo: 'P-100', source: 'hq_stock', requestedAt: '2026-03-01T12:00:00.000Z',
          ageDays: expect.closeTo(7 + 16 / 24, 9), targetDays: 7, newlyPastTarget: true },
        { requestId: 'r5', outletId: 'gz-01', regionId: 'south', partNo: 'P-300', source: 'hq_stock', requestedAt: '2026-03-06T12:00:00.000Z',
          ageDays: expect.closeTo(2 + 16 / 24, 9), targetDays: 2, newlyPastTarget: true },
      ],
    });

    expect(quality.findings.rule).toEqual({ minComplaints: 3, factor: 2, trailingDays: 28 });
    expect(quality.findings.spikes).toEqual([
      { cause: 'parts_wait', outletId: 'gz-01', regionId: 'south', complaints: 3, previousDay: 0, trailingMean: expect.closeTo(1 / 28, 12) },
    ]);
    expect(quality.findings.byCause).toEqual([
      { cause: 'parts_wait', complaints: 3, previousDay: 0, trailingMean: expect.closeTo(1 / 28, 12) },
      { cause: 'repair_quality', complaints: 3, previousDay: 2, trailingMean: 2 },
      { cause: 'turnaround', complaints: 2, previousDay: 0, trailingMean: 0 },
      { cause: 'staff_conduct', complaints: 0, previousDay: 0, trailingMean: 0 },
      { cause: 'other', complaints: 0, previousDay: 0, trailingMean: 0 },
    ]);
    expect(quality.summary).toContain('3 parts_wait at gz-01');

    expect(engineering.findings.outOfRange).toEqual([
      { deviceId: 'eng-1', modelId: 'engine', outletId: 'bj-01', sensor: 's2', readings: 1, lowest: 644, highest: 650, rangeMin: 640, rangeMax: 645,
        firstAt: '2026-03-08T15:00:00.000Z', previousDay: false },
    ]);
    expect(engineering.findings.silentDevices).toEqual([
      { deviceId: 'eng-2', modelId: 'engine', outletId: 'gz-01', lastReadingAt: '2026-03-07T15:00:00.000Z' },
    ]);
    expect(engineering.findings.note).toMatch(/telemetry alarms/);
  });

  it('delivers the briefing to the webhook after a failed first attempt, and logs both attempts', async () => {
    await waitFor(() => receiver.bodies.length >= 2, 30_000, 'two deliveries');
    const stored = (await h.app.inject({ method: 'GET', url: `/api/v1/briefings?date=${DAY}`, headers: bearer(reader) })).json();
    expect(receiver.bodies).toEqual([stored, stored]);
    await waitFor(async () => (await h.count('SELECT 1 FROM briefing_delivery')) >= 2, 10_000, 'the delivery log');
    const log = await h.app.inject({ method: 'GET', url: `/api/v1/briefings/deliveries?date=${DAY}`, headers: bearer(h.adminKey) });
    expect(log.statusCode, log.body).toBe(200);
    expect(log.json().rows).toEqual([
      { date: DAY, url: receiver.url, attempt: 1, outcome: 'failed', httpStatus: 500, error: 'answered HTTP 500', at: expect.any(String) },
      { date: DAY, url: receiver.url, attempt: 2, outcome: 'delivered', httpStatus: 200, error: null, at: expect.any(String) },
    ]);
    const readerLog = await h.app.inject({ method: 'GET', url: `/api/v1/briefings/deliveries?date=${DAY}`, headers: bearer(reader) });
    expect(readerLog.statusCode).toBe(403);
  });

  it('serves one department alone', async () => {
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/briefings?date=${DAY}&department=parts`, headers: bearer(reader) });
    expect(response.statusCode).toBe(200);
    expect(Object.keys(response.json().departments)).toEqual(['parts']);
  });

  it('refuses a key limited to regions: the briefing covers the whole network', async () => {
    const north = await h.key(['read'], ['north']);
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/briefings?date=${DAY}`, headers: bearer(north) });
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toMatch(/whole network/);
  });

  it('writes the day before by default, across a month boundary', async () => {
    // 23:30 on 1 March in New York is 04:30 UTC on 2 March: the day before is 28 February.
    const briefing = await writeBriefing(h.pool, h.config, {}, new Date('2026-03-02T04:30:00Z'));
    expect(briefing.date).toBe('2026-02-28');
    expect(briefing.departments.service?.findings.backlog[0]).toEqual({ regionId: null, end: 1, previousDay: 1, weekBefore: 1, changeOnDay: 0, changeOnWeek: 0 });
    expect(briefing.departments.parts?.findings).toMatchObject({ pastTarget: 1, pastTargetPreviousDay: 1, pastTargetWeekBefore: 0, newlyPastTarget: 0 });
    const served = await h.app.inject({ method: 'GET', url: '/api/v1/briefings?date=2026-02-28', headers: bearer(reader) });
    expect(served.json()).toEqual(briefing);
  });

  it('answers 404 for a day without a briefing, 400 for a bad date, 401 without a key', async () => {
    const missing = await h.app.inject({ method: 'GET', url: '/api/v1/briefings?date=2026-01-15', headers: bearer(reader) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toMatch(/No briefing was written for 2026-01-15/);
    for (const date of ['2026-02-30', 'yesterday']) {
      const bad = await h.app.inject({ method: 'GET', url: `/api/v1/briefings?date=${date}`, headers: bearer(reader) });
      expect(bad.statusCode, date).toBe(400);
      expect(JSON.stringify(bad.json()), date).toContain('date');
    }
    const anonymous = await h.app.inject({ method: 'GET', url: `/api/v1/briefings?date=${DAY}` });
    expect(anonymous.statusCode).toBe(401);
  });
});
