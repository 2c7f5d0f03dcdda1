import { createHash } from 'node:crypto';
import fp from 'fastify-plugin';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE } from './auth.js';
import { HttpError } from './errors.js';

const MINUTE_MS = 60_000;
/** Monitoring polls these; they answer nothing a caller could abuse. */
const UNLIMITED_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const SIGN_IN = { method: 'POST', url: '/api/v1/session' };
const API_KEY = /^Bearer\s+st_([0-9a-f]{12})_/;

type Bucket = 'key' | 'session' | 'address';

/**
 * Who a request is counted against, without a database lookup: the API key (by its id, the public part
 * of the token), else the session cookie (by a hash of it), else the client address (an IPv6 address by
 * its /64, as one machine usually holds a whole /64).
 */
function bucketOf(request: FastifyRequest): { bucket: Bucket; id: string } {
  const key = API_KEY.exec(request.headers.authorization ?? '');
  if (key) return { bucket: 'key', id: key[1]! };
  const session = request.headers.authorization === undefined ? request.cookies?.[SESSION_COOKIE] : undefined;
  if (session) return { bucket: 'session', id: createHash('sha256').update(session).digest('base64url').slice(0, 22) };
  return { bucket: 'address', id: normalizeIP(request.ip) };
}

const BUCKET_NAMES: Record<Bucket, { who: string; setting: string }> = {
  key: { who: 'this API key', setting: 'RATE_LIMIT_KEY_PER_MINUTE' },
  session: { who: 'this sign-in', setting: 'RATE_LIMIT_KEY_PER_MINUTE' },
  address: { who: 'your address without an API key or sign-in', setting: 'RATE_LIMIT_ADDRESS_PER_MINUTE' },
};

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Rate limits (@fastify/rate-limit), counted in Redis so that every API instance shares them:
 * - every request, per API key or signed-in session (RATE_LIMIT_KEY_PER_MINUTE, far above what ingestion
 *   at full speed sends), and per client address for requests with neither (RATE_LIMIT_ADDRESS_PER_MINUTE);
 * - failed sign-ins per client address (RATE_LIMIT_SIGN_IN_PER_MINUTE): past the limit, sign-in answers
 *   429 until the minute is over, so passwords cannot be guessed at speed.
 * Past a limit the answer is 429 with Retry-After. While Redis is away nothing is limited: ingestion
 * answers 503 then anyway, and reading goes on.
 */
export default fp(
  async (app) => {
    const { config } = app;
    const limitOf = (bucket: Bucket) => (bucket === 'address' ? config.RATE_LIMIT_ADDRESS_PER_MINUTE : config.RATE_LIMIT_KEY_PER_MINUTE);

    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      redis: app.redis,
      nameSpace: `${config.QUEUE_PREFIX}:rate-limit:`,
      skipOnError: true,
      timeWindow: MINUTE_MS,
      keyGenerator: (request) => {
        const { bucket, id } = bucketOf(request);
        return `${bucket}:${id}`;
      },
      max: (request) => limitOf(bucketOf(request).bucket),
      allowList: (request) => UNLIMITED_ROUTES.has(request.routeOptions.url ?? '') || limitOf(bucketOf(request).bucket) === 0,
      errorResponseBuilder: (request, context) => {
        const { who, setting } = BUCKET_NAMES[bucketOf(request).bucket];
        const wait = seconds(context.ttl);
        return new HttpError(429, `Too many requests from ${who}: at most ${context.max} a minute (${setting}). Retry after ${wait} s.`, {
          'retry-after': String(wait),
        });
      },
    });

    const signInFailures = app.createRateLimit({
      max: config.RATE_LIMIT_SIGN_IN_PER_MINUTE,
      timeWindow: MINUTE_MS,
      keyGenerator: (request) => `sign-in:${normalizeIP(request.ip)}`,
      allowList: () => config.RATE_LIMIT_SIGN_IN_PER_MINUTE === 0,
    });

    /** Refuses a sign-in from an address that has failed too often this minute, before its password is checked. */
    async function refuseAfterFailures(request: FastifyRequest) {
      const state = await signInFailures(request, { increment: false }).catch(() => null);
      if (!state || state.isAllowed || state.remaining > 0 || state.ttl <= 0) return;
      const wait = seconds(state.ttl);
      throw new HttpError(
        429,
        `Too many failed sign-ins from your address: at most ${state.max} a minute (RATE_LIMIT_SIGN_IN_PER_MINUTE). Wait ${wait} s, then try again; an admin can set a new password if it is lost.`,
        { 'retry-after': String(wait) },
      );
    }

    /** Counts a refused sign-in (wrong user or password, disabled account) against its address. */
    async function countFailure(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
      if (reply.statusCode === 401) await signInFailures(request).catch(() => null);
      return payload;
    }

    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (route.url !== SIGN_IN.url || !methods.includes(SIGN_IN.method)) return;
      route.onRequest = [...asArray(route.onRequest), refuseAfterFailures];
      route.onSend = [...asArray(route.onSend), countFailure];
    });
  },
  { name: 'rate-limits', dependencies: ['config', 'redis', 'errors', 'auth'] },
);

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
