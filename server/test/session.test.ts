// Signing in to the dashboard: the session cookie, its expiry, signing out, what each role may do,
// the region scope of a user, and the guard against requests from other sites (HTTP and WebSocket).
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ROLES, type Role } from '@servicetower/domain';
import { buildApp } from '../src/app.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { asUser, createTestUser, PASSWORD, signIn } from './support/users.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedReference(h.app, h.adminKey);
  for (const role of ROLES) await createTestUser(h, role, role);
  await createTestUser(h, 'northviewer', 'viewer', ['north']);
});
afterAll(() => h?.close());

const sha256 = (text: string) => createHash('sha256').update(text).digest();

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict cookie, stores only its hash, and answers who is signed in and what they may do', async () => {
    const { response, cookie, token } = await signIn(h.app, 'Engineer');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      user: { id: expect.any(String), username: 'engineer', displayName: 'engineer', role: 'engineer', regions: null },
      permissions: ['dashboards:read', 'alarms:acknowledge'],
    });
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/^st_session=[A-Za-z0-9_-]{43}; /);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/Secure/);
    const { rows } = await h.pool.query('SELECT token_hash FROM user_session');
    expect(rows.map((r) => r.token_hash)).toContainEqual(sha256(token));
    expect(rows.map((r) => r.token_hash.toString('utf8'))).not.toContain(token);

    const session = await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } });
    expect(session.json()).toEqual(response.json());
    const regions = await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { cookie } });
    expect(regions.statusCode).toBe(200);
  });

  it('marks the cookie Secure when SESSION_COOKIE_SECURE is on', async () => {
    const app = await buildApp({ ...h.config, SESSION_COOKIE_SECURE: 'on' }, false);
    try {
      const { response } = await signIn(app, 'viewer');
      expect(String(response.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await app.close();
    }
  });

  it('answers 401 with one message for an unknown user and a wrong password, and refuses a disabled user', async () => {
    const wrong = await signIn(h.app, 'viewer', 'not the password');
    const unknown = await signIn(h.app, 'nobody', PASSWORD);
    expect(wrong.response.statusCode).toBe(401);
    expect(unknown.response.statusCode).toBe(401);
    expect(wrong.response.json().message).toMatch(/^Unknown user or wrong password/);
    expect(unknown.response.json().message).toBe(wrong.response.json().message);
    expect(wrong.cookie).toBe('');

    await createTestUser(h, 'gone', 'viewer');
    await h.pool.query(`UPDATE app_user SET disabled_at = now() WHERE username = 'gone'`);
    const disabled = await signIn(h.app, 'gone');
    expect(disabled.response.statusCode).toBe(401);
    expect(disabled.response.json().message).toMatch(/disabled/);
    expect(disabled.cookie).toBe('');
  });

  it('ends a session after SESSION_TTL_HOURS without a request, and slides the expiry with use', async () => {
    const { cookie, token } = await signIn(h.app, 'viewer');
    await h.pool.query(`UPDATE user_session SET last_seen = now() - interval '2 minutes', expires_at = now() + interval '1 minute' WHERE token_hash = $1`, [sha256(token)]);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).statusCode).toBe(200);
    const { rows } = await h.pool.query(`SELECT expires_at - now() AS left FROM user_session WHERE token_hash = $1`, [sha256(token)]);
    expect(rows[0].left.hours).toBeGreaterThanOrEqual(11);

    await h.pool.query(`UPDATE user_session SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [sha256(token)]);
    const expired = await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { cookie } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().message).toMatch(/sign in again/);
    expect(String(expired.headers['set-cookie'])).toMatch(/^st_session=;/);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).statusCode).toBe(401);
  });

  it('signs out: the session row is gone and the cookie cleared', async () => {
    const { cookie, token } = await signIn(h.app, 'viewer');
    const out = await h.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: asUser(cookie) });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^st_session=; .*Expires=Thu, 01 Jan 1970/);
    expect(await h.count('SELECT 1 FROM user_session WHERE token_hash = $1', [sha256(token)])).toBe(0);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session' })).statusCode).toBe(401);
  });
});

describe('roles', () => {
  it('keep every role but admin out of the admin routes', async () => {
    for (const role of ROLES) {
      const { cookie } = await signIn(h.app, role);
      for (const url of ['/api/v1/admin/users', '/api/v1/admin/keys', '/api/v1/admin/audit', '/api/v1/admin/queues', '/api/v1/briefings/deliveries?date=2026-01-01']) {
        const response = await h.app.inject({ method: 'GET', url, headers: { cookie } });
        expect(response.statusCode, `${role} ${url}`).toBe(role === 'admin' ? 200 : 403);
        if (role !== 'admin') expect(response.json().message).toMatch(new RegExp(`Your role \\(${role}\\) may not`));
      }
    }
  });

  it('let an engineer acknowledge and resolve an alarm, but not a viewer', async () => {
    await h.pool.query(`INSERT INTO alarm_rule (rule_id, device_model_id, sensor, kind, params, severity) VALUES ('s2-high', 'engine', 's2', 'limit', '{"high": 650}', 'warning')`);
    const { rows } = await h.pool.query(
      `INSERT INTO alarm (rule_id, device_id, sensor, kind, severity, message) VALUES ('s2-high', 'eng-1', 's2', 'limit', 'warning', 's2 above 650') RETURNING alarm_id`);
    const id = String(rows[0].alarm_id);
    const act = async (role: Role, action: string) =>
      h.app.inject({ method: 'POST', url: `/api/v1/alarms/${id}/${action}`, headers: asUser((await signIn(h.app, role)).cookie) });

    for (const role of ['viewer', 'service_manager', 'parts_planner'] as const) {
      const refused = await act(role, 'acknowledge');
      expect(refused.statusCode, role).toBe(403);
      expect(refused.json().message).toMatch(/may not acknowledge and resolve alarms/);
    }
    const viewer = (await signIn(h.app, 'viewer')).cookie;
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/alarms/${id}`, headers: { cookie: viewer } })).json().status).toBe('open');

    const acknowledged = await act('engineer', 'acknowledge');
    expect(acknowledged.statusCode, acknowledged.body).toBe(200);
    expect(acknowledged.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'engineer' });
    expect((await act('admin', 'resolve')).json()).toMatchObject({ status: 'resolved', resolvedBy: 'admin' });
  });

  it('limit a region-scoped user to its regions in the figures', async () => {
    const order = (eventId: string, outletId: string) => ({ eventId, orderId: eventId, type: 'created', at: '2026-01-10T10:00:00Z', outletId, productLine: 'tv' });
    await h.ingest('service-orders', [order('r-n1', 'bj-01'), order('r-n2', 'bj-01'), order('r-s1', 'gz-01')]);
    await h.drained();
    const url = '/api/v1/kpi/service-load?from=2026-01-01&to=2026-02-01&interval=month&groupBy=region';
    const groups = async (username: string) => {
      const response = await h.app.inject({ method: 'GET', url, headers: { cookie: (await signIn(h.app, username)).cookie } });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json().rows as Array<{ group: string; ordersReceived: number }>).map((r) => [r.group, r.ordersReceived]);
    };
    expect(await groups('viewer')).toEqual([['north', 2], ['south', 1]]);
    expect(await groups('northviewer')).toEqual([['north', 2]]);
  });
});

describe('requests from other sites', () => {
  it('are refused when they change something with the session cookie', async () => {
    const { cookie } = await signIn(h.app, 'admin');
    const create = (headers: Record<string, string>) => h.app.inject({
      method: 'POST', url: '/api/v1/admin/webhooks', payload: { url: `https://hooks.example.com/${Object.keys(headers).join('-')}` }, headers: { cookie, ...headers },
    });
    const foreign = await create({ origin: 'https://evil.example' });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().message).toBe('Refused: a signed-in request that changes something must come from the dashboard, and its Origin (https://evil.example) is not this site (localhost:80).');
    const bare = await create({});
    expect(bare.statusCode).toBe(403);
    expect(bare.json().message).toMatch(/neither an Origin header nor X-Requested-With/);
    expect(await h.count('SELECT 1 FROM webhook')).toBe(0);

    expect((await create({ origin: 'http://localhost' })).statusCode).toBe(201);
    expect((await create({ 'x-requested-with': 'fetch' })).statusCode).toBe(201);
    // An API key is not sent by the browser on its own: no Origin needed.
    const keyed = await h.app.inject({ method: 'POST', url: '/api/v1/admin/webhooks', payload: { url: 'https://hooks.example.com/key' }, headers: bearer(h.adminKey) });
    expect(keyed.statusCode).toBe(201);
    // Reading needs no proof.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/admin/webhooks', headers: { cookie, origin: 'https://evil.example' } })).statusCode).toBe(200);
  });

  it('cannot sign in or out', async () => {
    const signInElsewhere = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'viewer', password: PASSWORD }, headers: { origin: 'https://evil.example' } });
    expect(signInElsewhere.statusCode).toBe(403);
    const { cookie } = await signIn(h.app, 'viewer');
    const out = await h.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, origin: 'https://evil.example' } });
    expect(out.statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie } })).statusCode).toBe(200);
  });

  it('cannot open the live channel with the cookie, which the dashboard can', async () => {
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = h.app.server.address() as AddressInfo;
    const { cookie } = await signIn(h.app, 'northviewer');
    const open = (origin: string) => new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: { cookie }, origin });
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      socket.once('error', reject);
    });
    await expect(open('https://evil.example')).rejects.toThrow('HTTP 403');
    const socket = await open(`http://127.0.0.1:${port}`);
    try {
      const answer = new Promise<unknown>((resolve) => socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
      socket.send(JSON.stringify({ op: 'subscribe', topic: 'device:eng-2' }));
      expect(await answer).toMatchObject({ type: 'error', topic: 'device:eng-2' });
    } finally {
      socket.terminate();
    }
  });
});

it('lists the session cookie beside the API key in the OpenAPI document', async () => {
  const document = (await h.app.inject({ method: 'GET', url: '/docs/json' })).json();
  expect(document.components.securitySchemes.session).toEqual(expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'st_session' }));
  expect(document.paths['/api/v1/kpi/service-load'].get.security).toEqual([{ apiKey: [] }, { session: [] }]);
  expect(document.paths['/api/v1/session'].post.security).toEqual([]);
});
