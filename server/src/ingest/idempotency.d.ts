import type { Redis } from 'ioredis';
export interface StoredAnswer {
    statusCode: number;
    body: unknown;
}
export type Claim = {
    state: 'new';
} | {
    state: 'in-progress';
} | {
    state: 'done';
    answer: StoredAnswer;
};
/** The Redis key of one Idempotency-Key, per API key and stream (a key is never shared across clients). */
export declare function idempotencyRedisKey(prefix: string, apiKeyId: string, stream: string, idempotencyKey: string): string;
/**
 * The batch id: derived from the Idempotency-Key when there is one, so that a retry after a
 * lost answer queues jobs with the same ids (BullMQ keeps one job per id), random otherwise.
 */
export declare function batchIdFor(redisKey: string | null): string;
export declare function claim(redis: Redis, key: string): Promise<Claim>;
export declare function remember(redis: Redis, key: string, answer: StoredAnswer, ttlSeconds: number): Promise<void>;
/** Forgets a claim whose request did not finish, so that a retry is processed afresh. */
export declare function release(redis: Redis, key: string): Promise<void>;
