// The live WebSocket's credentials and origin, beyond what live.test.ts and session.test.ts cover: a revoked
// key, a disabled or signed-out user are refused at the next upgrade, and their sockets already open are
// closed (code 1008) at once, or within LIVE_RECHECK_MS when the change was made elsewhere (the admin
// command, another API instance); a cookie upgrade must name this site as
// its Origin (not another port, not "null", not missing); a key is taken only from Authorization (not the
// query string, not a subprotocol); a key needs no Origin, since no browser sends one by itself.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { asUser, createTestUser, signIn } from './support/users.js';

const RECHECK_MS = 300;
let h: Harness;
let port: number;
beforeAll(async () => {
  h = await startHarness({ env: { LIVE_RECHECK_MS: String(RECHECK_MS) } });
  await seedReference(h.app, h.adminKey);
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  port = (h.app.server.address() as AddressInfo).port;
});
afterAll(() => h?.close());

/** The status of the upgrade: 101 when the socket opened, else the HTTP status it was refused with. */
function upgrade(options: { headers?: Record<string, string>; origin?: string; query?: string; protocols?: string[] } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live${options.query ?? ''}`, options.protocols ?? [], {
      headers: options.headers ?? {},
      ...(options.origin ? { origin: options.origin } : {}),
    });
    socket.once('open', () => {
      socket.terminate();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

const self = () => `http://127.0.0.1:${port}`;

/** An open socket, and how it closed: the code and the last message the server sent before. */
async function openSocket(headers: Record<string, string>, origin?: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, [], { headers, ...(origin ? { origin } : {}) });
  const messages: Array<{ type: string; message?: string }> = [];
  socket.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as { type: string }));
  const closed = new Promise<{ code: number; after: number; last: { type: string; message?: string } | undefined }>((resolve) => {
    socket.once('close', (code) => resolve({ code, after: Date.now(), last: messages.at(-1) }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  // Proves the socket is served (and not merely open) before the credential changes.
  socket.send(JSON.stringify({ op: 'subscribe', topic: 'alarms' }));
  await new Promise<void>((resolve) => socket.once('message', () => resolve()));
  return { socket, closed };
}

/** Whether the socket is closed within `ms`: resolves to the close, or to null when it is still open. */
const closedWithin = <T>(closed: Promise<T>, ms: number) =>
  Promise.race([closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);

describe('the live channel', () => {
  it('refuses a key from the request after it is revoked', async () => {
    const key = await h.key(['read']);
    expect(await upgrade({ headers: bearer(key) })).toBe(101);
    const id = key.split('_')[1]!;
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/admin/keys/${id}`, headers: bearer(h.adminKey) })).statusCode).toBe(204);
    expect(await upgrade({ headers: bearer(key) })).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(key) })).statusCode).toBe(401);
  });

  it('refuses a user at once when disabled, and a cookie once signed out', async () => {
    const user = await createTestUser(h, 'live-user', 'viewer');
    const { cookie } = await signIn(h.app, 'live-user');
    expect(await upgrade({ headers: { cookie }, origin: self() })).toBe(101);
    const admin = await createTestUser(h, 'live-admin', 'admin');
    const adminCookie = (await signIn(h.app, admin.username)).cookie;
    expect((await h.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, payload: { disabled: true }, headers: asUser(adminCookie) })).statusCode).toBe(200);
    expect(await upgrade({ headers: { cookie }, origin: self() })).toBe(401);

    const other = (await signIn(h.app, admin.username)).cookie;
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: asUser(other) })).statusCode).toBe(204);
    expect(await upgrade({ headers: { cookie: other }, origin: self() })).toBe(401);
  });

  it('closes a key\'s open socket when the key is revoked, with a reason, at once', async () => {
    const key = await h.key(['read']);
    const kept = await openSocket(bearer(await h.key(['read'])));
    const { closed } = await openSocket(bearer(key));
    const revokedAt = Date.now();
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/admin/keys/${key.split('_')[1]}`, headers: bearer(h.adminKey) })).statusCode).toBe(204);
    const end = await closedWithin(closed, 5_000);
    expect(end?.code).toBe(1008);
    expect(end!.after - revokedAt).toBeLessThan(RECHECK_MS); // the revoking request itself closed it, not the periodic check
    expect(end!.last?.message).toMatch(/revoked/);
    expect(await closedWithin(kept.closed, RECHECK_MS * 3)).toBeNull(); // another key's socket stays open
    kept.socket.terminate();
  });

  it('closes a socket whose key was revoked elsewhere (the admin command) within LIVE_RECHECK_MS', async () => {
    const key = await h.key(['read']);
    const { closed } = await openSocket(bearer(key));
    await h.pool.query('UPDATE api_key SET revoked_at = now() WHERE api_key_id = $1', [key.split('_')[1]]);
    expect((await closedWithin(closed, RECHECK_MS * 4))?.code).toBe(1008);
  });

  it('closes a user\'s sockets when they sign out, are disabled, or their regions change', async () => {
    await createTestUser(h, 'live-leaving', 'viewer');
    const signedOut = await signIn(h.app, 'live-leaving');
    const leaving = await openSocket({ cookie: signedOut.cookie }, self());
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: asUser(signedOut.cookie) })).statusCode).toBe(204);
    expect((await closedWithin(leaving.closed, RECHECK_MS * 4))?.code).toBe(1008);

    const user = await createTestUser(h, 'live-moved', 'viewer');
    const moved = await openSocket({ cookie: (await signIn(h.app, 'live-moved')).cookie }, self());
    const disabledUser = await createTestUser(h, 'live-disabled', 'engineer');
    const disabled = await openSocket({ cookie: (await signIn(h.app, 'live-disabled')).cookie }, self());
    const admin = await createTestUser(h, 'live-changer', 'admin');
    const adminCookie = (await signIn(h.app, admin.username)).cookie;
    const patch = (id: string, payload: object) =>
      h.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${id}`, payload, headers: asUser(adminCookie) });
    expect((await patch(user.id, { regions: ['north'] })).statusCode).toBe(200);
    expect((await patch(disabledUser.id, { disabled: true })).statusCode).toBe(200);
    expect((await closedWithin(moved.closed, RECHECK_MS * 4))?.code).toBe(1008);
    expect((await closedWithin(disabled.closed, RECHECK_MS * 4))?.code).toBe(1008);
  });

  it('with the session cookie, needs an Origin naming this very site', async () => {
    await createTestUser(h, 'live-origin', 'viewer');
    const { cookie } = await signIn(h.app, 'live-origin');
    expect(await upgrade({ headers: { cookie }, origin: self() })).toBe(101);
    expect(await upgrade({ headers: { cookie } })).toBe(403); // ws sends no Origin unless told: neither it nor X-Requested-With
    expect(await upgrade({ headers: { cookie }, origin: `http://127.0.0.1:${port + 1}` })).toBe(403);
    expect(await upgrade({ headers: { cookie }, origin: 'null' })).toBe(403);
    expect(await upgrade({ headers: { cookie }, origin: `http://127.0.0.1.evil.example:${port}` })).toBe(403);
    expect(await upgrade({ headers: { cookie }, origin: `https://evil.example` })).toBe(403);
  });

  it('takes a key only from Authorization, and then needs no Origin', async () => {
    const key = await h.key(['read']);
    expect(await upgrade({ query: `?token=${key}` })).toBe(401);
    expect(await upgrade({ query: `?access_token=${key}` })).toBe(401);
    expect(await upgrade({ protocols: [key] })).toBe(401);
    expect(await upgrade({ headers: { authorization: key } })).toBe(401); // without "Bearer "
    // A browser never adds Authorization by itself, so a page elsewhere cannot borrow a key: no Origin check.
    expect(await upgrade({ headers: bearer(key), origin: 'https://elsewhere.example' })).toBe(101);
  });
});
