/**
 * npm run bench:telemetry [-- --days 30 --rate 50000 --seconds 30 --keep --reuse] — see bench/README.md.
 * Two figures:
 * 1. Series: p50/p95 of GET /api/v1/devices/:id/series for `--days` days of one device with `--sensors`
 *    sensors sampled once a second (30 days × 20 sensors: 51.8 million readings), all sensors at once.
 * 2. Live lag: readings posted over HTTP at `--rate` readings/s for `--seconds` s, timestamped when sent;
 *    a WebSocket client subscribed to every device notes, for each live message, how long ago the newest
 *    reading in it was sent. The API and the workers run as child processes, as in production.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { WebSocket } from 'ws';
import type { LiveServerMessage } from '@servicetower/domain';
import { createPool, rebuildReadingRollups } from '@servicetower/workers';
import { migrate } from '../server/src/db/migrate.js';
import { createApiKey } from '../server/src/repositories/apiKeys.js';
import { upsertReference } from '../server/src/repositories/reference.js';
import { Children, freePort, percentile, post, ROOT } from './support.js';

const USAGE = 'npm run bench:telemetry -- [--days N] [--sensors N] [--runs N] [--rate N] [--seconds N] [--devices N] [--keep] [--reuse]';

function readOptions() {
  try {
    const { values } = parseArgs({
      options: {
        days: { type: 'string', default: '30' }, sensors: { type: 'string', default: '20' }, runs: { type: 'string', default: '30' },
        rate: { type: 'string', default: '50000' }, seconds: { type: 'string', default: '30' }, devices: { type: 'string', default: '50' },
        keep: { type: 'boolean', default: false }, reuse: { type: 'boolean', default: false },
      },
    });
    const whole = (name: 'days' | 'sensors' | 'runs' | 'rate' | 'seconds' | 'devices') => {
      const text = values[name]!;
      if (!/^[1-9][0-9]*$/.test(text)) throw new Error(`--${name} takes a positive whole number (got "${text}").`);
      return Number(text);
    };
    return {
      days: whole('days'), sensors: whole('sensors'), runs: whole('runs'), rate: whole('rate'), seconds: whole('seconds'),
      devices: whole('devices'), keep: values.keep!, reuse: values.reuse!,
    };
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${USAGE}`);
    return process.exit(2);
  }
}
const opts = readOptions();
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const dbName = `servicetower_bench_telemetry_${opts.days}d_${opts.sensors}s`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
const prefix = `benchtel${randomBytes(3).toString('hex')}`;
const sensors = Array.from({ length: opts.sensors }, (_, s) => `s${String(s + 1).padStart(2, '0')}`);
const SERIES_DEVICE = 'series-1';
const liveDevice = (d: number) => `live-${String(d + 1).padStart(3, '0')}`;
/** The series ends at the start of this hour, so that a rerun with --reuse asks for the same range it loaded. */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function prepareDatabase(): Promise<{ seriesEnd: number; loaded: Record<string, unknown> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount === 1;
  if (!(exists && opts.reuse)) {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
  }
  await admin.end();
  await migrate(databaseUrl);
  const pool = createPool(databaseUrl, 2);
  try {
    if (exists && opts.reuse) {
      const { rows } = await pool.query<{ end: Date | null }>('SELECT max(at) AS end FROM reading WHERE device_id = $1', [SERIES_DEVICE]);
      if (rows[0]?.end) {
        console.log(`reusing ${dbName} (--reuse)`);
        return { seriesEnd: rows[0].end.getTime() + 1000, loaded: { reused: true } };
      }
    }
    await upsertReference(pool, 'regions', 'bench', { name: 'Bench' });
    await upsertReference(pool, 'outlets', 'bench', { name: 'Bench outlet', regionId: 'bench', technicians: 1, lat: 0, lon: 0 });
    await upsertReference(pool, 'device-models', 'bench', { name: 'Bench model', sensors: sensors.map((name) => ({ name, unit: 'u', min: -100, max: 100 })) });
    for (const id of [SERIES_DEVICE, ...Array.from({ length: opts.devices }, (_, d) => liveDevice(d))]) {
      await upsertReference(pool, 'devices', id, { modelId: 'bench', outletId: 'bench' });
    }
    const seriesEnd = Math.floor(Date.now() / HOUR) * HOUR;
    const seriesStart = seriesEnd - opts.days * DAY;
    await pool.query('SELECT maintain_time_partitions($1::int, $2::timestamptz)', [Math.ceil(opts.days / 7) + 4, new Date(seriesStart)]);
    const began = Date.now();
    // One day per statement: every sensor a smooth wave with noise, so that buckets have real extremes.
    for (let day = 0; day < opts.days; day++) {
      await pool.query(
        `INSERT INTO reading (device_id, sensor, at, value)
         SELECT $1::text, s.name, t, round((50 * sin(extract(epoch FROM t) / 3600 + s.k) + 10 * random())::numeric, 3)::float8
         FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 second', interval '1 second') AS t,
              unnest($4::text[]) WITH ORDINALITY AS s(name, k)`,
        [SERIES_DEVICE, new Date(seriesStart + day * DAY), new Date(seriesStart + (day + 1) * DAY), sensors],
      );
      // Written around the workers' writer, so rolled up here, a day at a time, by the workers' own rebuild.
      await rebuildReadingRollups(pool, SERIES_DEVICE, new Date(seriesStart + day * DAY), new Date(seriesStart + (day + 1) * DAY));
      if (day % 5 === 4 || day === opts.days - 1) console.log(`  series: ${day + 1} of ${opts.days} days loaded (${Math.round((Date.now() - began) / 1000)} s)`);
    }
    await pool.query('VACUUM ANALYZE reading');
    const seconds = (Date.now() - began) / 1000;
    const readings = opts.days * 86_400 * opts.sensors;
    console.log(`loaded ${readings.toLocaleString('en')} readings and their rollups in ${seconds.toFixed(0)} s`);
    return { seriesEnd, loaded: { readings, seconds } };
  } finally {
    await pool.end();
  }
}

const children = new Children();

async function startStack(): Promise<{ api: string; port: number; reader: string; sender: string }> {
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1',
    LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0', DEMO: 'off', WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? String(Math.max(2, os.cpus().length)),
  };
  children.start('server/src/server.ts', env);
  children.start('workers/src/main.ts', env);
  const pool = createPool(databaseUrl, 1);
  const reader = (await createApiKey(pool, { name: 'bench-read', scopes: ['read'], regions: null })).token;
  const sender = (await createApiKey(pool, { name: 'bench-telemetry', scopes: ['telemetry'], regions: null })).token;
  await pool.end();
  const api = `http://127.0.0.1:${port}`;
  await children.waitFor('the API to answer /readyz', () => fetch(`${api}/readyz`).then((r) => r.ok, () => false));
  return { api, port, reader, sender };
}

async function timeSeries(api: string, reader: string, seriesEnd: number) {
  const cases = [
    { name: `${opts.days} days, ${opts.sensors} sensors, maxPoints 1000`, from: seriesEnd - opts.days * DAY, maxPoints: 1000 },
    { name: `1 day, ${opts.sensors} sensors, maxPoints 1000`, from: seriesEnd - DAY, maxPoints: 1000 },
    { name: `10 minutes, ${opts.sensors} sensors (raw)`, from: seriesEnd - 10 * 60_000, maxPoints: 1000 },
  ];
  const results = [];
  for (const c of cases) {
    const url = `${api}/api/v1/devices/${SERIES_DEVICE}/series?sensors=${sensors.join(',')}&from=${new Date(c.from).toISOString()}` +
      `&to=${new Date(seriesEnd).toISOString()}&maxPoints=${c.maxPoints}`;
    const times: number[] = [];
    let points = 0;
    for (let i = 0; i < opts.runs + 5; i++) {
      const began = performance.now();
      const response = await fetch(url, { headers: { authorization: `Bearer ${reader}` } });
      const body = (await response.json()) as { series?: Array<{ points: unknown[] }> } | Array<{ points: unknown[] }>;
      const ms = performance.now() - began;
      if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
      const list = Array.isArray(body) ? body : (body.series ?? []);
      points = list.reduce((n, s) => n + s.points.length, 0);
      if (i >= 5) times.push(ms);
    }
    times.sort((a, b) => a - b);
    results.push({ case: c.name, p50: percentile(times, 0.5), p95: percentile(times, 0.95), points });
  }
  return results;
}

/** Posts readings at --rate for --seconds, stamped when sent; returns the lags the WebSocket client saw. */
async function liveLag(api: string, port: number, reader: string, sender: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: { authorization: `Bearer ${reader}` } });
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  const lags: number[] = [];
  const received = new Map<string, number>();
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as LiveServerMessage;
    if (message.type !== 'readings') return;
    const first = message.sensors[sensors[0]!]!;
    lags.push(Date.now() - Date.parse(first.at));
    received.set(message.deviceId, (received.get(message.deviceId) ?? 0) + first.count);
  });
  for (let d = 0; d < opts.devices; d++) socket.send(JSON.stringify({ op: 'subscribe', topic: `device:${liveDevice(d)}` }));
  await sleep(500);

  const tickMs = 100;
  const samplesPerTick = Math.max(1, Math.round((opts.rate * tickMs) / 1000 / opts.sensors));
  const perRequest = Math.max(1, Math.floor(1000 / opts.sensors)); // about 1000 readings per request
  let sent = 0;
  let device = 0;
  const inFlight = new Set<Promise<void>>();
  const began = Date.now();
  for (let tick = 0; Date.now() - began < opts.seconds * 1000; tick++) {
    const due = began + tick * tickMs;
    if (due > Date.now()) await sleep(due - Date.now());
    const at = new Date().toISOString();
    for (let left = samplesPerTick; left > 0; left -= perRequest) {
      const records = Array.from({ length: Math.min(perRequest, left) }, () => {
        device = (device + 1) % opts.devices;
        return { deviceId: liveDevice(device), readings: [{ at, values: Object.fromEntries(sensors.map((s, k) => [s, k + Math.random()])) }] };
      });
      const request = post(`${api}/api/v1/ingest/telemetry`, sender, JSON.stringify(records)).then((answer) => {
        if (answer.status !== 202) throw new Error(`ingest answered ${answer.status} ${answer.text.slice(0, 200)}`);
        sent += records.length;
      });
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
      if (inFlight.size >= 16) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  const sendSeconds = (Date.now() - began) / 1000;
  await children.waitFor('every reading to reach the WebSocket', async () => [...received.values()].reduce((a, b) => a + b, 0) >= sent, 300_000);
  socket.close();
  lags.sort((a, b) => a - b);
  return {
    readingsSent: sent * opts.sensors, readingsPerSecond: Math.round((sent * opts.sensors) / sendSeconds), messages: lags.length,
    p50: percentile(lags, 0.5), p95: percentile(lags, 0.95), max: lags.at(-1)!,
  };
}

let exitCode = 0;
try {
  const { seriesEnd, loaded } = await prepareDatabase();
  const { api, port, reader, sender } = await startStack();
  const series = await timeSeries(api, reader, seriesEnd);
  const live = await liveLag(api, port, reader, sender);
  console.log(`\n${os.cpus().length} cores, ${opts.runs} timed requests per case (5 warm-up)\n`);
  console.log('| series request | p50 ms | p95 ms | points returned |\n| --- | ---: | ---: | ---: |');
  for (const r of series) console.log(`| ${r.case} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.points} |`);
  console.log(`\nlive: ${live.readingsSent.toLocaleString('en')} readings at ${live.readingsPerSecond.toLocaleString('en')}/s over HTTP from ${opts.devices} devices; ` +
    `${live.messages} WebSocket messages; lag from send to delivery of the newest reading: p50 ${live.p50} ms, p95 ${live.p95} ms, max ${live.max} ms`);
  mkdirSync(`${ROOT}/bench/results`, { recursive: true });
  const file = `${ROOT}/bench/results/telemetry-${new Date().toISOString().replace(/[:.]/g, '').slice(0, 15)}-${os.cpus().length}c.json`;
  writeFileSync(file, `${JSON.stringify({ options: opts, loaded, series, live, loadAverage1m: os.loadavg()[0] }, null, 2)}\n`);
  console.log(`results: ${file}`);
} catch (error) {
  console.error(`bench:telemetry failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await children.stopAll();
  const redis = new Redis(redisUrl);
  for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }) as AsyncIterable<string[]>) if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  if (!opts.keep && !opts.reuse) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
process.exit(exitCode);
