import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { asUser, createTestUser, PASSWORD, signIn } from './support/users.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await seedReference(h.app, h.adminKey);
});
afterAll(() => h?.close());

describe('logs', () => {
  it('are structured JSON and never hold an API key, even at trace level and on errors', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const app = await buildApp(h.config, { level: 'trace', stream });
    try {
      const token = await h.key(['telemetry']);
      const [, id, secret] = token.split('_');
      await app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', payload: [{ deviceId: 'eng-1', readings: [{ at: '2026-01-01T00:00:00Z', values: { s2: 1 } }] }], headers: { ...bearer(token), 'idempotency-key': 'log-test' } });
      await app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', payload: '{bad', headers: { ...bearer(token), 'content-type': 'application/json' } });
      await app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(`st_${id}_${'x'.repeat(32)}`) });
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
      const all = lines.join('');
      expect(all).not.toContain(secret);
      expect(all).not.toContain(token);
    } finally {
      await app.close();
    }
  });

  it('never hold a password or a session cookie, at sign-in, on use, on sign-out and on refusals', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
    const app = await buildApp(h.config, { level: 'trace', stream });
    try {
      await createTestUser(h, 'logged', 'admin');
      await signIn(app, 'logged', 'a wrong password for the log');
      await signIn(app, 'nobody-at-all', PASSWORD);
      const { cookie, token } = await signIn(app, 'logged');
      expect(token).not.toBe('');
      await app.inject({ method: 'GET', url: '/api/v1/regions', headers: { cookie } });
      await app.inject({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'new-one', role: 'viewer', password: 'a password to hide' }, headers: asUser(cookie) });
      await app.inject({ method: 'POST', url: '/api/v1/admin/users', payload: { username: 'x', role: 'viewer', password: 'too short' }, headers: asUser(cookie) });
      await app.inject({ method: 'POST', url: '/api/v1/admin/webhooks', payload: { url: 'https://hooks.example.com/a' }, headers: { cookie, origin: 'https://evil.example' } });
      await app.inject({ method: 'DELETE', url: '/api/v1/session', headers: asUser(cookie) });
      await app.inject({ method: 'GET', url: '/api/v1/regions', headers: { cookie } });
      const all = lines.join('');
      expect(lines.length).toBeGreaterThan(8);
      for (const secret of [PASSWORD, 'a wrong password for the log', 'a password to hide', 'too short', token]) expect(all).not.toContain(secret);
    } finally {
      await app.close();
    }
  });
});
