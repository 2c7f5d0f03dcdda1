/**
 * npm run bench:queries [-- --months 36 --runs 40 --keep] — see bench/README.md.
 * Loads simulated history for the whole network (default three years, 80 outlets) into a database of
 * its own through the workers' own write path (processIngestJob, with the rollups kept as in
 * production; the HTTP and Redis hops are measured by bench:ingest), then times every KPI route
 * through the real app (app.inject) for a year at month granularity and a month at day granularity,
 * and prints p50 and p95 per route.
 */
import os from 'node:os';
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig, type CollectionName, type IngestJob, type StreamName } from '@servicetower/domain';
import { backfill, defaultSettings, type IngestClient } from '@servicetower/simulator';
import { createPool, ensureRollups, processIngestJob, writeBriefing, type Pool } from '@servicetower/workers';
import { buildApp } from '../server/src/app.js';
import { migrate } from '../server/src/db/migrate.js';
import { createApiKey } from '../server/src/repositories/apiKeys.js';
import { upsertReference } from '../server/src/repositories/reference.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'npm run bench:queries -- [--months N] [--outlets N] [--runs N] [--keep] [--reuse]';
/** The history ends here, so that every run loads the same data. */
const HISTORY_END = Date.parse('2026-10-01T00:00:00+08:00');

function readOptions() {
  try {
    const { values } = parseArgs({
      options: {
        months: { type: 'string', default: '36' }, outlets: { type: 'string', default: '80' }, runs: { type: 'string', default: '40' },
        keep: { type: 'boolean', default: false }, reuse: { type: 'boolean', default: false },
      },
    });
    const whole = (name: 'months' | 'outlets' | 'runs') => {
      const text = values[name]!;
      if (!/^[1-9][0-9]*$/.test(text)) throw new Error(`--${name} takes a positive whole number (got "${text}").`);
      return Number(text);
    };
    return { months: whole('months'), outlets: whole('outlets'), runs: whole('runs'), keep: values.keep!, reuse: values.reuse! };
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${USAGE}`);
    return process.exit(2);
  }
}
const opts = readOptions();
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `servicetower_bench_queries_${opts.months}m_${opts.outlets}o`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
const settings = defaultSettings(HISTORY_END, { months: opts.months, outlets: opts.outlets, seed: 1 });

/** Retries a write that lost a deadlock or serialization race, as BullMQ's retry would. */
async function withRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}

/** The simulator's client, writing straight through the workers' code instead of HTTP. */
function directClient(pool: Pool): IngestClient {
  let batch = 0;
  const client = {
    async putReference(collection: CollectionName, id: string, body: unknown) {
      await upsertReference(pool, collection, id, body as never);
    },
    async hasNetwork() {
      return false;
    },
    async send(stream: StreamName, records: readonly unknown[]) {
      const job = { batchId: `bench-${batch++}`, part: 0, records } as unknown as IngestJob<StreamName>;
      await withRetry(() => processIngestJob(pool, stream, job, { rollupTimeZone: settings.timeZone }));
      return { accepted: records.length, rejectedCount: 0, retries: 0 };
    },
  };
  return client as unknown as IngestClient;
}

async function load(): Promise<Record<string, unknown>> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount === 1;
  if (exists && opts.reuse) {
    await admin.end();
    console.log(`reusing ${dbName} (--reuse)`);
    return { reused: true };
  }
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  await migrate(databaseUrl);
  const pool = createPool(databaseUrl, 4);
  try {
    await pool.query('SELECT maintain_time_partitions($1::int, $2::timestamptz)', [opts.months + 3, new Date(settings.start)]);
    await ensureRollups(pool, settings.timeZone);
    const began = Date.now();
    const run = await backfill({
      settings, client: directClient(pool), batchSize: 2000, concurrency: 2, cmapssDir: null,
      telemetryEveryMs: 7 * 86_400_000, log: (line) => console.log(`  ${line}`),
    });
    const seconds = (Date.now() - began) / 1000;
    await pool.query('VACUUM ANALYZE');
    const counts = (await pool.query<{ orders: string; requests: string; complaints: string; events: string }>(
      `SELECT (SELECT count(*) FROM service_order) AS orders, (SELECT count(*) FROM parts_request) AS requests,
              (SELECT count(*) FROM complaint_state) AS complaints, (SELECT count(*) FROM service_order_event) AS events`,
    )).rows[0]!;
    console.log(`loaded in ${seconds.toFixed(0)} s: ${counts.events} service-order events, ${counts.orders} orders, ${counts.requests} parts requests, ${counts.complaints} complaints`);
    return { loadSeconds: seconds, ...counts, truthOrders: run.truth.generatedFrom.counts.orders };
  } finally {
    await pool.end();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

async function measure() {
  const config = loadConfig({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, LOG_LEVEL: 'silent', BUSINESS_TIMEZONE: settings.timeZone, QUEUE_PREFIX: 'benchq' });
  const app = await buildApp(config, false);
  const pool = createPool(databaseUrl, 1);
  const { token } = await createApiKey(pool, { name: 'bench-queries', scopes: ['read'], regions: null });
  await pool.end();
  const year = 'from=2025-10-01&to=2026-10-01&interval=month';
  const month = 'from=2026-09-01&to=2026-10-01&interval=day';
  const ranged = [
    'service-load', 'service-load&groupBy=region', 'service-load&groupBy=outlet', 'complaints', 'complaints&groupBy=cause',
    'parts/supply-cycle&groupBy=source', 'parts/supply-cycle&groupBy=region', 'parts/wait-complaints',
  ];
  const routes = app.printRoutes({ commonPrefix: false });
  const cases: Array<{ route: string; scale: string; url: string }> = [];
  for (const [scale, range] of [['year by month', year], ['month by day', month]] as const) {
    for (const spec of ranged) {
      const [path, group] = spec.split('&');
      if (!routes.includes(path!.split('/').at(-1)!)) continue; // a route this checkout does not have
      cases.push({ route: spec.replace('&', ' '), scale, url: `/api/v1/kpi/${path}?${range}${group ? `&${group}` : ''}` });
    }
    const [from, to] = [range.split('&')[0]!.slice(5), range.split('&')[1]!.slice(3)];
    cases.push({ route: 'overview', scale, url: `/api/v1/kpi/overview?from=${from}&to=${to}` });
  }
  const at = new Date(HISTORY_END).toISOString();
  cases.push({ route: 'parts/open-requests', scale: 'snapshot', url: `/api/v1/kpi/parts/open-requests?at=${at}` });
  cases.push({ route: 'orders/waiting-parts', scale: 'snapshot', url: `/api/v1/kpi/orders/waiting-parts?at=${at}` });
  if (routes.includes('staffing')) cases.push({ route: 'staffing', scale: 'next month', url: '/api/v1/kpi/staffing?month=2026-10' });

  const results = [];
  for (const c of cases) {
    const times: number[] = [];
    for (let i = 0; i < opts.runs + 5; i++) {
      const began = performance.now();
      const response = await app.inject({ method: 'GET', url: c.url, headers: { authorization: `Bearer ${token}` } });
      const ms = performance.now() - began;
      if (response.statusCode !== 200) throw new Error(`${c.url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      if (i >= 5) times.push(ms);
    }
    times.sort((a, b) => a - b);
    results.push({ ...c, p50: percentile(times, 0.5), p95: percentile(times, 0.95), runs: times.length });
  }
  // Not a route, but worth knowing on this much history: the daily briefing job for the last day.
  const briefingPool = createPool(databaseUrl, 2);
  const began = performance.now();
  await writeBriefing(briefingPool, config, { date: '2026-09-30' });
  const briefingMs = performance.now() - began;
  await briefingPool.end();
  await app.close();
  return { results, briefingMs };
}

const loaded = await load();
const { results, briefingMs } = await measure();
console.log(`\n${opts.months} months, ${opts.outlets} outlets, ${os.cpus().length} cores, ${opts.runs} timed runs per route (5 warm-up)\n`);
console.log('| route | range | p50 ms | p95 ms |\n| --- | --- | ---: | ---: |');
for (const r of results) console.log(`| ${r.route} | ${r.scale} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} |`);
console.log(`\ndaily briefing job for 2026-09-30 (not a route): ${briefingMs.toFixed(0)} ms`);
const slow = results.filter((r) => r.p95 > 100);
console.log(slow.length === 0 ? '\nevery route: p95 ≤ 100 ms' : `\np95 above 100 ms: ${slow.map((r) => `${r.route} (${r.scale})`).join(', ')}`);
mkdirSync(`${ROOT}/bench/results`, { recursive: true });
const file = `${ROOT}/bench/results/queries-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}-${os.cpus().length}c.json`;
writeFileSync(file, `${JSON.stringify({ options: opts, settings: { start: new Date(settings.start).toISOString(), end: new Date(settings.end).toISOString(), timeZone: settings.timeZone }, loaded, results, briefingMs }, null, 2)}\n`);
console.log(`results: ${file}`);
if (!opts.keep && !opts.reuse) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
process.exit(0);
