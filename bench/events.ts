/**
 * npm run bench:events [-- --quick] — see bench/README.md.
 * Stores the same simulated service-order, parts and complaint events twice: by raw COPY into their fact
 * tables (the limit), then end to end (HTTP → Redis → workers → fact tables, current state and rollups).
 * Checks that every event was acknowledged and stored exactly once, and compares the rates.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { CollectionName } from '@servicetower/domain';
import { createPool } from '@servicetower/workers';
import { planDeliveries } from '../simulator/src/delivery.js';
import { generateHistory } from '../simulator/src/history.js';
import { generateNetwork } from '../simulator/src/network.js';
import { Random } from '../simulator/src/random.js';
import { defaultSettings } from '../simulator/src/settings.js';
import type { Delivery, EventLog } from '../simulator/src/types.js';
import { coalesce } from '../simulator/src/upload.js';
import { migrate } from '../server/src/db/migrate.js';
import { createApiKey } from '../server/src/repositories/apiKeys.js';
import { upsertReference } from '../server/src/repositories/reference.js';
import {
  Children, cpuMeter, databaseUrl, deleteRedisKeys, describeMachine, freePort, machineLine, onServer, post, progress, REDIS_URL, round2, runBench,
  WORKER_CONCURRENCY, writeResult,
} from './support.js';

const USAGE = 'npm run bench:events -- [--quick] [--months N] [--outlets N] [--batch N] [--concurrency N] [--keep] [--out FILE]';
/** The history ends here, as bench:queries' does: the same seed, months and outlets give the same events. */
const HISTORY_END = Date.parse('2026-10-01T00:00:00+08:00');
const HOUR = 3_600_000;

function readOptions() {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: 'boolean', default: false }, months: { type: 'string' }, outlets: { type: 'string' },
        batch: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '4' }, keep: { type: 'boolean', default: false }, out: { type: 'string' },
      },
    });
    const whole = (name: 'months' | 'outlets' | 'batch' | 'concurrency', fallback?: string) => {
      const text = values[name] ?? fallback ?? '';
      if (!/^[1-9][0-9]*$/.test(text)) throw new Error(`--${name} takes a positive whole number (got "${text}").`);
      return Number(text);
    };
    return {
      months: whole('months', values.quick ? '1' : '3'), outlets: whole('outlets', values.quick ? '20' : '80'),
      batch: whole('batch'), concurrency: whole('concurrency'), keep: values.keep!, out: values.out,
    };
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: ${USAGE}`);
    return process.exit(2);
  }
}
const opts = readOptions();

type EventStream = keyof EventLog;
const EVENT_STREAMS: readonly EventStream[] = ['service-orders', 'parts', 'complaints'];

/**
 * Where each stream's events are stored: the fact table with its columns (each from a record field, as the workers
 * write them), the current-state table with its key, and the record field that key comes from.
 */
const STORES: Record<EventStream, { facts: string; columns: Record<string, string>; state: string; stateKey: string; idField: string }> = {
  'service-orders': {
    facts: 'service_order_event',
    columns: {
      event_id: 'eventId', order_id: 'orderId', type: 'type', at: 'at', outlet_id: 'outletId', product_line: 'productLine', technician_id: 'technicianId',
      customer_id: 'customerId', device_id: 'deviceId', channel: 'channel', labor_cost: 'laborCost', note: 'note',
    },
    state: 'service_order', stateKey: 'order_id', idField: 'orderId',
  },
  parts: {
    facts: 'parts_request_event',
    columns: {
      event_id: 'eventId', request_id: 'requestId', type: 'type', at: 'at', outlet_id: 'outletId', part_no: 'partNo', quantity: 'quantity',
      source: 'source', order_id: 'orderId', unit_cost: 'unitCost',
    },
    state: 'parts_request', stateKey: 'request_id', idField: 'requestId',
  },
  complaints: {
    facts: 'complaint',
    columns: {
      event_id: 'eventId', complaint_id: 'complaintId', at: 'at', outlet_id: 'outletId', product_line: 'productLine', cause: 'cause',
      order_id: 'orderId', channel: 'channel', severity: 'severity',
    },
    state: 'complaint_state', stateKey: 'complaint_id', idField: 'complaintId',
  },
};

const run = randomBytes(4).toString('hex');
const dbName = `st_bench_events_${run}`;
const dbUrl = databaseUrl(dbName);
const prefix = `benchev${run}`;
const children = new Children();
const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const db = createPool(dbUrl, 2);
const copyFile = join(os.tmpdir(), `st-bench-${run}-copy.sql`);

/**
 * The simulator's network and history, and its deliveries as a backfill sends them (simulator/src/run.ts): each
 * event at its own time, a share late, a share twice, a share of batches shuffled, merged into requests of up to
 * --batch events of one stream, in sending order. Also what the database must hold at the end.
 */
function simulate() {
  const settings = defaultSettings(HISTORY_END, { months: opts.months, outlets: opts.outlets, seed: 1 });
  const rng = new Random(settings.seed);
  const network = generateNetwork(settings, rng.child('network'));
  const { events } = generateHistory(network, settings, rng.child('history'));
  const requests = coalesce(planDeliveries(events, settings, rng.child('delivery'), opts.batch, HOUR), opts.batch) as Array<Delivery<EventStream>>;
  const perStream = (f: (stream: EventStream) => number) => Object.fromEntries(EVENT_STREAMS.map((s) => [s, f(s)])) as Record<EventStream, number>;
  const distinctIds = (stream: EventStream) => new Set((events[stream] as readonly object[]).map((e) => (e as Record<string, unknown>)[STORES[stream].idField])).size;
  const expected = {
    facts: perStream((s) => events[s].length),
    state: perStream(distinctIds),
    // Each order counts once as received, in the rollup buckets of its first `created`; each complaint once.
    received: new Set(events['service-orders'].filter((e) => e.type === 'created').map((e) => e.orderId)).size,
    complaints: new Set(events.complaints.map((c) => c.complaintId)).size,
  };
  const sent = requests.reduce((n, r) => n + r.records.length, 0);
  return { settings, network, events, requests, expected, sent, unique: events['service-orders'].length + events.parts.length + events.complaints.length };
}
type Simulation = ReturnType<typeof simulate>;

/** A migrated database with the network's reference data and partitions for the whole history and the months ahead of now. */
async function prepare({ settings, network }: Simulation): Promise<void> {
  await redis.connect();
  await onServer(`CREATE DATABASE ${dbName}`);
  await migrate(dbUrl);
  // Monthly partitions from the history's start to past now, so neither run meets the workers' maintenance job adding any.
  const months = Math.ceil((Date.now() - settings.start) / (30 * 86_400_000)) + 4;
  await db.query('SELECT maintain_time_partitions($1::int, $2::timestamptz)', [months, new Date(settings.start)]);
  await db.query('SELECT maintain_time_partitions(3)'); // what the job does (PARTITIONS_AHEAD), for the weekly `reading` too
  const collections: Array<[CollectionName, Array<[string, unknown]>]> = [
    ['regions', network.regions.map(({ id, ...body }) => [id, body])],
    ['product-lines', network.productLines.map(({ id, ...body }) => [id, body])],
    ['parts', network.parts.map(({ partNo, ...body }) => [partNo, body])],
    ['device-models', network.deviceModels.map(({ id, ...body }) => [id, body])],
    ['outlets', network.outlets.map(({ id, ...body }) => [id, body])],
    ['devices', network.devices.map(({ id, ...body }) => [id, body])],
  ];
  for (const [collection, items] of collections) for (const [id, body] of items) await upsertReference(db, collection, id, body as never);
}

/** COPY text format: \N for null, and backslash, tab, newline and carriage return escaped. */
const cell = (value: unknown) =>
  value === undefined || value === null ? '\\N' : String(value).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

/** A psql script of three COPY … FROM STDIN, each followed by its rows: the distinct events of each stream, as the workers would store them. */
async function writeCopyScript(events: EventLog): Promise<void> {
  const out = createWriteStream(copyFile);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  for (const stream of EVENT_STREAMS) {
    const { facts, columns } = STORES[stream];
    await write(`COPY ${facts} (${Object.keys(columns).join(', ')}) FROM STDIN;\n`);
    for (const event of events[stream] as readonly object[]) {
      await write(`${Object.values(columns).map((field) => cell((event as Record<string, unknown>)[field])).join('\t')}\n`);
    }
    await write('\\.\n');
  }
  await new Promise((resolve) => out.end(resolve));
}

/**
 * The script through psql in one session and one transaction, as bench:ingest's COPY (psql rather than the product's
 * code, so that the limit owes nothing to it). Returns the seconds it took.
 */
async function rawCopy(): Promise<number> {
  const started = performance.now();
  const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-d', dbUrl, '-f', copyFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  const [code] = (await once(psql, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`psql ended with ${String(code)} during COPY: is psql installed and the database reachable?`);
  return (performance.now() - started) / 1000;
}

const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
const checkpoint = () => db.query('CHECKPOINT').catch(() => console.log('CHECKPOINT refused: a checkpoint may fall inside a run.'));

async function startStack(timeZone: string): Promise<{ api: string; key: string; pids: Record<string, number | undefined> }> {
  const port = await freePort();
  const env = {
    DATABASE_URL: dbUrl, REDIS_URL, QUEUE_PREFIX: prefix, PORT: String(port), HOST: '127.0.0.1', BUSINESS_TIMEZONE: timeZone,
    LOG_LEVEL: 'warn', WORKER_METRICS_PORT: '0', WORKER_CONCURRENCY, DEMO: 'off',
  };
  const pids = { api: children.start('api', 'server/src/server.ts', env).pid, workers: children.start('workers', 'workers/src/main.ts', env).pid };
  const { token } = await createApiKey(db, { name: `bench-${run}`, scopes: ['service-orders', 'parts', 'complaints'], regions: null });
  const api = `http://127.0.0.1:${port}`;
  await children.waitFor('the API to answer /readyz', () => fetch(`${api}/readyz`).then((r) => r.ok, () => false));
  return { api, key: token, pids };
}

/**
 * POSTs the requests in sending order, --concurrency at a time; a 429 or 503 waits its Retry-After and is sent again.
 * Every request must come back 202 with every record accepted. Returns the events acknowledged and the retries.
 */
async function sendAll(api: string, key: string, requests: ReadonlyArray<Delivery<EventStream>>): Promise<{ acknowledged: number; retries: number }> {
  let [next, acknowledged, retries] = [0, 0, 0];
  const lane = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const { stream, records } = requests[i]!;
      const [url, body] = [`${api}/api/v1/ingest/${stream}`, JSON.stringify(records)];
      let answer = await post(url, key, body);
      for (; answer.status === 429 || answer.status === 503; retries += 1) {
        await sleep(answer.retryAfter * 1000);
        answer = await post(url, key, body);
      }
      const accepted = answer.status === 202 ? (JSON.parse(answer.text) as { accepted: number }).accepted : -1;
      if (accepted !== records.length) throw new Error(`POST /api/v1/ingest/${stream} answered ${answer.status} ${answer.text.slice(0, 500)}`);
      acknowledged += accepted;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  return { acknowledged, retries };
}

/**
 * Waits until the three queues hold no job left to run and the fact tables hold every event. The tables are counted
 * only once the queues are empty, as bench:ingest does. A failed job (after its retries) stops the wait with its error.
 */
async function drained(expected: Record<EventStream, number>): Promise<void> {
  const queues = EVENT_STREAMS.map((stream) => new Queue(stream, { connection: redis, prefix }));
  let [seen, seenAt] = ['', Date.now()];
  try {
    await children.waitFor('the workers to store every event', async () => {
      const jobs = await Promise.all(queues.map((q) => q.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed')));
      const failed = jobs.reduce((n, j) => n + (j.failed ?? 0), 0);
      if (failed > 0) {
        const job = (await Promise.all(queues.map((q) => q.getFailed(0, 0)))).flat()[0];
        throw new Error(`${failed} job(s) failed; ${job?.queueName} ${job?.id}: ${job?.failedReason}`);
      }
      const pending = jobs.reduce((n, j) => n + Object.values(j).reduce((a, b) => a + b, 0), 0);
      const stored = pending > 0 ? [] : await Promise.all(EVENT_STREAMS.map((s) => count(STORES[s].facts)));
      const state = pending > 0 ? JSON.stringify(jobs) : stored.join(',');
      if (state !== seen) [seen, seenAt] = [state, Date.now()];
      if (Date.now() - seenAt > 60_000) throw new Error(`No progress for 60 s (${state}): see the workers' output above.`);
      return pending === 0 && EVENT_STREAMS.every((s, i) => stored[i]! >= expected[s]);
    }, 24 * 3600_000);
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

/** Exactly once: each fact table, current-state table and rollup total against what was generated. Returns what was counted. */
async function verify({ expected }: Simulation) {
  const counted = {
    facts: Object.fromEntries(await Promise.all(EVENT_STREAMS.map(async (s) => [s, await count(STORES[s].facts)]))) as Record<EventStream, number>,
    state: Object.fromEntries(await Promise.all(EVENT_STREAMS.map(async (s) => [s, await count(STORES[s].state)]))) as Record<EventStream, number>,
    received: Number((await db.query<{ n: string }>("SELECT coalesce(sum(received), 0) AS n FROM service_load_rollup WHERE grain = 'month'")).rows[0]!.n),
    complaints: Number((await db.query<{ n: string }>("SELECT coalesce(sum(complaints), 0) AS n FROM complaint_rollup WHERE grain = 'month'")).rows[0]!.n),
  };
  const wrong = [
    ...EVENT_STREAMS.flatMap((s) => (counted.facts[s] === expected.facts[s] ? [] : [`${STORES[s].facts}: ${counted.facts[s]} rows, not ${expected.facts[s]}`])),
    ...EVENT_STREAMS.flatMap((s) => (counted.state[s] === expected.state[s] ? [] : [`${STORES[s].state}: ${counted.state[s]} rows, not ${expected.state[s]}`])),
    ...(counted.received === expected.received ? [] : [`service_load_rollup: ${counted.received} orders received, not ${expected.received}`]),
    ...(counted.complaints === expected.complaints ? [] : [`complaint_rollup: ${counted.complaints} complaints, not ${expected.complaints}`]),
  ];
  if (wrong.length > 0) throw new Error(`Not stored exactly once: ${wrong.join('; ')}.`);
  return counted;
}

async function main() {
  progress(`Simulating ${opts.months} month(s) of ${opts.outlets} outlets …`);
  const simulation = simulate();
  const { events, requests, settings } = simulation;
  progress(`Creating and migrating ${dbName}, with the network's reference data …`);
  await prepare(simulation);
  progress(`Writing ${simulation.unique.toLocaleString('en')} events (${EVENT_STREAMS.map((s) => `${events[s].length} ${s}`).join(', ')}) for COPY …`);
  await writeCopyScript(events);
  await checkpoint();
  let cpu = cpuMeter(dbName);
  const copySeconds = await rawCopy();
  const copyCpu = cpu();
  rmSync(copyFile, { force: true });
  for (const stream of EVENT_STREAMS) {
    const stored = await count(STORES[stream].facts);
    if (stored !== simulation.expected.facts[stream]) throw new Error(`COPY stored ${stored} ${stream} events, not ${simulation.expected.facts[stream]}.`);
  }
  await db.query(`TRUNCATE ${EVENT_STREAMS.map((s) => STORES[s].facts).join(', ')}`);
  progress(`Raw COPY took ${copySeconds.toFixed(2)} s; TRUNCATE emptied the fact tables for the end-to-end run.`);

  progress('Starting the API and the workers …');
  const { api, key, pids } = await startStack(settings.timeZone);
  progress(`End to end: ${requests.length} requests of up to ${opts.batch} events (${simulation.sent.toLocaleString('en')} sent, duplicates included), ${opts.concurrency} in flight …`);
  await checkpoint();
  cpu = cpuMeter(dbName, pids);
  const began = performance.now();
  const { acknowledged, retries } = await sendAll(api, key, requests);
  const ackSeconds = (performance.now() - began) / 1000;
  await drained(simulation.expected.facts);
  const e2eSeconds = (performance.now() - began) / 1000;
  const e2eCpu = cpu();
  const memoryMiB = children.peakMemory();
  const counted = await verify(simulation);
  if (acknowledged !== simulation.sent) throw new Error(`${acknowledged} events acknowledged, not the ${simulation.sent} sent.`);

  const m = await describeMachine();
  const rate = (seconds: number) => Math.round(simulation.unique / seconds);
  const result = {
    date: new Date().toISOString(),
    options: { ...opts, out: undefined, workerConcurrency: Number(WORKER_CONCURRENCY) },
    history: { start: new Date(settings.start).toISOString(), end: new Date(settings.end).toISOString(), timeZone: settings.timeZone },
    events: { unique: simulation.unique, sent: simulation.sent, requests: requests.length, ...simulation.expected.facts },
    rawCopy: { seconds: round2(copySeconds), eventsPerSecond: rate(copySeconds), cpuSeconds: copyCpu },
    endToEnd: { seconds: round2(e2eSeconds), eventsPerSecond: rate(e2eSeconds), cpuSeconds: e2eCpu },
    ratio: round2(copySeconds / e2eSeconds),
    httpAcceptance: { seconds: round2(ackSeconds), eventsPerSecond: Math.round(simulation.sent / ackSeconds), acknowledged, retries429: retries },
    exactlyOnce: { ok: true, ...counted },
    memoryMiB,
    machine: m,
  };
  const n = (x: number) => x.toLocaleString('en');
  const cpuText = (used: Record<string, number>) => Object.entries(used).map(([name, s]) => `${name} ${s}`).join(', ');
  console.log(`
  events            ${n(simulation.unique)} distinct (${EVENT_STREAMS.map((s) => `${s} ${n(events[s].length)}`).join(', ')}); ${n(simulation.sent)} sent with duplicates
  raw COPY          ${n(result.rawCopy.eventsPerSecond)} events/s   ${result.rawCopy.seconds} s   CPU s: ${cpuText(copyCpu)}
  end to end        ${n(result.endToEnd.eventsPerSecond)} events/s   ${result.endToEnd.seconds} s   CPU s: ${cpuText(e2eCpu)}
  ratio             ${result.ratio}   (end to end ÷ raw COPY; aim: ≥ 20,000 events/s end to end)
  HTTP acceptance   ${n(result.httpAcceptance.eventsPerSecond)} events/s acknowledged   ${result.httpAcceptance.seconds} s   429 retries ${retries}
  exactly once      every event acknowledged; facts, current state (orders ${n(counted.state['service-orders'])}, requests ${n(counted.state.parts)}, complaints ${n(counted.state.complaints)}) and rollup totals as generated
  peak memory       ${Object.entries(memoryMiB).map(([name, mib]) => `${name} ${mib ?? '?'} MiB`).join(', ')}
  machine           ${machineLine(m)}`);
  console.log(`  written to ${writeResult('events', result, opts.out)}\n`);
}

let cleaning: Promise<void> | null = null;
/** Stops the children, drops the database (unless --keep) and deletes the queues' Redis keys; once, however often called. */
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await children.stopAll();
    rmSync(copyFile, { force: true });
    await db.end();
    if (opts.keep) console.log(`Kept the database ${dbUrl}`);
    else await onServer(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    if (redis.status === 'ready') {
      await deleteRedisKeys(redis, prefix);
    }
    redis.disconnect();
  })();
  return cleaning;
}

await runBench('bench:events', main, cleanUp);
