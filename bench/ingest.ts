/**
 * npm run bench:ingest [-- --quick] — see bench/README.md.
 * Stores the same number of readings in the same `reading` table twice: by raw COPY (the
 * ceiling), then end to end (HTTP → Redis → worker → PostgreSQL), and compares the rates.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createPool } from '@servicetower/workers';
import { migrate } from '../server/src/db/migrate.js';
import { createApiKey } from '../server/src/repositories/apiKeys.js';
import {
  Children, cpuMeter, deleteRedisKeys, describeMachine, freePort, machineLine, post, progress, REDIS_URL, round2 as round, runBench, SERVER_URL,
  WORKER_CONCURRENCY, writeResult,
} from './support.js';

const STEP_MS = 60_000; // each device reports all its sensors once a minute
const PARTITION_MS = 7 * 86_400_000; // width of the `reading` partitions (migrations/0003_facts.sql)
const PARTITIONS_AHEAD = 3; // partitions the workers' maintenance job keeps ahead of now (PARTITIONS_AHEAD)
const USAGE = 'npm run bench:ingest -- [--quick] [--readings N] [--batch N] [--concurrency N] [--devices N] [--sensors N] [--url URL --key KEY] [--keep] [--out FILE]';

/** The command-line options; a bad one ends the process with the usage. */
function readOptions() {
  try {
    const { values } = parseArgs({
      options: {
        readings: { type: 'string' }, batch: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '4' },
        devices: { type: 'string', default: '100' }, sensors: { type: 'string', default: '20' },
        url: { type: 'string' }, key: { type: 'string' }, keep: { type: 'boolean', default: false }, quick: { type: 'boolean', default: false },
        out: { type: 'string' },
      },
    });
    const whole = (name: 'readings' | 'batch' | 'concurrency' | 'devices' | 'sensors', fallback?: string) => {
      const text = values[name] ?? fallback ?? '';
      if (!/^[1-9][0-9_,]*$/.test(text)) throw new Error(`--${name} takes a positive whole number, e.g. --${name} 1000 (got "${text}").`);
      return Number(text.replace(/[_,]/g, ''));
    };
    const options = {
      readings: whole('readings', values.quick ? '200000' : '1000000'), batch: whole('batch'), concurrency: whole('concurrency'),
      devices: whole('devices'), sensors: whole('sensors'), url: values.url?.replace(/\/$/, ''), key: values.key, keep: values.keep ?? false,
      out: values.out,
    };
    if (options.sensors > 1000) throw new Error('--sensors takes at most 1000, the most one telemetry sample may carry.');
    if (options.url && (!options.key || !process.env.BENCH_DATABASE_URL)) {
      throw new Error('--url also needs --key (scopes telemetry and reference) and BENCH_DATABASE_URL (the database that API writes to).');
    }
    return options;
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${USAGE}`);
    return process.exit(2);
  }
}
const opts = readOptions();
const children = new Children();

const run = randomBytes(4).toString('hex');
const serverUrl = SERVER_URL;
const redisUrl = REDIS_URL;
const dbName = `st_bench_${run}`;
const databaseUrl = opts.url ? serverUrl : Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
const prefix = `bench${run}`;
const deviceId = (d: number) => `bench-${String(d + 1).padStart(4, '0')}`;
const sensorName = (s: number) => `s${String(s + 1).padStart(2, '0')}`;

/** The readings, time-major like a fleet reporting every minute, from `start`. */
function* samples(start: number): Generator<{ deviceId: string; at: string; values: Record<string, number> }> {
  for (let k = 0, left = opts.readings; left > 0; k += 1, left -= opts.sensors) {
    const values: Record<string, number> = {};
    for (let s = 0; s < Math.min(opts.sensors, left); s += 1) values[sensorName(s)] = Math.round(Math.random() * 100_000) / 100;
    yield { deviceId: deviceId(k % opts.devices), at: new Date(start + Math.floor(k / opts.devices) * STEP_MS).toISOString(), values };
  }
}

/** JSON bodies of about `--batch` readings, one telemetry record per sample. */
function* bodies(start: number): Generator<{ body: string; records: number }> {
  let [records, readings] = [[] as object[], 0];
  for (const { deviceId, at, values } of samples(start)) {
    records.push({ deviceId, readings: [{ at, values }] });
    readings += Object.keys(values).length;
    if (readings < opts.batch) continue;
    yield { body: JSON.stringify(records), records: records.length };
    [records, readings] = [[], 0];
  }
  if (records.length > 0) yield { body: JSON.stringify(records), records: records.length };
}

async function writeCopyFile(path: string, start: number): Promise<void> {
  const out = createWriteStream(path);
  for (const { deviceId, at, values } of samples(start)) {
    const lines = Object.entries(values).map(([sensor, value]) => `${deviceId}\t${sensor}\t${at}\t${value}\n`);
    if (!out.write(lines.join(''))) await once(out, 'drain');
  }
  await new Promise((resolve) => out.end(resolve));
}

/** COPY through psql, as pg-copy-streams is not installed; the file is written beforehand, so only the COPY is timed. */
async function rawCopy(path: string): Promise<number> {
  const [sql, input] = ['COPY reading (device_id, sensor, at, value) FROM STDIN', openSync(path, 'r')];
  const started = performance.now();
  const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-c', sql], { stdio: [input, 'ignore', 'inherit'] });
  const [code] = (await once(psql, 'exit')) as [number | null];
  closeSync(input);
  if (code !== 0) throw new Error(`psql ended with ${String(code)} during COPY: is psql installed and the database reachable?`);
  return (performance.now() - started) / 1000;
}

/**
 * POSTs every body, `--concurrency` at a time; a 429 or 503 waits its Retry-After and is sent again. Returns the retries.
 * The bodies are made beforehand, as the COPY file is: the source systems' work of writing JSON is not ServiceTower's.
 */
async function sendAll(api: string, key: string, prepared: ReadonlyArray<{ body: string; records: number }>): Promise<number> {
  const queue = prepared.values();
  let retries = 0;
  const lane = async () => {
    for (let next = queue.next(); !next.done; next = queue.next()) {
      let answer = await post(`${api}/api/v1/ingest/telemetry`, key, next.value.body);
      for (; answer.status === 429 || answer.status === 503; retries += 1) {
        await sleep(answer.retryAfter * 1000);
        answer = await post(`${api}/api/v1/ingest/telemetry`, key, next.value.body);
      }
      if (answer.status !== 202 || (JSON.parse(answer.text) as { accepted: number }).accepted !== next.value.records) {
        throw new Error(`The API answered ${answer.status} ${answer.text.slice(0, 500)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  return retries;
}

const databaseName = new URL(databaseUrl).pathname.slice(1);

const admin = new pg.Client({ connectionString: serverUrl });
const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
const db = createPool(databaseUrl, 2); // ignores idle-connection errors, such as DROP DATABASE … WITH (FORCE) ending one
const copyFile = join(os.tmpdir(), `st-bench-${run}.tsv`);
const mine = opts.url ? "WHERE device_id LIKE 'bench-%'" : ''; // in a shared database, only the bench's devices
const count = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM reading ${mine}`)).rows[0]!.n);
const empty = () => db.query(opts.url ? `DELETE FROM reading ${mine}` : 'TRUNCATE reading');
const layout = async () =>
  (await db.query<{ name: string }>("SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'reading'::regclass ORDER BY 1"))
    .rows.map((row) => row.name).join(', ');
// Each run starts right after a checkpoint, so that neither pays for the other's WAL (needs superuser or pg_checkpoint).
const checkpoint = () => db.query('CHECKPOINT').catch(() => console.log('CHECKPOINT refused: a checkpoint may fall inside a run.'));

/** A migrated database whose partitions cover the data (which ends a minute ago); returns the first sample time. */
async function prepare(): Promise<number> {
  await Promise.all([admin.connect(), redis.connect()]);
  if (!opts.url) await admin.query(`CREATE DATABASE ${dbName}`);
  if (!opts.url) await migrate(databaseUrl);
  const span = Math.ceil(opts.readings / opts.sensors / opts.devices) * STEP_MS;
  const start = Math.floor(Date.now() / STEP_MS) * STEP_MS - span;
  // Partitions for the whole range and those the workers' maintenance job would add, made before either run, so
  // both runs meet the same partitions (TimescaleDB: a no-op; chunks come with the rows in both runs alike).
  await db.query('SELECT maintain_time_partitions($1::int, $2::timestamptz)', [Math.ceil(span / PARTITION_MS) + PARTITIONS_AHEAD + 1, new Date(start)]);
  if (opts.url) await empty();
  if ((await count()) !== 0) throw new Error('The reading table holds rows before the run: the bench needs it empty.');
  return start;
}

/** The API and the workers as child processes on this database and a queue prefix of their own; returns the URL and a key. */
async function startStack(): Promise<{ api: string; key: string; pids: Record<string, number | undefined> }> {
  if (opts.url) return { api: opts.url, key: opts.key!, pids: {} };
  const port = await freePort();
  const env = {
    DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1',
    LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0', WORKER_CONCURRENCY, DEMO: 'off',
  };
  const pids = { api: children.start('api', 'server/src/server.ts', env).pid, workers: children.start('workers', 'workers/src/main.ts', env).pid };
  const api = `http://127.0.0.1:${port}`;
  const { token } = await createApiKey(db, { name: `bench-${run}`, scopes: ['telemetry', 'reference'], regions: null });
  await children.waitFor('the API to answer /readyz', () => fetch(`${api}/readyz`).then((r) => r.ok, () => false));
  return { api, key: token, pids };
}

async function seedReference(api: string, key: string): Promise<void> {
  const sensors = Array.from({ length: opts.sensors }, (_, s) => ({ name: sensorName(s), unit: 'u', min: 0, max: 1000 }));
  const puts: [string, object][] = [
    ['regions/bench', { name: 'Bench' }],
    ['outlets/bench', { name: 'Bench outlet', regionId: 'bench', technicians: 1, lat: 0, lon: 0 }],
    ['device-models/bench', { name: 'Bench model', sensors }],
    ...Array.from({ length: opts.devices }, (_, d): [string, object] => [`devices/${deviceId(d)}`, { modelId: 'bench', outletId: 'bench' }]),
  ];
  for (const [path, body] of puts) {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const response = await fetch(`${api}/api/v1/${path}`, { method: 'PUT', body: JSON.stringify(body), headers });
    if (!response.ok) throw new Error(`PUT /api/v1/${path} answered ${response.status} ${await response.text()}`);
  }
}

/**
 * Waits until every reading is stored. A count(*) of a million rows takes 40–120 ms, so it is polled only once every batch
 * is acknowledged and, when the queue is ours, no telemetry job is left: polling it throughout would slow the run.
 */
async function drained(): Promise<void> {
  const telemetry = opts.url ? null : new Queue('telemetry', { connection: redis, prefix });
  let [seen, seenAt] = ['', Date.now()];
  await children.waitFor('the workers to store every reading', async () => {
    const jobs = telemetry ? await telemetry.getJobCounts('waiting', 'prioritized', 'active', 'delayed') : {};
    const pending = Object.values(jobs).reduce((a, b) => a + b, 0);
    const state = pending > 0 ? JSON.stringify(jobs) : String(await count());
    if (state !== seen) [seen, seenAt] = [state, Date.now()];
    if (Date.now() - seenAt > 60_000) throw new Error(`No progress for 60 s (${state}): see the workers' output above.`);
    return pending === 0 && Number(state) >= opts.readings;
  }, 24 * 3600_000);
  await telemetry?.close();
}

async function main() {
  const start = await prepare();
  const partitions = await layout();
  progress(`Writing ${opts.readings.toLocaleString('en')} readings to ${copyFile} for COPY …`);
  await writeCopyFile(copyFile, start);
  await checkpoint();
  let cpu = cpuMeter(databaseName);
  const copySeconds = await rawCopy(copyFile);
  const copyCpu = cpu();
  if ((await count()) !== opts.readings) throw new Error(`COPY stored ${await count()} readings, not ${opts.readings}.`);
  await empty();
  rmSync(copyFile, { force: true });
  progress(`Raw COPY took ${copySeconds.toFixed(2)} s; ${opts.url ? 'DELETE' : 'TRUNCATE'} emptied the table for the end-to-end run.`);

  progress(opts.url ? `Measuring ${opts.url} …` : 'Starting the API and the workers …');
  const { api, key, pids } = await startStack();
  await seedReference(api, key);
  const prepared = [...bodies(start)];
  progress(`End to end: ${prepared.length} batches of ${opts.batch} readings, ${opts.concurrency} requests in flight …`);
  await checkpoint();
  cpu = cpuMeter(databaseName, pids);
  const began = performance.now();
  const retries = await sendAll(api, key, prepared);
  const ackSeconds = (performance.now() - began) / 1000;
  await drained();
  const e2eSeconds = (performance.now() - began) / 1000;
  const e2eCpu = cpu();
  const memoryMiB = children.peakMemory();
  await report({ copySeconds, copyCpu, e2eSeconds, e2eCpu, ackSeconds, retries, partitions, memoryMiB });
}

interface Measured {
  copySeconds: number; copyCpu: Record<string, number>; e2eSeconds: number; e2eCpu: Record<string, number>;
  ackSeconds: number; retries: number; partitions: string; memoryMiB: Record<string, number | null>;
}

/** Checks that the partitions did not change, prints the figures and writes them to bench/results/. */
async function report({ copySeconds, copyCpu, e2eSeconds, e2eCpu, ackSeconds, retries, partitions, memoryMiB }: Measured): Promise<void> {
  const m = await describeMachine();
  if (m.storage === 'postgresql' && (await layout()) !== partitions) throw new Error('The partitions changed between the runs: they are not comparable.');
  const rate = (seconds: number) => Math.round(opts.readings / seconds);
  const result = {
    date: new Date().toISOString(),
    options: { ...opts, key: undefined, out: undefined, workerConcurrency: opts.url ? 'the target’s' : Number(WORKER_CONCURRENCY) },
    rawCopy: { seconds: round(copySeconds), readingsPerSecond: rate(copySeconds), cpuSeconds: copyCpu },
    endToEnd: { seconds: round(e2eSeconds), readingsPerSecond: rate(e2eSeconds), cpuSeconds: e2eCpu },
    ratio: round(copySeconds / e2eSeconds),
    httpAcceptance: { seconds: round(ackSeconds), readingsPerSecond: rate(ackSeconds), retries429: retries },
    // Peak resident memory (VmHWM) of the API and the workers, from their start to the end of the end-to-end run.
    memoryMiB,
    machine: m,
    partitions,
  };
  const n = (x: number) => x.toLocaleString('en');
  const cpuText = (used: Record<string, number>) => Object.entries(used).map(([name, s]) => `${name} ${s}`).join(', ');
  console.log(`
  readings          ${n(opts.readings)} (${opts.devices} devices × ${opts.sensors} sensors; batches of ${opts.batch}, ${opts.concurrency} in flight)
  raw COPY          ${n(result.rawCopy.readingsPerSecond)} readings/s   ${result.rawCopy.seconds} s   CPU s: ${cpuText(copyCpu)}
  end to end        ${n(result.endToEnd.readingsPerSecond)} readings/s   ${result.endToEnd.seconds} s   CPU s: ${cpuText(e2eCpu)}
  ratio             ${result.ratio}   (end to end ÷ raw COPY; aim ≥ 0.5)
  HTTP acceptance   ${n(result.httpAcceptance.readingsPerSecond)} readings/s acknowledged   ${result.httpAcceptance.seconds} s
  429 retries       ${retries}
  peak memory       ${Object.entries(memoryMiB).map(([name, mib]) => `${name} ${mib ?? '?'} MiB`).join(', ') || 'not measured (--url)'}
  machine           ${machineLine(m)}`);
  console.log(`  written to ${writeResult('ingest', result, opts.out)}\n`);
}

let cleaning: Promise<void> | null = null;
/** Stops the children, drops the database (unless --keep) and deletes the queue's Redis keys; once, however often called. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await children.stopAll();
    rmSync(copyFile, { force: true });
    if (opts.url && !opts.keep) await empty();
    await db.end();
    if (!opts.url && !opts.keep) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    if (!opts.url && opts.keep) console.log(`Kept the database ${databaseUrl}`);
    if (!opts.url) await deleteRedisKeys(redis, prefix);
    redis.disconnect();
    await admin.end();
  })();
  return cleaning;
}

await runBench('bench:ingest', main, cleanUp);
