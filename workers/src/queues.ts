import { Queue, type JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { CHANGES_CHANNEL, QUEUE_NAMES, type QueueName, type QueuePayloads } from '@servicetower/domain';

/**
 * Every job retries with exponential backoff (1 s, 2 s, 4 s … about 4 min in all), then
 * stays in the failed set with its error until someone replays it. Bounds keep Redis small: a
 * completed job is needed by nothing (its records are in the database, its Idempotency-Key kept
 * apart), so only the last hundred are kept to look at; a telemetry job carries up to
 * INGEST_JOB_READINGS (5,000) readings, and ten thousand of them kept grew Redis by 0.65 MiB/s in the
 * soak at 50,000 readings/s.
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 9,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 3600, count: 100 },
  removeOnFail: { age: 30 * 24 * 3600, count: 100_000 },
};

export type Queues = { [Q in QueueName]: Queue<QueuePayloads[Q]> };

/** A connection for BullMQ: commands wait for a reconnect instead of failing a worker. */
export function createBlockingConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const entries = QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions: JOB_OPTIONS })]);
  return Object.fromEntries(entries) as Queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}

/** The pub/sub channel of change notices, namespaced like the queues so that test runs do not meet. */
export function changesChannel(prefix: string): string {
  return `${prefix}:${CHANGES_CHANNEL}`;
}
