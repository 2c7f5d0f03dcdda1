import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@servicetower/domain';
import { buildApp } from '../src/app.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';

const event = (eventId: string, outletId = 'bj-01') => ({
  eventId, orderId: `o-${eventId}`, type: 'created', at: '2026-05-01T09:00:00Z', outletId, productLine: 'tv',
});

describe('ingestion guards', () => {
  let h: Harness;
  beforeAll(async () => {
    // No workers: jobs stay waiting, so the queue's high-water mark can be reached.
    h = await startHarness({ env: { QUEUE_HIGH_WATER: '2', INGEST_MAX_RECORDS: '5', INGEST_JSON_LIMIT_BYTES: '4096', INGEST_JOB_EVENTS: '1' } });
    await seedReference(h.app, h.adminKey);
  });
  afterAll(() => h?.close());
  const post = (payload: unknown, headers: Record<string, string> = bearer(h.adminKey), stream = 'service-orders') =>
    h.app.inject({ method: 'POST', url: `/api/v1/ingest/${stream}`, payload: payload as string, headers });

  it('answers 401 without a key or with an unknown one', async () => {
    const none = await post([event('a1')], {});
    expect(none.statusCode).toBe(401);
    expect(none.json().message).toMatch(/Authorization: Bearer/);
    const wrong = await post([event('a1')], bearer('st_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    expect(wrong.statusCode).toBe(401);
  });

  it('answers 403 for a key without the stream’s scope', async () => {
    const telemetryOnly = await h.key(['telemetry']);
    const response = await post([event('a2')], bearer(telemetryOnly));
    expect(response.statusCode).toBe(403);
    expect(response.json().message).toMatch(/service-orders/);
  });

  it('rejects records of outlets outside a region-scoped key, and keeps the ones inside', async () => {
    const north = await h.key(['service-orders'], ['north']);
    const response = await post([event('r-in', 'bj-01'), event('r-out', 'gz-01')], bearer(north));
    expect(response.statusCode).toBe(202);
    expect(response.json()).toMatchObject({
      accepted: 1,
      rejected: [{ index: 1, errors: [{ path: '/outletId', message: expect.stringMatching(/region "south", outside this API key's regions \(north\)/) }] }],
    });
    const jobs = await h.app.queues['service-orders'].getWaiting();
    const queued = jobs.flatMap((job) => job.data.records.map((r) => r.eventId));
    expect(queued).toContain('r-in');
    expect(queued).not.toContain('r-out');
  });

  it('answers 400 with a clear message for bodies that are not a batch', async () => {
    const notArray = await post({ eventId: 'x' });
    expect(notArray.statusCode).toBe(400);
    expect(notArray.json().message).toMatch(/JSON array/);
    const empty = await post([]);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toMatch(/no records/);
    const malformed = await post('[{"eventId": ', { ...bearer(h.adminKey), 'content-type': 'application/json' });
    expect(malformed.statusCode).toBe(400);
    const idemTooLong = await post([event('i1')], { ...bearer(h.adminKey), 'idempotency-key': 'k'.repeat(201) });
    expect(idemTooLong.statusCode).toBe(400);
  });

  it('answers 413 past the record and byte limits, naming the limit and the way out', async () => {
    const tooMany = await post(Array.from({ length: 6 }, (_, i) => event(`m${i}`)));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().message).toMatch(/at most 5 .*NDJSON/);
    const tooBig = await post([{ ...event('big'), note: 'x'.repeat(5000) }]);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().message).toMatch(/4096-byte limit/);
  });

  it('answers 415 for a content type it does not take', async () => {
    const response = await post('<xml/>', { ...bearer(h.adminKey), 'content-type': 'application/xml' });
    expect(response.statusCode).toBe(415);
  });

  it('answers 429 with Retry-After once the queue holds its high-water mark of waiting jobs', async () => {
    await h.app.queues['service-orders'].drain();
    const first = await post([event('h1'), event('h2')]);
    expect(first.statusCode).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 250)); // past the API's 200 ms queue-depth cache
    const second = await post([event('h3')]);
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('Redis unreachable', () => {
  it('answers 503 with Retry-After and acknowledges nothing', async () => {
    const h = await startHarness();
    try {
      await seedReference(h.app, h.adminKey);
      // The same database, but a Redis address where nothing listens.
      const config = loadConfig({ DATABASE_URL: h.config.DATABASE_URL, REDIS_URL: 'redis://127.0.0.1:1', QUEUE_PREFIX: h.config.QUEUE_PREFIX, LOG_LEVEL: 'silent' });
      const app = await buildApp(config, false);
      try {
        const response = await app.inject({ method: 'POST', url: '/api/v1/ingest/service-orders', payload: [event('u1')], headers: bearer(h.adminKey) });
        expect(response.statusCode).toBe(503);
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.json().message).toMatch(/nothing was accepted/);
        expect(await h.app.queues['service-orders'].getJobCounts()).toMatchObject({ waiting: 0, active: 0, completed: 0 });
        const ready = await app.inject({ method: 'GET', url: '/readyz' });
        expect(ready.statusCode).toBe(503);
        expect(ready.json().checks).toMatchObject({ database: 'ok', redis: expect.stringMatching(/unreachable/) });
      } finally {
        await app.close();
      }
    } finally {
      await h.close();
    }
  });
});
