/**
 * npm run bench:telemetry [-- --days 30 --rate 50000 --seconds 30 --keep --reuse] — see bench/README.md.
 * Two figures, each beside its floor:
 * 1. Series: p50/p95 of GET /api/v1/devices/:id/series for `--days` days of one device with `--sensors`
 *    sensors sampled once a second (30 days × 20 sensors: 51.8 million readings), all sensors at once;
 *    floor: a one-row read through the same HTTP route stack.
 * 2. Live lag: readings posted over HTTP at `--rate` readings/s for `--seconds` s, timestamped when sent;
 *    `--subscribers` WebSocket clients, each watching one device, note for each live message how long ago
 *    the newest reading in it was sent; floor: the same lag for single readings on an idle stack.
 * The API and the workers run as child processes, as in production.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import type { LiveServerMessage } from '@servicetower/domain';
import { createPool, rebuildReadingRollups } from '@servicetower/workers';
import { migrate } from '../server/src/db/migrate.js';
import { createApiKey } from '../server/src/repositories/apiKeys.js';
import { upsertReference } from '../server/src/repositories/reference.js';
import {
  Children, databaseExists, databaseUrl as urlOf, deleteRedisKeys, freePort, onServer, p50p95, percentile, post, progress, REDIS_URL, WORKER_CONCURRENCY,
  writeResult,
} from './support.js';

const USAGE = 'npm run bench:telemetry -- [--quick] [--days N] [--sensors N] [--runs N] [--warmup N] [--rate N] [--seconds N] ' +
  '[--devices N] [--subscribers N] [--idle N] [--keep] [--reuse] [--out FILE]';

async function readOptions() {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false }, days: { type: 'string' }, sensors: { type: 'string', default: '20' }, runs: { type: 'string' },
        warmup: { type: 'string' }, rate: { type: 'string', default: '50000' }, seconds: { type: 'string' }, devices: { type: 'string', default: '50' },
        subscribers: { type: 'string', default: '200' }, idle: { type: 'string', default: '20' },
        keep: { type: 'boolean', default: false }, reuse: { type: 'boolean', default: false }, out: { type: 'string' },
      },
    });
    const whole = (name: 'days' | 'sensors' | 'runs' | 'warmup' | 'rate' | 'seconds' | 'devices' | 'subscribers' | 'idle', fallback?: string) => {
      const text = values[name] ?? fallback ?? '';
      if (!/^[1-9][0-9]*$/.test(text)) throw new Error(`--${name} takes a positive whole number (got "${text}").`);
      return Number(text);
    };
    // --quick: the 30-day series if a run with --keep or --reuse left it loaded (measured again, kept), else one day,
    // loaded and dropped; fewer requests, 5 s of live load.
    const quickReuse = values.quick && !values.days && (await databaseExists(`servicetower_bench_telemetry_30d_${values.sensors}s`));
    return {
      days: whole('days', values.quick && !quickReuse ? '1' : '30'), sensors: whole('sensors'), runs: whole('runs', values.quick ? '10' : '30'),
      warmup: whole('warmup', values.quick ? '2' : '5'), rate: whole('rate'), seconds: whole('seconds', values.quick ? '5' : '30'),
      devices: whole('devices'), subscribers: whole('subscribers'), idle: whole('idle'), keep: values.keep!, reuse: values.reuse! || quickReuse, out: values.out,
    };
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${USAGE}`);
    return process.exit(2);
  }
}
const opts = await readOptions();
const redisUrl = REDIS_URL;
const dbName = `servicetower_bench_telemetry_${opts.days}d_${opts.sensors}s`;
const databaseUrl = urlOf(dbName);
const prefix = `benchtel${randomBytes(3).toString('hex')}`;
const sensors = Array.from({ length: opts.sensors }, (_, s) => `s${String(s + 1).padStart(2, '0')}`);
const SERIES_DEVICE = 'series-1';
const liveDevice = (d: number) => `live-${String(d + 1).padStart(3, '0')}`;
/** The series ends at the start of this hour, so that a rerun with --reuse asks for the same range it loaded. */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function prepareDatabase(): Promise<{ seriesEnd: number; loaded: Record<string, unknown> }> {
  const exists = await databaseExists(dbName);
  if (!(exists && opts.reuse)) {
    await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await onServer(`CREATE DATABASE ${dbName}`);
  }
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
    // Every table, rollups included (their visibility maps let the series read them by index only), then a
    // checkpoint: a full run measures right after this load, and would otherwise time the load's write-back.
    await pool.query('VACUUM ANALYZE');
    await pool.query('CHECKPOINT');
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
    LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0', DEMO: 'off', WORKER_CONCURRENCY,
  };
  children.start('api', 'server/src/server.ts', env);
  children.start('workers', 'workers/src/main.ts', env);
  const pool = createPool(databaseUrl, 1);
  const reader = (await createApiKey(pool, { name: 'bench-read', scopes: ['read'], regions: null })).token;
  const sender = (await createApiKey(pool, { name: 'bench-telemetry', scopes: ['telemetry'], regions: null })).token;
  await pool.end();
  const api = `http://127.0.0.1:${port}`;
  await children.waitFor('the API to answer /readyz', () => fetch(`${api}/readyz`).then((r) => r.ok, () => false));
  return { api, port, reader, sender };
}

/** Times GET `url` over HTTP: --warmup untimed, then --runs timed requests (the body read and parsed); p50/p95 in ms and the last body. */
async function timeRequests(url: string, reader: string): Promise<{ p50: number; p95: number; body: unknown }> {
  const times: number[] = [];
  let body: unknown = null;
  for (let i = 0; i < opts.runs + opts.warmup; i++) {
    const began = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${reader}` } });
    body = await response.json();
    const ms = performance.now() - began;
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
    if (i >= opts.warmup) times.push(ms);
  }
  return { ...p50p95(times), body };
}

/**
 * The series cases, beside the floor: a one-row read of the reference data through the same HTTP route stack (key
 * lookup, rate limit, scope check, one indexed query, a small body). What a series request takes beyond it is its own.
 */
async function timeSeries(api: string, reader: string, seriesEnd: number) {
  const { p50, p95 } = await timeRequests(`${api}/api/v1/regions?limit=1`, reader);
  const floor = { case: 'floor: GET /api/v1/regions?limit=1', p50, p95 };
  const cases = [
    { name: `${opts.days} days, ${opts.sensors} sensors, maxPoints 1000`, from: seriesEnd - opts.days * DAY, maxPoints: 1000 },
    { name: `1 day, ${opts.sensors} sensors, maxPoints 1000`, from: seriesEnd - DAY, maxPoints: 1000 },
    { name: `10 minutes, ${opts.sensors} sensors (raw)`, from: seriesEnd - 10 * 60_000, maxPoints: 1000 },
  ];
  const results = [];
  for (const c of cases) {
    const url = `${api}/api/v1/devices/${SERIES_DEVICE}/series?sensors=${sensors.join(',')}&from=${new Date(c.from).toISOString()}` +
      `&to=${new Date(seriesEnd).toISOString()}&maxPoints=${c.maxPoints}`;
    const { p50, p95, body } = await timeRequests(url, reader);
    const list = (Array.isArray(body) ? body : ((body as { series?: unknown[] }).series ?? [])) as Array<{ points: unknown[] }>;
    results.push({ case: c.name, p50, p95, points: list.reduce((n, s) => n + s.points.length, 0) });
  }
  return { floor, results };
}

interface Subscriber { deviceId: string; socket: WebSocket; subscribed: boolean; received: number }

/**
 * --subscribers WebSocket clients, as many browsers: subscriber k watches device k mod --devices (with the defaults,
 * four browsers per device). Each counts the readings it is told of; every message's lag goes to `lags.current`.
 */
async function connectSubscribers(port: number, reader: string, lags: { current: number[] }): Promise<Subscriber[]> {
  const subscribers = await Promise.all(Array.from({ length: opts.subscribers }, async (_, k) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, { headers: { authorization: `Bearer ${reader}` } });
    await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
    const subscriber: Subscriber = { deviceId: liveDevice(k % opts.devices), socket, subscribed: false, received: 0 };
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as LiveServerMessage;
      if (message.type === 'subscribed') subscriber.subscribed = true;
      if (message.type !== 'readings') return;
      const first = message.sensors[sensors[0]!]!;
      lags.current.push(Date.now() - Date.parse(first.at));
      subscriber.received += first.count;
    });
    socket.send(JSON.stringify({ op: 'subscribe', topic: `device:${subscriber.deviceId}` }));
    return subscriber;
  }));
  await children.waitFor('every subscriber to be subscribed', async () => subscribers.every((s) => s.subscribed));
  await sleep(500); // the workers ask who listens at most every 250 ms
  return subscribers;
}

const lagFigures = (lags: number[]) => {
  const sorted = [...lags].sort((a, b) => a - b);
  return { messages: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted.at(-1)! };
};

/**
 * Live lag, twice with the same subscribers: first --idle single readings, one every 200 ms round the devices, on an
 * otherwise idle stack (the floor: the path's own latency, nothing queued); then readings at --rate for --seconds,
 * stamped when sent. After each, waits until every subscriber has been told of every reading of its device.
 */
async function liveLag(api: string, port: number, reader: string, sender: string) {
  const lags = { current: [] as number[] };
  progress(`Live: ${opts.subscribers} subscribers; ${opts.idle} single readings on the idle stack …`);
  const subscribers = await connectSubscribers(port, reader, lags);
  const sentTo = new Map<string, number>();
  const send = async (records: Array<{ deviceId: string; readings: Array<{ at: string; values: Record<string, number> }> }>) => {
    const answer = await post(`${api}/api/v1/ingest/telemetry`, sender, JSON.stringify(records));
    if (answer.status !== 202) throw new Error(`ingest answered ${answer.status} ${answer.text.slice(0, 200)}`);
    for (const { deviceId } of records) sentTo.set(deviceId, (sentTo.get(deviceId) ?? 0) + 1);
  };
  const sample = (deviceId: string, at: string) => ({ deviceId, readings: [{ at, values: Object.fromEntries(sensors.map((s, k) => [s, k + Math.random()])) }] });
  const everyoneTold = () => children.waitFor(
    'every reading to reach its subscribers', async () => subscribers.every((s) => s.received >= (sentTo.get(s.deviceId) ?? 0)), 300_000,
  );

  for (let i = 0; i < opts.idle; i++) {
    await send([sample(liveDevice(i % opts.devices), new Date().toISOString())]);
    await sleep(200);
  }
  await everyoneTold();
  const idle = { readings: opts.idle * opts.sensors, ...lagFigures(lags.current) };

  lags.current = [];
  progress(`Live: ${opts.rate.toLocaleString('en')} readings/s for ${opts.seconds} s …`);
  const tickMs = 100;
  const samplesPerTick = Math.max(1, Math.round((opts.rate * tickMs) / 1000 / opts.sensors));
  const perRequest = Math.max(1, Math.floor(1000 / opts.sensors)); // about 1000 readings per request
  let [samples, device] = [0, 0];
  const inFlight = new Set<Promise<void>>();
  const began = Date.now();
  for (let tick = 0; Date.now() - began < opts.seconds * 1000; tick++) {
    const due = began + tick * tickMs;
    if (due > Date.now()) await sleep(due - Date.now());
    const at = new Date().toISOString();
    for (let left = samplesPerTick; left > 0; left -= perRequest) {
      const records = Array.from({ length: Math.min(perRequest, left) }, () => sample(liveDevice((device = (device + 1) % opts.devices)), at));
      const request = send(records).then(() => void (samples += records.length));
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
      if (inFlight.size >= 16) await Promise.race(inFlight);
    }
  }
  await Promise.all(inFlight);
  const sendSeconds = (Date.now() - began) / 1000;
  await everyoneTold();
  for (const { socket } of subscribers) socket.close();
  return {
    subscribers: opts.subscribers, devices: opts.devices, readingsSent: samples * opts.sensors, rateAsked: opts.rate,
    readingsPerSecond: Math.round((samples * opts.sensors) / sendSeconds), ...lagFigures(lags.current), idle,
  };
}

let exitCode = 0;
try {
  const { seriesEnd, loaded } = await prepareDatabase();
  progress('Starting the API and the workers …');
  const { api, port, reader, sender } = await startStack();
  progress(`Series: the floor and three cases, ${opts.warmup} + ${opts.runs} requests each …`);
  const series = await timeSeries(api, reader, seriesEnd);
  const live = await liveLag(api, port, reader, sender);
  const memoryMiB = children.peakMemory();
  console.log(`\n${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}, ${opts.runs} timed requests per case (${opts.warmup} warm-up)\n`);
  console.log('| series request | p50 ms | p95 ms | points returned |\n| --- | ---: | ---: | ---: |');
  console.log(`| ${series.floor.case} | ${series.floor.p50.toFixed(1)} | ${series.floor.p95.toFixed(1)} | |`);
  for (const r of series.results) console.log(`| ${r.case} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.points} |`);
  console.log(`\nlive, ${live.subscribers} WebSocket subscribers on ${live.devices} devices; lag from send to delivery of the newest reading in a message:`);
  console.log(`  idle (floor)  ${live.idle.readings.toLocaleString('en')} readings one at a time: p50 ${live.idle.p50} ms, p95 ${live.idle.p95} ms, max ${live.idle.max} ms`);
  console.log(`  under load    ${live.readingsSent.toLocaleString('en')} readings at ${live.readingsPerSecond.toLocaleString('en')}/s ` +
    `(${live.rateAsked.toLocaleString('en')}/s asked), ${live.messages} messages: ` +
    `p50 ${live.p50} ms, p95 ${live.p95} ms, max ${live.max} ms`);
  console.log(`peak memory: ${Object.entries(memoryMiB).map(([name, mib]) => `${name} ${mib ?? '?'} MiB`).join(', ')}`);
  const file = writeResult('telemetry', {
    date: new Date().toISOString(), options: { ...opts, out: undefined }, loaded, series: series.results, seriesFloor: series.floor, live, memoryMiB,
    loadAverage1m: os.loadavg()[0],
  }, opts.out);
  console.log(`results: ${file}`);
} catch (error) {
  console.error(`bench:telemetry failed: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  await children.stopAll();
  const redis = new Redis(redisUrl);
  await deleteRedisKeys(redis, prefix);
  redis.disconnect();
  if (!opts.keep && !opts.reuse) await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
}
process.exit(exitCode);
