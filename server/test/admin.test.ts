import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, seedReference, startHarness, waitFor, type Harness } from './support/harness.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ workers: true });
  await seedReference(h.app, h.adminKey);
});
afterAll(() => h?.close());

/** Runs `npm run admin -- …` as a user would, against this test's database and queues. */
async function admin(...args: string[]) {
  const env = { ...process.env, DATABASE_URL: h.config.DATABASE_URL, REDIS_URL: h.config.REDIS_URL, QUEUE_PREFIX: h.config.QUEUE_PREFIX };
  return run(process.execPath, ['--import', 'tsx', 'server/src/cli/admin.ts', ...args], { cwd: ROOT, env }).catch(
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('admin command', () => {
  it('creates a scoped key shown once on the last line, stores only its hash, and revokes it at once', async () => {
    const created = await admin('create-key', '--name', 'gw-north', '--scopes', 'telemetry,service-orders', '--regions', 'north');
    const token = created.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^st_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    const { rows } = await h.pool.query(`SELECT scopes, regions, secret_hash FROM api_key WHERE name = 'gw-north'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ scopes: ['telemetry', 'service-orders'], regions: ['north'] });
    expect(rows[0].secret_hash.toString('utf8')).not.toContain(token.split('_')[2]);

    const event = { eventId: 'k1', orderId: 'ok1', type: 'created', at: '2026-01-01T00:00:00Z', outletId: 'bj-01', productLine: 'tv' };
    const ok = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/service-orders', payload: [event], headers: bearer(token) });
    expect(ok.statusCode).toBe(202);

    const id = token.split('_')[1]!;
    const revoked = await admin('revoke-key', '--id', id);
    expect(revoked.stdout).toContain(`Revoked key ${id}`);
    const refused = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/service-orders', payload: [event], headers: bearer(token) });
    expect(refused.statusCode).toBe(401);
  });

  it('refuses unknown scopes with the list of valid ones', async () => {
    const result = await admin('create-key', '--name', 'x', '--scopes', 'telemetry,everything');
    expect((result as { code: number }).code).toBe(1);
    expect(result.stderr).toMatch(/unknown: everything/);
    expect(await h.count(`SELECT 1 FROM api_key WHERE name = 'x'`)).toBe(0);
  });

  it('refuses an admin key limited to regions: administration reaches the whole network', async () => {
    const result = await admin('create-key', '--name', 'north-admin', '--scopes', 'read,admin', '--regions', 'north');
    expect((result as { code: number }).code).toBe(1);
    expect(result.stderr).toMatch(/--regions: a key with the admin scope .* cannot be limited to regions/);
    expect(await h.count(`SELECT 1 FROM api_key WHERE name = 'north-admin'`)).toBe(0);
  });
});

describe('failed jobs', () => {
  it('stay in the failed set with their error, are listed by route and command, and replay once the cause is fixed', async () => {
    // A fault outside the client's control: the table is missing while the job runs.
    await h.pool.query('ALTER TABLE complaint RENAME TO complaint_away');
    const complaint = { eventId: 'f1', complaintId: 'cf1', at: '2026-01-02T00:00:00Z', outletId: 'bj-01', productLine: 'tv', cause: 'other' as const };
    const job = await h.app.queues.complaints.add('complaints', { batchId: 'failing', part: 0, records: [complaint] }, { jobId: 'failing.0', attempts: 1 });
    await waitFor(async () => (await job.getState()) === 'failed', 15_000, 'the job to fail');

    const listed = await h.app.inject({ method: 'GET', url: '/api/v1/admin/queues/complaints/failed', headers: bearer(h.adminKey) });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([expect.objectContaining({ id: 'failing.0', records: 1, failedReason: expect.stringMatching(/complaint/) })]);
    const command = await admin('failed-jobs', '--queue', 'complaints');
    expect(command.stdout).toMatch(/complaints\tfailing\.0\t.*relation "complaint" does not exist/);

    await h.pool.query('ALTER TABLE complaint_away RENAME TO complaint');
    const replayed = await h.app.inject({ method: 'POST', url: '/api/v1/admin/queues/complaints/failed/replay?jobId=failing.0', headers: bearer(h.adminKey) });
    expect(replayed.json()).toEqual({ replayed: 1 });
    await waitFor(async () => (await h.count(`SELECT 1 FROM complaint WHERE event_id = 'f1'`)) === 1, 15_000, 'the replayed complaint');
  });

  it('admin routes need the admin scope', async () => {
    const reader = await h.key(['read']);
    const response = await h.app.inject({ method: 'GET', url: '/api/v1/admin/queues', headers: bearer(reader) });
    expect(response.statusCode).toBe(403);
    const counts = await h.app.inject({ method: 'GET', url: '/api/v1/admin/queues', headers: bearer(h.adminKey) });
    expect(counts.json().map((q: { queue: string }) => q.queue)).toContain('telemetry');
  });
});

describe('configuration', () => {
  it('stops the API at start with a message naming each bad variable', async () => {
    const env = { ...process.env, DATABASE_URL: 'mysql://nope', REDIS_URL: 'redis://127.0.0.1:6379', PORT: 'eighty', BUSINESS_TIMEZONE: 'Mars/Olympus' };
    const result = (await run(process.execPath, ['--import', 'tsx', 'server/src/server.ts'], { cwd: ROOT, env }).catch((e) => e)) as { code: number; stderr: string };
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DATABASE_URL="mysql:\/\/nope" is not valid/);
    expect(result.stderr).toMatch(/PORT="eighty" is not valid: expected a whole number/);
    expect(result.stderr).toMatch(/BUSINESS_TIMEZONE="Mars\/Olympus" is not an IANA time zone/);
  });
});
