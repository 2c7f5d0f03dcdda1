// What admins manage beside the queues: users, API keys and briefing webhooks, each change in the audit
// log; and the admin command's user commands, run as an operator would.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, seedReference, startHarness, waitFor, type Harness } from './support/harness.js';
import { asUser, createTestUser, PASSWORD, signIn } from './support/users.js';

const ROOT = new URL('../..', import.meta.url).pathname;

let h: Harness;
let admin: string;
beforeAll(async () => {
  h = await startHarness({ workers: true, env: { BRIEFING_WEBHOOKS: 'http://127.0.0.1:9/from-settings', BRIEFING_WEBHOOK_ATTEMPTS: '1' } });
  await seedReference(h.app, h.adminKey);
  await createTestUser(h, 'root', 'admin');
  admin = (await signIn(h.app, 'root')).cookie;
});
afterAll(() => h?.close());

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, cookie = admin) =>
  h.app.inject({ method, url: `/api/v1/admin${url}`, headers: asUser(cookie), ...(payload ? { payload } : {}) });

async function auditSince(id: number) {
  const response = await call('GET', '/audit?limit=1000');
  expect(response.statusCode).toBe(200);
  return (response.json().items as Array<{ id: string; actor: object; action: string; target: string; detail: Record<string, unknown> }>)
    .filter((entry) => Number(entry.id) > id);
}
const lastAuditId = async () => Number((await call('GET', '/audit?limit=1')).json().items[0]?.id ?? 0);

describe('users', () => {
  it('are created, listed and changed by an admin, never with a password hash, each change audited', async () => {
    const start = await lastAuditId();
    const created = await call('POST', '/users', { username: 'Alice', displayName: 'Alice Li', role: 'parts_planner', regions: ['north'], password: 'alice password 1' });
    expect(created.statusCode, created.body).toBe(201);
    const alice = created.json();
    expect(alice).toEqual({ id: expect.any(String), username: 'Alice', displayName: 'Alice Li', role: 'parts_planner', regions: ['north'], disabledAt: null, createdAt: expect.any(String) });

    expect((await call('POST', '/users', { username: 'alice', role: 'viewer', password: 'another password' })).statusCode).toBe(409);
    const badRegion = await call('POST', '/users', { username: 'bob', role: 'viewer', regions: ['west'], password: 'bob password 1' });
    expect(badRegion.statusCode).toBe(422);
    expect(badRegion.json().message).toMatch(/No region west/);
    expect((await call('POST', '/users', { username: 'bob', role: 'viewer', password: 'short' })).statusCode).toBe(400);

    const listed = await call('GET', '/users');
    expect(listed.json().items.map((u: { username: string }) => u.username)).toEqual(['Alice', 'root']);
    expect(listed.body).not.toMatch(/hash|argon/i);

    const session = (await signIn(h.app, 'alice', 'alice password 1')).cookie;
    expect(session).not.toBe('');
    const promoted = await call('PATCH', `/users/${alice.id}`, { role: 'engineer', regions: null, displayName: 'Alice' });
    expect(promoted.json()).toMatchObject({ role: 'engineer', regions: null, displayName: 'Alice' });
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: session } })).json()).toMatchObject({
      user: { role: 'engineer', regions: null }, permissions: ['dashboards:read', 'alarms:acknowledge'],
    });

    expect((await call('PATCH', `/users/${alice.id}`, { password: 'alice password 2' })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: session } })).statusCode).toBe(401);
    expect((await signIn(h.app, 'alice', 'alice password 1')).response.statusCode).toBe(401);
    const again = (await signIn(h.app, 'alice', 'alice password 2')).cookie;

    expect((await call('PATCH', `/users/${alice.id}`, { disabled: true })).json().disabledAt).toEqual(expect.any(String));
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { cookie: again } })).statusCode).toBe(401);
    expect((await signIn(h.app, 'alice', 'alice password 2')).response.statusCode).toBe(401);
    expect((await call('PATCH', `/users/${alice.id}`, { disabled: false })).json().disabledAt).toBeNull();
    expect((await signIn(h.app, 'alice', 'alice password 2')).response.statusCode).toBe(200);
    expect((await call('PATCH', '/users/999999', { role: 'viewer' })).statusCode).toBe(404);

    const audit = await auditSince(start);
    expect(audit.map((e) => `${e.action} ${e.target}`)).toEqual([
      `user.update user:${alice.id}`, `user.update user:${alice.id}`, `user.update user:${alice.id}`, `user.update user:${alice.id}`, `user.create user:${alice.id}`,
    ]);
    for (const entry of audit) expect(entry.actor).toEqual({ kind: 'user', id: expect.any(String), name: 'root' });
    expect(audit[4]!.detail).toEqual({ username: 'Alice', role: 'parts_planner', regions: ['north'] });
    expect(audit[3]!.detail).toMatchObject({ changes: { role: { from: 'parts_planner', to: 'engineer' }, regions: { from: ['north'], to: null } } });
    expect(audit[2]!.detail).toEqual({ username: 'Alice', changes: {}, passwordChanged: true, sessionsEnded: 1 });
    expect(JSON.stringify(audit)).not.toContain('alice password');
    const { rows } = await h.pool.query(`SELECT password_hash FROM app_user WHERE username = 'Alice'`);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it('keep one enabled admin at least', async () => {
    const { rows } = await h.pool.query(`SELECT user_id FROM app_user WHERE username = 'root'`);
    const demoted = await call('PATCH', `/users/${rows[0].user_id}`, { role: 'viewer' });
    expect(demoted.statusCode).toBe(409);
    expect(demoted.json().message).toMatch(/last enabled admin/);
    expect((await call('PATCH', `/users/${rows[0].user_id}`, { disabled: true })).statusCode).toBe(409);
  });
});

describe('API keys', () => {
  it('are created with their token shown once, listed without it, and refused at once when revoked', async () => {
    const start = await lastAuditId();
    const created = await call('POST', '/keys', { name: 'bi-tool', scopes: ['read'], regions: ['south'] });
    expect(created.statusCode, created.body).toBe(201);
    const { key, token } = created.json();
    expect(key).toMatchObject({ name: 'bi-tool', scopes: ['read'], regions: ['south'], revokedAt: null });
    expect(token).toMatch(new RegExp(`^st_${key.id}_`));
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(token) })).json().items.map((r: { id: string }) => r.id)).toEqual(['south']);

    const listed = await call('GET', '/keys');
    expect(listed.json().items.map((k: { name: string }) => k.name)).toContain('bi-tool');
    expect(listed.body).not.toContain(token.split('_')[2]);

    expect((await call('DELETE', `/keys/${key.id}`)).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(token) })).statusCode).toBe(401);
    expect((await call('DELETE', `/keys/${key.id}`)).statusCode).toBe(404);

    const audit = await auditSince(start);
    expect(audit.map((e) => `${e.action} ${e.target}`)).toEqual([`key.revoke key:${key.id}`, `key.create key:${key.id}`]);
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it('record an API key as the actor when a key does the change', async () => {
    const start = await lastAuditId();
    const created = await h.app.inject({ method: 'POST', url: '/api/v1/admin/keys', payload: { name: 'by-key', scopes: ['telemetry'] }, headers: bearer(h.adminKey) });
    expect(created.statusCode).toBe(201);
    const [entry] = await auditSince(start);
    expect(entry!.actor).toEqual({ kind: 'key', id: h.adminKey.split('_')[1], name: expect.stringMatching(/^test-/) });
  });
});

describe('briefing webhooks', () => {
  let receiver: Server;
  let received: unknown[];
  afterAll(() => new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve())));

  it('are added and removed by an admin, audited, and receive the briefing beside BRIEFING_WEBHOOKS', async () => {
    received = [];
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => (received.push(JSON.parse(Buffer.concat(chunks).toString('utf8'))), response.writeHead(200).end()));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const start = await lastAuditId();

    const added = await call('POST', '/webhooks', { url });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ url, createdBy: 'root' });
    expect((await call('POST', '/webhooks', { url })).statusCode).toBe(409);
    expect((await call('POST', '/webhooks', { url: 'ftp://files' })).statusCode).toBe(400);
    const spare = (await call('POST', '/webhooks', { url: 'http://127.0.0.1:9/spare' })).json();
    expect((await call('DELETE', `/webhooks/${spare.id}`)).statusCode).toBe(204);
    expect((await call('DELETE', `/webhooks/${spare.id}`)).statusCode).toBe(404);
    expect((await call('GET', '/webhooks')).json()).toEqual({ items: [added.json()], fromSettings: ['http://127.0.0.1:9/from-settings'] });

    const run = await h.app.inject({ method: 'POST', url: '/api/v1/briefings/runs?date=2026-01-05', headers: asUser(admin) });
    expect(run.statusCode, run.body).toBe(202);
    await waitFor(() => received.length === 1, 30_000, 'the briefing at the added webhook');
    expect(received[0]).toMatchObject({ date: '2026-01-05', departments: expect.any(Object) });
    await waitFor(async () => (await h.count(`SELECT 1 FROM briefing_delivery WHERE url LIKE '%from-settings'`)) === 1, 15_000, 'the settings webhook attempt');

    const audit = await auditSince(start);
    expect(audit.map((e) => e.action)).toEqual(['webhook.remove', 'webhook.add', 'webhook.add']);
    expect(audit[2]!.detail).toEqual({ url });
  });
});

/** Runs `npm run admin -- …` against this test's database, with `input` on standard input. */
function adminCommand(input: string | null, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: h.config.DATABASE_URL, REDIS_URL: h.config.REDIS_URL, QUEUE_PREFIX: h.config.QUEUE_PREFIX };
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/admin.ts', ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input ?? undefined);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('admin command', () => {
  it('creates a user with the password from standard input, lists, re-passwords and disables them', async () => {
    const created = await adminCommand('cli password 1\n', 'create-user', '--username', 'carol', '--role', 'service_manager', '--regions', 'north,south', '--display-name', 'Carol', '--password-stdin');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Created user \d+ "carol" \(service_manager; regions north, south\)/);
    const signedIn = await signIn(h.app, 'carol', 'cli password 1');
    expect(signedIn.response.json().user).toMatchObject({ username: 'carol', displayName: 'Carol', role: 'service_manager', regions: ['north', 'south'] });

    const listed = await adminCommand(null, 'list-users');
    expect(listed.stdout).toMatch(/\tcarol\tservice_manager\tnorth,south\tCarol\tactive/);
    expect(listed.stdout).not.toMatch(/argon/);

    expect((await adminCommand('cli password 2', 'set-password', '--username', 'CAROL', '--password-stdin')).stdout).toMatch(/Set the password of carol; 1 session\(s\) ended/);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: { cookie: signedIn.cookie } })).statusCode).toBe(401);
    expect((await signIn(h.app, 'carol', 'cli password 2')).response.statusCode).toBe(200);

    expect((await adminCommand(null, 'disable-user', '--username', 'carol')).stdout).toMatch(/Disabled carol; 1 session\(s\) ended/);
    expect((await signIn(h.app, 'carol', 'cli password 2')).response.statusCode).toBe(401);
    const { rows } = await h.pool.query(`SELECT actor_kind, actor_id, action FROM audit_log WHERE target = (SELECT 'user:' || user_id FROM app_user WHERE username = 'carol') ORDER BY audit_id`);
    expect(rows.map((r) => `${r.actor_kind}:${r.actor_id} ${r.action}`)).toEqual(['system:cli user.create', 'system:cli user.update', 'system:cli user.update']);
  });

  it('refuses a missing password, a short one, an unknown role and a taken name, saying what to do', async () => {
    const noPassword = await adminCommand(null, 'create-user', '--username', 'dave', '--role', 'viewer');
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(/--password-stdin/);
    expect((await adminCommand('short', 'create-user', '--username', 'dave', '--role', 'viewer', '--password-stdin')).stderr).toMatch(/10 to 256 characters/);
    expect((await adminCommand(PASSWORD, 'create-user', '--username', 'dave', '--role', 'boss', '--password-stdin')).stderr).toMatch(/--role, one of admin, /);
    expect((await adminCommand(PASSWORD, 'create-user', '--username', 'ROOT', '--role', 'viewer', '--password-stdin')).stderr).toMatch(/already exists/);
    expect((await adminCommand(PASSWORD, 'create-user', '--username', 'dave', '--role', 'admin', '--regions', 'north', '--password-stdin')).stderr)
      .toMatch(/--regions: an admin manages the whole network/);
    expect(await h.count(`SELECT 1 FROM app_user WHERE username = 'dave'`)).toBe(0);
  });
});
