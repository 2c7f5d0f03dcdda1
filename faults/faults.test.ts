// npm run test:faults — the fault suite (docs/faults.md). A source system sends service-order
// events, parts events, complaints and readings, each with its id, through the real API and
// workers (child processes) while one fault is injected per scenario; afterwards the database
// must hold exactly what the API acknowledged: none missing, none twice, none unacknowledged.
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKilled, apiRestarted, clientTimeouts, postgresRestarted, redisRestarted, workerKilled } from './support/faults.js';
import { DEFAULT_LOAD, deviceIds, EVENT_TABLES, verify, type Load } from './support/load.js';
import { machine, table, writeResults } from './support/report.js';
import { seedReference } from './support/reference.js';
import { runScenario, type ScenarioResult } from './support/scenario.js';
import { makeRunDir } from './support/services.js';
import { postJson, startSlowUpload } from './support/slowUpload.js';
import { Stack } from './support/stack.js';
import { sleep, waitFor } from './support/wait.js';

const SCENARIOS = [
  { tag: 'wk', fault: workerKilled },
  { tag: 'rd', fault: redisRestarted },
  { tag: 'pg', fault: postgresRestarted },
  { tag: 'at', fault: apiRestarted },
  { tag: 'ak', fault: apiKilled },
  { tag: 'to', fault: clientTimeouts },
];

const started = Date.now();
const log = (line: string) => console.log(`[faults +${((Date.now() - started) / 1000).toFixed(1)} s] ${line}`);
const results: ScenarioResult[] = [];
const loads: Load[] = [];
let stack: Stack | undefined;

beforeAll(async () => {
  stack = await Stack.start({
    dir: makeRunDir(os.tmpdir(), 'st-faults'),
    // Small jobs, so that a batch is several jobs and a fault can fall between them; a dead worker's jobs come back after 5 s.
    env: { INGEST_JOB_READINGS: '500', INGEST_JOB_EVENTS: '20', WORKER_LOCK_MS: '5000', WORKER_CONCURRENCY: '2' },
    keep: process.env.FAULTS_KEEP === '1',
    log,
  });
  await seedReference(stack.url, stack.key, SCENARIOS.flatMap(({ tag, fault }) => deviceIds({ ...DEFAULT_LOAD, ...fault.load, tag })));
});

afterAll(async () => {
  if (results.length > 0) {
    const context = { date: new Date().toISOString(), ...machine(), durationSeconds: String(Math.round((Date.now() - started) / 1000)) };
    console.log(`\nFault table\n\n${table(results)}\n`);
    for (const path of writeResults(results, context)) console.log(`written to ${path}`);
  }
  await stack?.close();
});

describe('ingestion under faults', () => {
  for (const { tag, fault } of SCENARIOS) {
    it(`${fault.name}: ${fault.description}; the database holds exactly the acknowledged records`, async () => {
      expect(stack, 'the stack started').toBeDefined();
      log(`${fault.name}: load started`);
      const { result, load } = await runScenario(stack!, fault, tag, log);
      results.push(result);
      loads.push(load);
      log(`${fault.name}: ${result.ok ? 'ok' : 'FAILED'} (${JSON.stringify(result.times)})${result.problems.map((p) => `\n  problem: ${p}`).join('')}`);
      expect(result.problems).toEqual([]);
      expect(result.verdict.ok).toBe(true);
    });
  }

  it('at the end, every scenario’s records are still exactly the acknowledged ones, and the tables hold nothing else', async () => {
    expect(loads.length).toBe(SCENARIOS.length);
    const verdicts = await Promise.all(loads.map((load) => verify(stack!.db, load)));
    for (const verdict of verdicts) expect(verdict.examples).toEqual([]);
    for (const name of [...EVENT_TABLES, 'reading'] as const) {
      const { rows } = await stack!.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
      // What was acknowledged, and what the client cannot know about (batches it gave up).
      const expected = verdicts.reduce((sum, v) => sum + v.tables[name].acknowledged + v.tables[name].inDoubt, 0);
      expect(Number(rows[0]!.n), `rows in ${name}`).toBe(expected);
    }
  });
});

/**
 * An Idempotency-Key's claim is a 30-second lease (server/src/ingest/idempotency.ts) that its request renews
 * while it runs: when the request cannot finish (Redis lost mid-request, the API killed), a retry with the
 * same key is refused with 409 "still being processed" until the lease runs out, then processed.
 */
describe('a claim left by a request that could not finish', () => {
  const complaints = (tag: string) => Array.from({ length: 3 }, (_, i) => ({
    eventId: `${tag}-${i}`, complaintId: `${tag}-cm-${i}`, at: new Date(Date.UTC(2026, 0, 5, 8, i)).toISOString(),
    outletId: 'f-out-1', productLine: 'f-tv', cause: 'other',
  }));
  /** The Redis key of a claim (server/src/ingest/idempotency.ts): per API key id and stream, the SHA-256 of the Idempotency-Key. */
  const claimKey = (idempotencyKey: string) =>
    `st:idempotency:${stack!.key.split('_')[1]}:complaints:${createHash('sha256').update(idempotencyKey).digest('hex')}`;
  const claimed = async (idempotencyKey: string) =>
    ((await stack!.redisClient.get(claimKey(idempotencyKey)).catch(() => null)) ?? '').startsWith('pending:');
  /** Retries once a second until an answer other than 409, for at most a minute; the statuses seen. */
  const retryUntilAnswered = async (key: string, records: object[]) => {
    const statuses: number[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(1000)) {
      const retry = await postJson(stack!.url, stack!.key, 'complaints', key, records);
      statuses.push(retry.status);
      if (retry.status !== 409) break;
    }
    return statuses;
  };

  it('Redis lost while a request holds its claim: the API answers 503, and a retry is processed within the lease', async () => {
    const key = randomUUID();
    const records = complaints('kb-redis');
    const upload = startSlowUpload(stack!.url, stack!.key, 'complaints', key, records.slice(0, 1));
    await waitFor(() => claimed(key), 30_000, 'the API to claim the Idempotency-Key');
    await stack!.redis.kill();
    upload.finish(records.slice(1));
    const first = await upload.answer;
    await stack!.redis.restart();
    await stack!.apiReady();
    const began = Date.now();
    const statuses = await retryUntilAnswered(key, records);
    log(`claim left by Redis lost mid-request: first answer ${JSON.stringify(first).slice(0, 120)}; retries ${statuses.join(' ')} in ${Date.now() - began} ms`);
    expect(first).toMatchObject({ status: 503 });
    expect(statuses.at(-1)).toBe(202);
    expect(statuses.slice(0, -1).every((status) => status === 409)).toBe(true);
  }, 180_000);

  it('the API killed while a request holds its claim: after the restart, a retry is processed within the lease', async () => {
    const key = randomUUID();
    const records = complaints('kb-api');
    const upload = startSlowUpload(stack!.url, stack!.key, 'complaints', key, records.slice(0, 1));
    await waitFor(() => claimed(key), 30_000, 'the API to claim the Idempotency-Key');
    await stack!.api!.kill('SIGKILL');
    const first = await upload.answer;
    await stack!.startApi();
    const began = Date.now();
    const statuses = await retryUntilAnswered(key, records);
    log(`claim left by the API killed mid-request: first answer ${JSON.stringify(first)}; retries ${statuses.join(' ')} in ${Date.now() - began} ms`);
    expect(statuses.at(-1)).toBe(202);
    expect(statuses.slice(0, -1).every((status) => status === 409)).toBe(true);
  }, 180_000);
});
