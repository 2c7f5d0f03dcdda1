// Whether ingestion went through: the ingestion queues drained, and no job failed or waits to be retried.
import { STREAM_NAMES, type StreamName } from '@servicetower/domain';
import { waitFor, type Harness } from './harness.js';

/**
 * Waits for the ingestion queues to drain (or stop moving), then lists the jobs that failed or wait to be
 * retried, with their errors: empty when every record went through.
 */
export async function ingestionFailures(h: Harness, streams: readonly StreamName[] = STREAM_NAMES, timeoutMs = 120_000): Promise<string[]> {
  await waitFor(async () => {
    for (const name of streams) {
      const counts = await h.app.queues[name].getJobCounts('waiting', 'active', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
    return true;
  }, timeoutMs, 'the ingestion queues to drain').catch(() => {});
  const failed: string[] = [];
  for (const name of streams) {
    const jobs = [...await h.app.queues[name].getFailed(), ...await h.app.queues[name].getDelayed()];
    failed.push(...jobs.map((job) => `${name} ${job.id} (${job.attemptsMade} attempts): ${job.failedReason}`));
  }
  return failed;
}
