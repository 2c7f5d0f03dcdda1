// No secret reaches the logs: every key, password, session cookie and Idempotency-Key used across a whole run
// — sign-in (wrong and right), key creation and use, users created and re-passworded, ingestion as JSON,
// NDJSON and CSV with Idempotency-Keys (and a replay), refusals, the live WebSocket, revocation and sign-out —
// is looked for in everything the API and the workers logged at trace level.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startWorkers, type RunningWorkers } from '@servicetower/workers';
import { buildApp } from '../src/app.js';
import { bearer, seedReference, startHarness, waitFor, type App, type Harness } from './support/harness.js';
import { createTestUser, SAME_SITE } from './support/users.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await seedReference(h.app, h.adminKey);
});
afterAll(() => h?.close());

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  return { lines, stream };
}

describe('logs of a whole run', () => {
  it('hold no key, password, session cookie or Idempotency-Key, at trace level, in the API or the workers', async () => {
    const api = capture();
    const work = capture();
    const app: App = await buildApp(h.config, { level: 'trace', stream: api.stream });
    let workers: RunningWorkers | null = null;
    const secrets: Record<string, string> = {};
    try {
      workers = await startWorkers(h.config, pino({ level: 'trace' }, work.stream));
      secrets.adminKey = h.adminKey;
      secrets.adminKeySecret = h.adminKey.split('_')[2]!;
      secrets.password = 'first password of the admin';
      secrets.wrongPassword = 'a wrong guess at it';
      secrets.newUserPassword = 'the new user password';
      secrets.changedPassword = 'the changed user password';
      await createTestUser(h, 'logger', 'admin', null, secrets.password);

      const signIn = (password: string) => app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'logger', password }, headers: SAME_SITE });
      expect((await signIn(secrets.wrongPassword)).statusCode).toBe(401);
      const signedIn = await signIn(secrets.password);
      expect(signedIn.statusCode).toBe(200);
      secrets.session = signedIn.cookies.find((c) => c.name === 'st_session')!.value;
      const asAdmin = { cookie: `st_session=${secrets.session}`, ...SAME_SITE };

      const createdKey = await app.inject({ method: 'POST', url: '/api/v1/admin/keys', payload: { name: 'logged-key', scopes: ['service-orders', 'telemetry', 'read'] }, headers: asAdmin });
      expect(createdKey.statusCode).toBe(201);
      const { key, token } = createdKey.json() as { key: { id: string }; token: string };
      secrets.key = token;
      secrets.keySecret = token.split('_')[2]!;
      const createdUser = await app.inject({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'second', role: 'viewer', password: secrets.newUserPassword }, headers: asAdmin });
      expect(createdUser.statusCode).toBe(201);
      const changed = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${createdUser.json().id}`, payload: { password: secrets.changedPassword }, headers: asAdmin });
      expect(changed.statusCode).toBe(200);

      const order = (id: string) => ({ eventId: id, orderId: id, type: 'created', at: '2026-01-05T10:00:00Z', outletId: 'bj-01', productLine: 'tv' });
      secrets.idempotencyJson = 'idem-json-0f9c2a';
      secrets.idempotencyNdjson = 'idem-ndjson-77d1e4';
      secrets.idempotencyCsv = 'idem-csv-5b3a90';
      secrets.idempotencyBad = 'idem-bad-c41f02';
      const ingest = (headers: Record<string, string>, payload: string | object[]) =>
        app.inject({ method: 'POST', url: '/api/v1/ingest/service-orders', payload: payload as string, headers: { ...bearer(token), ...headers } });
      expect((await ingest({ 'idempotency-key': secrets.idempotencyJson }, [order('log-1')])).statusCode).toBe(202);
      const replay = await ingest({ 'idempotency-key': secrets.idempotencyJson }, [order('log-1')]);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect((await ingest({ 'idempotency-key': secrets.idempotencyNdjson, 'content-type': 'application/x-ndjson' }, `${JSON.stringify(order('log-2'))}\n`)).statusCode).toBe(202);
      expect((await ingest({ 'idempotency-key': secrets.idempotencyCsv, 'content-type': 'text/csv' }, 'eventId,orderId,type,at,outletId,productLine\nlog-3,log-3,created,2026-01-05T10:00:00Z,bj-01,tv\n')).statusCode).toBe(202);
      expect((await ingest({ 'idempotency-key': secrets.idempotencyBad, 'content-type': 'application/json' }, '[{"eventId": ')).statusCode).toBe(400);
      const telemetry = await app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', payload: [{ deviceId: 'eng-1', readings: [{ at: '2026-01-05T10:00:00Z', values: { s2: 642 } }] }], headers: bearer(token) });
      expect(telemetry.statusCode).toBe(202);
      secrets.forged = `st_${key.id}_${'Q'.repeat(32)}`;
      expect((await app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(secrets.forged) })).statusCode).toBe(401);

      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      for (const headers of [bearer(token), { cookie: `st_session=${secrets.session}`, origin: `http://127.0.0.1:${port}` }]) {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers });
        await new Promise<void>((resolve, reject) => (socket.once('open', () => resolve()), socket.once('error', reject)));
        socket.send(JSON.stringify({ op: 'subscribe', topic: 'device:eng-1' }));
        socket.close();
      }
      await waitFor(async () => (await h.count(`SELECT 1 FROM service_order_event WHERE event_id LIKE 'log-%'`)) === 3, 30_000, 'the workers to store the orders');

      expect((await app.inject({ method: 'DELETE', url: `/api/v1/admin/keys/${key.id}`, headers: asAdmin })).statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(token) })).statusCode).toBe(401);
      expect((await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: asAdmin })).statusCode).toBe(204);
      expect((await app.inject({ method: 'GET', url: '/api/v1/regions', headers: { cookie: `st_session=${secrets.session}` } })).statusCode).toBe(401);
    } finally {
      await workers?.close();
      await app.close();
    }

    expect(api.lines.length).toBeGreaterThan(30);
    expect(work.lines.length).toBeGreaterThan(0);
    for (const line of [...api.lines, ...work.lines]) expect(() => JSON.parse(line)).not.toThrow();
    const all = [...api.lines, ...work.lines].join('');
    const found = Object.entries(secrets).filter(([, secret]) => all.includes(secret)).map(([name]) => name);
    expect(found).toEqual([]);
    // Headers are not logged at all, redacted or not.
    expect(all).not.toMatch(/"authorization"|"cookie"|"idempotency-key"|st_session=/i);
  });
});
