/**
 * npm run bench:queries [-- --months 36 --runs 40 --keep] — see bench/README.md.
 * Loads simulated history for the whole network (default three years, 80 outlets) into a database of
 * its own through the workers' own write path (processIngestJob, with the rollups kept as in
 * production; the HTTP and Redis hops are measured by bench:ingest), then times every KPI route
 * through the real app (app.inject) for a year at month granularity and a month at day granularity,
 * and prints p50 and p95 per route, beside the floor: a one-row read through the same route stack.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig, type CollectionName, type IngestJob, type StreamName } from '@servicetower/domain';
import { backfill, defaultSettings, type IngestClient } from '@servicetower/simulator';
import { createPool, ensureRollups, processIngestJob, writeBriefing, type Pool } from '@servicetower/workers';
import { buildApp } from '../server/src/app.js';
import { migrate } from '../server/src/db/migrate.js';
import { createApiKey } from '../server/src/repositories/apiKeys.js';
import { upsertReference } from '../server/src/repositories/reference.js';
import { databaseExists, databaseUrl as urlOf, onServer, p50p95, peakRssMiB, progress, REDIS_URL, resetPeakRss, writeResult } from './support.js';

const USAGE = 'npm run bench:queries -- [--quick] [--months N] [--outlets N] [--runs N] [--warmup N] [--no-briefing] [--keep] [--reuse] [--out FILE]';
/** --quick measures this history when a run with --keep or --reuse left it loaded, else loads the small one. */
const QUICK_REUSED = { months: '13', outlets: '80' };
const QUICK_LOADED = { months: '2', outlets: '10' };
/** The history ends here, so that every run loads the same data. */
const HISTORY_END = Date.parse('2026-10-01T00:00:00+08:00');

async function readOptions() {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false }, months: { type: 'string' }, outlets: { type: 'string' }, runs: { type: 'string' },
        warmup: { type: 'string' }, 'no-briefing': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false }, reuse: { type: 'boolean', default: false }, out: { type: 'string' },
      },
    });
    const whole = (name: 'months' | 'outlets' | 'runs' | 'warmup', fallback: string) => {
      const text = values[name] ?? fallback;
      if (!/^[0-9]+$/.test(text) || (name !== 'warmup' && Number(text) === 0)) throw new Error(`--${name} takes a whole number (got "${text}").`);
      return Number(text);
    };
    // --quick: a loaded history if there is one (measured again, kept), else a small one loaded and dropped; fewer runs, no briefing.
    const quickHistory = values.quick && !values.months && !values.outlets
      ? (await databaseExists(`servicetower_bench_queries_${QUICK_REUSED.months}m_${QUICK_REUSED.outlets}o`) ? QUICK_REUSED : QUICK_LOADED)
      : null;
    return {
      months: whole('months', quickHistory?.months ?? '36'), outlets: whole('outlets', quickHistory?.outlets ?? '80'),
      runs: whole('runs', values.quick ? '5' : '40'), warmup: whole('warmup', values.quick ? '1' : '5'),
      briefing: !values['no-briefing'] && !values.quick, keep: values.keep!, reuse: values.reuse! || quickHistory === QUICK_REUSED, out: values.out,
    };
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${USAGE}`);
    return process.exit(2);
  }
}
const opts = await readOptions();
const redisUrl = REDIS_URL;
const dbName = `servicetower_bench_queries_${opts.months}m_${opts.outlets}o`;
const databaseUrl = urlOf(dbName);
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

/** What the history holds, so that a reused database shows what was measured. */
async function countLoaded(pool: Pool) {
  return (await pool.query<{ orders: string; requests: string; complaints: string; events: string }>(
    `SELECT (SELECT count(*) FROM service_order) AS orders, (SELECT count(*) FROM parts_request) AS requests,
            (SELECT count(*) FROM complaint_state) AS complaints, (SELECT count(*) FROM service_order_event) AS events`,
  )).rows[0]!;
}

async function load(): Promise<Record<string, unknown>> {
  if (opts.reuse && (await databaseExists(dbName))) {
    const pool = createPool(databaseUrl, 1);
    const counts = await countLoaded(pool).finally(() => pool.end());
    console.log(`reusing ${dbName} (--reuse): ${counts.events} service-order events, ${counts.orders} orders, ${counts.requests} parts requests, ${counts.complaints} complaints`);
    return { reused: true, ...counts };
  }
  await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await onServer(`CREATE DATABASE ${dbName}`);
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
    const counts = await countLoaded(pool);
    console.log(`loaded in ${seconds.toFixed(0)} s: ${counts.events} service-order events, ${counts.orders} orders, ${counts.requests} parts requests, ${counts.complaints} complaints`);
    return { loadSeconds: seconds, ...counts, truthOrders: run.truth.generatedFrom.counts.orders };
  } finally {
    await pool.end();
  }
}

/**
 * The floor: the least any route can take through this stack. A one-row read of the reference data passes the same
 * hooks as a KPI route (key lookup, rate limit, scope check), runs one trivial indexed query and serialises a small
 * body; what a KPI route takes beyond it is its own SQL and computation.
 */
const FLOOR = { route: 'floor: GET /api/v1/regions?limit=1', scale: 'one row', url: '/api/v1/regions?limit=1' };

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

  const time = async <C extends { url: string }>(c: C) => {
    const times: number[] = [];
    for (let i = 0; i < opts.runs + opts.warmup; i++) {
      const began = performance.now();
      const response = await app.inject({ method: 'GET', url: c.url, headers: { authorization: `Bearer ${token}` } });
      const ms = performance.now() - began;
      if (response.statusCode !== 200) throw new Error(`${c.url}: ${response.statusCode} ${response.body.slice(0, 300)}`);
      if (i >= opts.warmup) times.push(ms);
    }
    return { ...c, ...p50p95(times), runs: times.length };
  };
  progress(`Timing the floor and ${cases.length} routes, ${opts.warmup} + ${opts.runs} requests each …`);
  const floor = await time(FLOOR);
  const results = [];
  for (const c of cases) results.push(await time(c));
  // Not a route, but worth knowing on this much history: the daily briefing job for the last day.
  let briefingMs: number | null = null;
  if (opts.briefing) {
    const briefingPool = createPool(databaseUrl, 2);
    const began = performance.now();
    await writeBriefing(briefingPool, config, { date: '2026-09-30' });
    briefingMs = Math.round(performance.now() - began);
    await briefingPool.end();
  }
  await app.close();
  return { floor, results, briefingMs };
}

const loaded = await load();
// The app runs in this process: its peak memory is this process's from here on (the load above is not counted).
const peakReset = resetPeakRss(process.pid);
const { floor, results, briefingMs } = await measure();
const memoryMiB = { 'api (in-process, with the bench)': peakRssMiB(process.pid) };
console.log(`\n${opts.months} months, ${opts.outlets} outlets, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}, ${opts.runs} timed runs per route (${opts.warmup} warm-up)\n`);
console.log('| route | range | p50 ms | p95 ms |\n| --- | --- | ---: | ---: |');
for (const r of [floor, ...results]) console.log(`| ${r.route} | ${r.scale} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} |`);
if (briefingMs !== null) console.log(`\ndaily briefing job for 2026-09-30 (not a route): ${briefingMs} ms`);
const slow = results.filter((r) => r.p95 > 100);
console.log(slow.length === 0 ? '\nevery route: p95 ≤ 100 ms' : `\np95 above 100 ms: ${slow.map((r) => `${r.route} (${r.scale})`).join(', ')}`);
console.log(`peak memory of the process holding the app${peakReset ? '' : ' (and the load: VmHWM could not be reset)'}: ${memoryMiB['api (in-process, with the bench)'] ?? '?'} MiB`);
const file = writeResult('queries', {
  date: new Date().toISOString(), options: { ...opts, out: undefined },
  settings: { start: new Date(settings.start).toISOString(), end: new Date(settings.end).toISOString(), timeZone: settings.timeZone },
  loaded, floor, results, briefingMs, memoryMiB, loadAverage1m: os.loadavg()[0],
}, opts.out);
console.log(`results: ${file}`);
if (!opts.keep && !opts.reuse) await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
process.exit(0);
