// Rate limits (@fastify/rate-limit, counted in Redis): per API key, per signed-in session, per client address
// without either, and failed sign-ins per address. Past a limit: 429 with Retry-After and a message naming the
// setting. The defaults sit far above what the benchmarks send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@servicetower/domain';
import { buildApp } from '../src/app.js';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';
import { createTestUser, PASSWORD, SAME_SITE } from './support/users.js';

const KEY_LIMIT = 8;
const ADDRESS_LIMIT = 6;
const SIGN_IN_LIMIT = 3;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: {
      RATE_LIMIT_KEY_PER_MINUTE: String(KEY_LIMIT),
      RATE_LIMIT_ADDRESS_PER_MINUTE: String(ADDRESS_LIMIT),
      RATE_LIMIT_SIGN_IN_PER_MINUTE: String(SIGN_IN_LIMIT),
    },
  });
  // Seeding takes more requests of the admin key than the limit here: through an app without the limit.
  const unlimited = await buildApp({ ...h.config, RATE_LIMIT_KEY_PER_MINUTE: 0 }, false);
  try {
    await seedReference(unlimited, h.adminKey);
  } finally {
    await unlimited.close();
  }
  await createTestUser(h, 'limited', 'viewer');
});
afterAll(() => h?.close());

/** From another client address: the proxy in front (loopback, trusted by default) says so in X-Forwarded-For. */
const from = (address: string) => ({ 'x-forwarded-for': address });

describe('defaults', () => {
  it('leave room for the benchmarks’ load and keep sign-in guessing slow', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://x@127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1' });
    // bench: tens of thousands of readings a second in batches of 1,000, ~100 requests a second per key.
    expect(config.RATE_LIMIT_KEY_PER_MINUTE).toBeGreaterThanOrEqual(10 * 100 * 60);
    expect(config.RATE_LIMIT_ADDRESS_PER_MINUTE).toBeGreaterThanOrEqual(1000);
    expect(config.RATE_LIMIT_SIGN_IN_PER_MINUTE).toBe(10);
    expect(config.TRUST_PROXY).toBe('loopback,linklocal,uniquelocal');
  });
});

describe('per API key', () => {
  it('answers 429 with Retry-After past the limit, to that key only', async () => {
    const key = await h.key(['read']);
    const other = await h.key(['read']);
    for (let i = 0; i < KEY_LIMIT; i++) {
      const response = await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(key) });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-ratelimit-limit']).toBe(String(KEY_LIMIT));
      expect(response.headers['x-ratelimit-remaining']).toBe(String(KEY_LIMIT - i - 1));
    }
    const refused = await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(key) });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/this API key: at most 8 a minute \(RATE_LIMIT_KEY_PER_MINUTE\)\. Retry after \d+ s/) });
    // Counted per key, whatever address it comes from; another key goes on.
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { ...bearer(key), ...from('198.51.100.7') } })).statusCode).toBe(429);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(other) })).statusCode).toBe(200);
    // Ingestion is limited like any route, before its body is read.
    const ingest = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', headers: bearer(key), payload: [] });
    expect(ingest.statusCode).toBe(429);
  });

  it('counts by the key id, without a database lookup: a token of the id with a wrong secret is refused 401 and counted to that id', async () => {
    const key = await h.key(['read']);
    const id = key.split('_')[1]!;
    const forged = await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(`st_${id}_${'A'.repeat(32)}`) });
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['x-ratelimit-remaining']).toBe(String(KEY_LIMIT - 1));
    const real = await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: bearer(key) });
    expect(real.headers['x-ratelimit-remaining']).toBe(String(KEY_LIMIT - 2));
  });
});

describe('per session', () => {
  it('limits a signed-in browser like a key', async () => {
    const signedIn = await h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'limited', password: PASSWORD }, headers: { ...SAME_SITE, ...from('203.0.113.50') } });
    expect(signedIn.statusCode).toBe(200);
    const cookie = `st_session=${signedIn.cookies.find((c) => c.name === 'st_session')!.value}`;
    const statuses: number[] = [];
    for (let i = 0; i <= KEY_LIMIT; i++) statuses.push((await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: { cookie } })).statusCode);
    expect(statuses.slice(0, KEY_LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('per address without credentials', () => {
  it('limits the dashboard files and refused requests of one address, never the probes', async () => {
    const address = from('192.0.2.10');
    const statuses: number[] = [];
    for (let i = 0; i <= ADDRESS_LIMIT; i++) statuses.push((await h.app.inject({ method: 'GET', url: '/api/v1/regions', headers: address })).statusCode);
    expect(statuses).toEqual([...Array(ADDRESS_LIMIT).fill(401), 429]);
    const refused = await h.app.inject({ method: 'GET', url: '/', headers: address });
    expect(refused.statusCode).toBe(429);
    expect(refused.json().message).toMatch(/your address without an API key or sign-in: at most 6 a minute \(RATE_LIMIT_ADDRESS_PER_MINUTE\)/);
    // Another address is not affected; health, readiness and metrics are never limited.
    expect((await h.app.inject({ method: 'GET', url: '/', headers: from('192.0.2.11') })).statusCode).toBeLessThan(400);
    for (let i = 0; i < ADDRESS_LIMIT * 2; i++) {
      for (const url of ['/healthz', '/readyz', '/metrics']) expect((await h.app.inject({ method: 'GET', url, headers: address })).statusCode, url).toBe(200);
    }
  });
});

describe('failed sign-ins per address', () => {
  const signIn = (password: string, address: string, username = 'limited') =>
    h.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, headers: { ...SAME_SITE, ...from(address) } });

  it('are refused with 429 past the limit, even with the right password, until the minute is over', async () => {
    for (let i = 0; i < SIGN_IN_LIMIT; i++) expect((await signIn(`wrong password ${i}`, '198.51.100.20')).statusCode).toBe(401);
    const refused = await signIn(PASSWORD, '198.51.100.20');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json().message).toMatch(/Too many failed sign-ins from your address: at most 3 a minute \(RATE_LIMIT_SIGN_IN_PER_MINUTE\)\. Wait \d+ s/);
    expect(refused.cookies).toEqual([]);
    // Unknown users count as failures too.
    for (let i = 0; i < SIGN_IN_LIMIT; i++) await signIn('whatever it is', '198.51.100.21', `nobody-${i}`);
    expect((await signIn(PASSWORD, '198.51.100.21')).statusCode).toBe(429);
    // Another address signs in.
    expect((await signIn(PASSWORD, '198.51.100.22')).statusCode).toBe(200);
  });

  it('do not count successful sign-ins', async () => {
    // More than the failure limit, within the address limit (sign-in is a request without credentials).
    for (let i = 0; i < SIGN_IN_LIMIT + 2; i++) expect((await signIn(PASSWORD, '198.51.100.30')).statusCode).toBe(200);
  });

  it('cannot be dodged with X-Forwarded-For when no trusted proxy is in front', async () => {
    const app = await buildApp({ ...h.config, TRUST_PROXY: 'off' }, false);
    try {
      const statuses: number[] = [];
      for (let i = 0; i <= SIGN_IN_LIMIT; i++) {
        const response = await app.inject({
          method: 'POST', url: '/api/v1/session', payload: { username: 'limited', password: `guess ${i}` },
          headers: { ...SAME_SITE, ...from(`203.0.113.${100 + i}`) }, remoteAddress: '192.0.2.200',
        });
        statuses.push(response.statusCode);
      }
      expect(statuses).toEqual([...Array(SIGN_IN_LIMIT).fill(401), 429]);
    } finally {
      await app.close();
    }
  });
});
