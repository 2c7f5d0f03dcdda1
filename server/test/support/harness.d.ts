import { Redis } from 'ioredis';
import { buildApp } from '../../src/app.js';
import { type KeyScope } from '../../src/repositories/apiKeys.js';
export type App = Awaited<ReturnType<typeof buildApp>>;
export interface HarnessOptions {
    /** Start the workers in this process (most tests); a test of worker processes starts its own. */
    workers?: boolean;
    env?: Record<string, string>;
}
/**
 * Everything one test file needs: its own database (cloned from the migrated template),
 * its own queue prefix in the real Redis, the real app, and optionally the real workers.
 */
export declare function startHarness(options?: HarnessOptions): Promise<{
    config: {
        DATABASE_URL: string;
        REDIS_URL: string;
        PORT: number;
        HOST: string;
        BUSINESS_TIMEZONE: string;
        LOG_LEVEL: string;
        DEMO: "on" | "off";
        QUEUE_PREFIX: string;
        INGEST_JSON_LIMIT_BYTES: number;
        INGEST_STREAM_LIMIT_BYTES: number;
        INGEST_MAX_RECORDS: number;
        INGEST_JOB_READINGS: number;
        INGEST_JOB_EVENTS: number;
        QUEUE_HIGH_WATER: number;
        IDEMPOTENCY_TTL_SECONDS: number;
        WORKER_CONCURRENCY: number;
        WORKER_LOCK_MS: number;
        WORKER_METRICS_PORT: number;
        READING_RETENTION_DAYS: number;
        PARTITIONS_AHEAD: number;
        WEB_DIST: string;
    };
    app: import("fastify").FastifyInstance<import("fastify").RawServerDefault, import("http").IncomingMessage, import("http").ServerResponse<import("http").IncomingMessage>, import("fastify").FastifyBaseLogger, import("@fastify/type-provider-typebox").TypeBoxTypeProvider>;
    pool: import("pg").Pool;
    redis: Redis<"legacy">;
    adminKey: string;
    key: (scopes?: readonly KeyScope[], regions?: string[] | null) => Promise<string>;
    stopWorkers(): Promise<void>;
    startWorkers(): Promise<void>;
    /** Resolves once no ingestion job is waiting, delayed or running. */
    drained(timeoutMs?: number): Promise<void>;
    count(sql: string, values?: unknown[]): Promise<number>;
    close(): Promise<void>;
}>;
export type Harness = Awaited<ReturnType<typeof startHarness>>;
export declare function waitFor(check: () => Promise<boolean> | boolean, timeoutMs?: number, what?: string): Promise<void>;
/** A small network: two regions, an outlet in each, product lines, parts, an engine model and a device. */
export declare function seedReference(app: App, token: string): Promise<void>;
export declare function bearer(token: string): {
    authorization: string;
};
