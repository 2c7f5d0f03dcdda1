import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedReference(h.app, h.adminKey);
});
afterAll(() => h?.close());

describe('operations', () => {
  it('answers 503 with Retry-After, not 500, while PostgreSQL cannot be reached', async () => {
    // Port 1 on loopback: nothing listens, every connection is refused, as while PostgreSQL restarts.
    const away = await buildApp({ ...h.config, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/servicetower' }, false);
    try {
      for (const url of ['/api/v1/regions', '/api/v1/kpi/overview?from=2026-01-01&to=2026-02-01']) {
        const response = await away.inject({ method: 'GET', url, headers: bearer(h.adminKey) });
        expect(response.statusCode, response.body).toBe(503);
        expect(response.headers['retry-after']).toBe('5');
        expect(response.json().message).toMatch(/database cannot be reached/);
      }
    } finally {
      await away.close();
    }
  });

  it('answers /healthz and /readyz with the state of the database and Redis', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
  });

  it('exposes records by stream and outcome, queue depth and HTTP latency in Prometheus format', async () => {
    await h.app.inject({
      method: 'POST', url: '/api/v1/ingest/telemetry', headers: bearer(h.adminKey),
      payload: [{ deviceId: 'eng-1', readings: [{ at: '2026-01-01T00:00:00Z', values: { s2: 642 } }] }, { deviceId: 'nope', readings: [] }],
    });
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.body).toMatch(/servicetower_records_ingested_total\{stream="telemetry",outcome="accepted"\} 1/);
    expect(metrics.body).toMatch(/servicetower_records_ingested_total\{stream="telemetry",outcome="rejected"\} 1/);
    expect(metrics.body).toMatch(/servicetower_queue_jobs\{queue="telemetry",state="waiting"\} \d+/);
    expect(metrics.body).toMatch(/servicetower_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/ingest\/telemetry",status="202"\} 1/);
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const stream of ['service-orders', 'parts', 'complaints', 'telemetry']) {
      const post = doc.paths[`/api/v1/ingest/${stream}`].post;
      expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '413', '422', '429', '503']));
      expect(Object.keys(post.requestBody.content)).toContain('application/x-ndjson');
    }
    expect(doc.paths['/api/v1/outlets/{id}'].put.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'regionId', 'technicians', 'lat', 'lon']),
    );
    expect(doc.components.schemas.ErrorBody).toBeDefined();
  });
});
