import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface StoredAnswer {
  statusCode: number;
  body: unknown;
}

export type Claim = { state: 'new' } | { state: 'in-progress' } | { state: 'done'; answer: StoredAnswer };

const PENDING = 'pending';
/** A claim left by a process that died mid-request expires after this, so the key can be retried. */
const PENDING_TTL_SECONDS = 15 * 60;

/** The Redis key of one Idempotency-Key, per API key and stream (a key is never shared across clients). */
export function idempotencyRedisKey(prefix: string, apiKeyId: string, stream: string, idempotencyKey: string): string {
  return `${prefix}:idempotency:${apiKeyId}:${stream}:${createHash('sha256').update(idempotencyKey).digest('hex')}`;
}

/**
 * The batch id: derived from the Idempotency-Key when there is one, so that a retry after a
 * lost answer queues jobs with the same ids (BullMQ keeps one job per id), random otherwise.
 */
export function batchIdFor(redisKey: string | null): string {
  return redisKey ? createHash('sha256').update(redisKey).digest('hex').slice(0, 32) : randomUUID().replaceAll('-', '');
}

export async function claim(redis: Redis, key: string): Promise<Claim> {
  const set = await redis.set(key, PENDING, 'EX', PENDING_TTL_SECONDS, 'NX');
  if (set === 'OK') return { state: 'new' };
  const value = await redis.get(key);
  if (value === null) return claim(redis, key);
  if (value === PENDING) return { state: 'in-progress' };
  return { state: 'done', answer: JSON.parse(value) as StoredAnswer };
}

export async function remember(redis: Redis, key: string, answer: StoredAnswer, ttlSeconds: number): Promise<void> {
  await redis.set(key, JSON.stringify(answer), 'EX', ttlSeconds);
}

/** Forgets a claim whose request did not finish, so that a retry is processed afresh. */
export async function release(redis: Redis, key: string): Promise<void> {
  await redis.del(key).catch(() => {});
}
