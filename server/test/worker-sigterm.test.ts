// SIGTERM is how a deploy stops a worker: it must finish the jobs in its hands (none left
// active, none failed), exit cleanly, and leave the rest waiting for the next worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, seedReference, startHarness, waitFor, type Harness } from './support/harness.js';
import { configEnv, ProcessGroup } from './support/processes.js';

const RECORDS = 400;
const SAMPLES = 100;
const READINGS = RECORDS * SAMPLES * 2;
const START = Date.parse('2026-04-01T00:00:00Z');

let h: Harness;
const processes = new ProcessGroup();
beforeAll(async () => {
  h = await startHarness({ workers: false, env: { INGEST_JOB_READINGS: '2000' } });
  await seedReference(h.app, h.adminKey);
});
afterAll(async () => {
  await processes.stopAll();
  await h?.close();
});

const startWorker = () =>
  processes.start('workers', 'workers/src/main.ts', configEnv(h.config, { WORKER_CONCURRENCY: '2', WORKER_METRICS_PORT: '0', LOG_LEVEL: 'warn' }));
const stored = () => h.count('SELECT 1 FROM reading');

describe('a worker process stopped with SIGTERM', () => {
  it('finishes its jobs in flight, exits 0, and the next worker stores the rest exactly once', async () => {
    const lines = Array.from({ length: RECORDS }, (_, r) =>
      JSON.stringify({
        deviceId: 'eng-1',
        readings: Array.from({ length: SAMPLES }, (_, s) => ({ at: new Date(START + (r * SAMPLES + s) * 1000).toISOString(), values: { s2: 642 + s / 100, s3: 1590 } })),
      }),
    );
    const response = await h.app.inject({
      method: 'POST', url: '/api/v1/ingest/telemetry', payload: lines.join('\n'), headers: { ...bearer(h.adminKey), 'content-type': 'application/x-ndjson' },
    });
    expect(response.json()).toMatchObject({ accepted: RECORDS, rejectedCount: 0 });

    const first = startWorker();
    await waitFor(async () => (await stored()) > 0, 60_000, 'the first readings');
    const exit = await first.kill('SIGTERM');
    expect(exit.code).toBe(0);
    expect(await h.app.queues.telemetry.getActiveCount()).toBe(0);
    expect(await h.app.queues.telemetry.getFailedCount()).toBe(0);
    // Whole jobs only: a stop never leaves a job half written.
    expect((await stored()) % 2000).toBe(0);

    startWorker();
    await h.drained(60_000);
    const { rows } = await h.pool.query('SELECT count(*)::int AS stored, count(DISTINCT (sensor, at))::int AS distinct FROM reading');
    expect(rows[0]).toEqual({ stored: READINGS, distinct: READINGS });
  }, 120_000);
});
