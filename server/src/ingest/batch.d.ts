import type { Queue } from 'bullmq';
import { type FieldError, type IngestJob, type StreamName } from '@servicetower/domain';
import type { ReferenceCache } from './referenceCache.js';
export interface Rejection {
    /** Position of the record in the batch, from 0. */
    index: number;
    /** Line of the body it came from, for NDJSON and CSV. */
    line?: number;
    errors: FieldError[];
}
export interface BatchSummary {
    batchId: string;
    accepted: number;
    /** The first rejections, up to MAX_LISTED_REJECTIONS; `rejectedCount` counts them all. */
    rejected: Rejection[];
    rejectedCount: number;
}
export declare const MAX_LISTED_REJECTIONS = 1000;
export interface BatchOptions<S extends StreamName> {
    stream: S;
    batchId: string;
    queue: Queue<IngestJob<S>>;
    references: ReferenceCache;
    /** The key's regions; null: all. */
    regions: readonly string[] | null;
    /** Records (events) or readings (telemetry) per queued job. */
    jobSize: number;
    /** Resolves when the queue has room for another job; throws when it stays full. */
    waitForRoom: () => Promise<void>;
}
/**
 * Takes the records of one request one at a time, validates each, and queues the valid
 * ones in jobs of a fixed size as they fill, so that a long upload never sits in memory.
 * Job ids come from the batch id and the job's position: a replayed batch queues nothing new.
 */
export declare class BatchIngestor<S extends StreamName> {
    private readonly options;
    private readonly validator;
    private pending;
    private pendingSize;
    private part;
    private accepted;
    private rejectedCount;
    private readonly rejected;
    constructor(options: BatchOptions<S>);
    add(raw: unknown, index: number, line?: number): Promise<void>;
    reject(rejection: Rejection): void;
    /** Queues what is left and sums up the batch. */
    finish(): Promise<BatchSummary>;
    private check;
    /** Telemetry records larger than a job are cut into several by their samples. */
    private split;
    private flush;
}
