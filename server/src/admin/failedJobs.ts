import type { QueueName } from '@servicetower/domain';
import type { Queues } from '@servicetower/workers';

export interface FailedJob {
  queue: QueueName;
  id: string;
  failedReason: string;
  attempts: number;
  failedAt: string | null;
  /** How many records the job carries (one record for maintenance jobs). */
  records: number;
}

export async function queueCounts(queues: Queues) {
  return Promise.all(
    Object.entries(queues).map(async ([queue, q]) => ({
      queue,
      ...(await q.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')),
    })),
  );
}

/** The failed set of a queue, newest first, with the error each job last failed with. */
export async function listFailedJobs(queues: Queues, queue: QueueName, limit = 100): Promise<FailedJob[]> {
  const jobs = await queues[queue].getFailed(0, limit - 1);
  return jobs.map((job) => ({
    queue,
    id: String(job.id),
    failedReason: job.failedReason,
    attempts: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    records: Array.isArray((job.data as { records?: unknown[] }).records) ? (job.data as { records: unknown[] }).records.length : 1,
  }));
}

/** Puts failed jobs back in the queue: one by id, or all of them. Returns how many were replayed. */
export async function replayFailedJobs(queues: Queues, queue: QueueName, jobId?: string): Promise<number> {
  const q = queues[queue];
  if (jobId === undefined) {
    const count = await q.getFailedCount();
    await q.retryJobs({ state: 'failed', count: 1000 });
    return count;
  }
  const job = await q.getJob(jobId);
  if (!job || !(await job.isFailed())) return 0;
  await job.retry('failed');
  return 1;
}
