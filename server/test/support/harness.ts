import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { inject } from 'vitest';
import { loadConfig, QUEUE_NAMES, type Config } from '@servicetower/domain';
import { createPool, startWorkers, type RunningWorkers } from '@servicetower/workers';
import { buildApp } from '../../src/app.js';
import { createApiKey, KEY_SCOPES, type KeyScope } from '../../src/repositories/apiKeys.js';
import { createTestDatabase, deleteRedisKeys, TEST_REDIS_URL } from './database.js';

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
export async function startHarness(options: HarnessOptions = {}) {
  const database = await createTestDatabase(inject('templateDatabase'));
  const prefix = `test${randomBytes(4).toString('hex')}`;
  const config: Config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    WORKER_METRICS_PORT: '0',
    ...options.env,
  });
  const app = await buildApp(config, false);
  const pool = createPool(database.url, 4);
  const redis = new Redis(TEST_REDIS_URL);
  let workers: RunningWorkers | null = options.workers ? await startWorkers(config, pino({ level: 'silent' })) : null;

  const key = async (scopes: readonly KeyScope[] = KEY_SCOPES, regions: string[] | null = null) =>
    (await createApiKey(pool, { name: `test-${scopes.join('-')}`, scopes: [...scopes], regions })).token;
  const adminKey = await key();

  return {
    config,
    app,
    pool,
    redis,
    adminKey,
    key,
    async stopWorkers() {
      await workers?.close();
      workers = null;
    },
    async startWorkers() {
      workers ??= await startWorkers(config, pino({ level: 'silent' }));
    },
    /** Resolves once no ingestion job is waiting, delayed or running. */
    async drained(timeoutMs = 30_000) {
      await waitFor(async () => {
        for (const name of QUEUE_NAMES) {
          if (name === 'maintenance') continue;
          const counts = await app.queues[name].getJobCounts('waiting', 'active', 'delayed', 'prioritized');
          if (Object.values(counts).some((n) => n > 0)) return false;
        }
        return true;
      }, timeoutMs);
    },
    /** Posts records to an ingestion route; throws unless every one is accepted (202, none rejected). */
    async ingest(stream: string, records: object[], token = adminKey): Promise<void> {
      const response = await app.inject({ method: 'POST', url: `/api/v1/ingest/${stream}`, payload: records, headers: bearer(token) });
      if (response.statusCode !== 202 || (response.json() as { rejectedCount: number }).rejectedCount !== 0) {
        throw new Error(`POST /api/v1/ingest/${stream}: ${response.statusCode} ${response.body}`);
      }
    },
    async count(sql: string, values: unknown[] = []): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM (${sql}) AS q`, values);
      return Number(rows[0]!.n);
    },
    async close() {
      await workers?.close();
      await app.close();
      await pool.end();
      await deleteRedisKeys(redis, prefix);
      redis.disconnect();
      await database.drop();
    },
  };
}
export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A small network: two regions, an outlet in each, product lines, parts, an engine model and a device. */
export async function seedReference(app: App, token: string): Promise<void> {
  const put = async (url: string, payload: unknown) => {
    const response = await app.inject({ method: 'PUT', url: `/api/v1/${url}`, payload: payload as object, headers: { authorization: `Bearer ${token}` } });
    if (response.statusCode !== 200) throw new Error(`PUT ${url}: ${response.statusCode} ${response.body}`);
  };
  await put('regions/north', { name: 'North' });
  await put('regions/south', { name: 'South' });
  await put('outlets/bj-01', { name: 'Beijing 1', regionId: 'north', technicians: 6, lat: 39.9, lon: 116.4 });
  await put('outlets/gz-01', { name: 'Guangzhou 1', regionId: 'south', technicians: 4, lat: 23.1, lon: 113.3 });
  await put('product-lines/tv', { name: 'TV' });
  await put('product-lines/phone', { name: 'Phone' });
  await put('parts/P-100', { name: 'Panel', source: 'hq_stock', unitCost: 120 });
  await put('parts/P-200', { name: 'Mainboard', source: 'hq_procured', unitCost: 80.5 });
  await put('device-models/engine', {
    name: 'Turbofan',
    sensors: [
      { name: 's2', unit: '°R', min: 640, max: 645 },
      { name: 's3', unit: '°R', min: 1570, max: 1610 },
      { name: 's4', unit: '°R', min: 1380, max: 1440 },
    ],
  });
  await put('devices/eng-1', { modelId: 'engine', outletId: 'bj-01' });
  await put('devices/eng-2', { modelId: 'engine', outletId: 'gz-01' });
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}
