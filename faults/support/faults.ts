// The faults, one per scenario. Each waits for a condition (jobs in a worker's hands, the client
// having noticed) rather than for a fixed time, and repairs the fault as an operator or a
// supervisor would: the process restarted on the same port, folder and settings.
import { NORMAL_POLICY, type RetryPolicy } from './client.js';
import type { Fault } from './scenario.js';
import { waitFor } from './wait.js';

/** How long a fault may go unnoticed by the client before it is repaired anyway. */
const NOTICE_TIMEOUT_MS = 15_000;

export const workerKilled: Fault = {
  name: 'worker SIGKILL',
  description: 'the worker process killed with SIGKILL while it holds jobs, then started again',
  async inject({ stack, note }) {
    // Mid-batch: jobs active in the worker's hands (their transactions open or about to be).
    await waitFor(async () => ((await stack.jobCounts())?.active ?? 0) > 0, 30_000, 'jobs in the worker’s hands', 10);
    const faultAt = Date.now();
    await stack.worker!.kill('SIGKILL');
    const orphaned = (await stack.jobCounts())?.byQueue;
    note(`killed with active jobs ${JSON.stringify(Object.fromEntries(Object.entries(orphaned ?? {}).map(([q, c]) => [q, c.active])))}`);
    await stack.startWorker();
    return { faultAt, repairedAt: Date.now() };
  },
};

export const redisRestarted: Fault = {
  name: 'Redis restart',
  description: 'redis-server (appendonly yes) killed with SIGKILL, restarted on its port and folder once the client notices',
  async inject({ stack, clientNoticed, note }) {
    const faultAt = Date.now();
    await stack.redis.kill();
    if (!(await clientNoticed(faultAt, NOTICE_TIMEOUT_MS))) note('the client noticed nothing before the restart');
    await stack.redis.restart();
    return { faultAt, repairedAt: Date.now() };
  },
};

export const postgresRestarted: Fault = {
  name: 'PostgreSQL restart',
  description: 'PostgreSQL crashed (SIGQUIT: immediate shutdown, WAL replay on start), restarted once the client notices',
  async inject({ stack, clientNoticed, note }) {
    const faultAt = Date.now();
    await stack.postgres.crash();
    if (!(await clientNoticed(faultAt, NOTICE_TIMEOUT_MS))) note('the client noticed nothing before the restart');
    await stack.postgres.restart();
    return { faultAt, repairedAt: Date.now() };
  },
};

export const apiKilled: Fault = {
  name: 'API SIGKILL',
  description: 'the API process killed with SIGKILL with requests in flight, then started again on its port',
  async inject({ stack, load, note }) {
    // Requests in flight: tries sent and not yet answered.
    await waitFor(() => load.inFlight >= 2, 30_000, 'requests in flight', 1);
    const faultAt = Date.now();
    const inFlight = load.inFlight;
    await stack.api!.kill('SIGKILL');
    note(`killed with ${inFlight} requests in flight`);
    await stack.startApi();
    return { faultAt, repairedAt: Date.now() };
  },
};

export const apiRestarted: Fault = {
  name: 'API restart',
  description: 'the API process stopped with SIGTERM (a deploy: it finishes the requests in flight), then started again',
  async inject({ stack }) {
    const faultAt = Date.now();
    await stack.api!.kill('SIGTERM');
    await stack.startApi();
    return { faultAt, repairedAt: Date.now() };
  },
};

/**
 * Client-side timeouts: for a while, the client gives each try far less time than the API needs
 * (first 20 ms, then doubling), so tries are abandoned while the API is still queueing them;
 * the retry with the same Idempotency-Key meets 409 (still running) or the stored answer.
 */
export const clientTimeouts: Fault = {
  name: 'client timeouts',
  description: 'tries abandoned by the client after 20 ms (doubling per retry), retried with the same Idempotency-Key',
  load: { samples: 150 },
  async inject({ load, note }) {
    const impatient: RetryPolicy = { ...NORMAL_POLICY, timeoutMs: (n) => Math.min(20 * 2 ** n, 30_000) };
    const faultAt = Date.now();
    load.policy = impatient;
    const since = () => load.attempts.filter((a) => a.endedAt >= faultAt);
    // Long enough to see tries abandoned and their retries answered with the stored answer.
    await waitFor(() => since().filter((a) => a.outcome === 'timeout').length >= 30 && since().filter((a) => a.replayed).length >= 5, 60_000, 'timeouts and replayed answers', 50)
      .catch(() => note('fewer than 30 timeouts or 5 replayed answers within 60 s'));
    load.policy = NORMAL_POLICY;
    return { faultAt, repairedAt: Date.now() };
  },
};
