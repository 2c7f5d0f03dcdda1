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
export declare function queueCounts(queues: Queues): Promise<{
    queue: string;
}[]>;
/** The failed set of a queue, newest first, with the error each job last failed with. */
export declare function listFailedJobs(queues: Queues, queue: QueueName, limit?: number): Promise<FailedJob[]>;
/** Puts failed jobs back in the queue: one by id, or all of them. Returns how many were replayed. */
export declare function replayFailedJobs(queues: Queues, queue: QueueName, jobId?: string): Promise<number>;
