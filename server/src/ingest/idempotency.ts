import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface StoredAnswer {
  statusCode: number;
  body: unknown;
}

/** A new claim is a lease: held by one request, renewed while it runs, given up when it fails. */
export type Claim = { state: 'new'; lease: Lease } | { state: 'in-progress' } | { state: 'done'; answer: StoredAnswer };

const PENDING = 'pending:';
/**
 * How long a claim outlives a request that can no longer renew it (its process died, or Redis lost the
 * release): a retry with the same key is answered 409 for at most this long, then processed afresh. The
 * batch id comes from the key, so even a retry processed while the first request still ran would queue
 * the same jobs, which BullMQ keeps once.
 */
const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;

/** Renews the lease only while it is still this request's, and gives it up the same way. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('EXPIRE', KEYS[1], ARGV[2]) end return 0`;
const GIVE_UP = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

export class Lease {
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly redis: Redis, readonly key: string, private readonly owner: string) {
    this.timer = setInterval(() => void redis.eval(RENEW, 1, key, owner, LEASE_SECONDS).catch(() => {}), RENEW_EVERY_MS);
    this.timer.unref();
  }

  /** Replaces the claim with the request's answer, kept for `ttlSeconds`. */
  async remember(answer: StoredAnswer, ttlSeconds: number): Promise<void> {
    clearInterval(this.timer);
    await this.redis.set(this.key, JSON.stringify(answer), 'EX', ttlSeconds);
  }

  /** Gives the claim up, so that a retry is processed afresh (if Redis is away, the lease runs out instead). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.eval(GIVE_UP, 1, this.key, this.owner).catch(() => {});
  }
}

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
  const owner = `${PENDING}${randomUUID()}`;
  const set = await redis.set(key, owner, 'EX', LEASE_SECONDS, 'NX');
  if (set === 'OK') return { state: 'new', lease: new Lease(redis, key, owner) };
  const value = await redis.get(key);
  if (value === null) return claim(redis, key);
  if (value.startsWith(PENDING)) return { state: 'in-progress' };
  return { state: 'done', answer: JSON.parse(value) as StoredAnswer };
}
