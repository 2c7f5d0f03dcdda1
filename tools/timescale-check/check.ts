// Shows that the TimescaleDB storage path works: every migration applied to a real
// TimescaleDB (the WASM PGlite build in this folder, see README.md) and ingestion
// through the workers' own SQL. Run from the repository root: `npm run test:timescale`.
// Prints one OK/FAIL line per assertion (INFO lines are informational) and exits 1 on any FAIL.
import type { Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { timescaledb } from '@electric-sql/pglite/timescaledb';
import { PGLiteSocketHandler, PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { IngestJob, StreamName, StreamRecord, TelemetryRecord } from '../../domain/src/index.js';
import { migrate } from '../../server/src/db/migrate.js';
import {
  createPool, ensureRollups, maintainTimePartitions, processIngestJob, READING_ROLLUPS, readingRollupKind, rebuildReadingRollups, type Pool,
} from '../../workers/src/index.js';
import { dropOldReadings } from '../../workers/src/repositories/partitions.js';

// ------------------------------------------------------------------ reporting
// A failed parameterised query can leave pglite-socket's protocol stream out of step
// (electric-sql/pglite#958), which hangs rather than fails: stop after 5 minutes instead.
setTimeout(() => {
  console.log('FAIL watchdog — no result after 5 minutes');
  process.exit(1);
}, 300_000).unref();
let failures = 0;
let passes = 0;
const line = (tag: string, name: string, detail = '') => console.log(`${tag.padEnd(4)} ${name}${detail ? ` — ${detail}` : ''}`);
const info = (name: string, detail: string) => line('INFO', name, detail);
class Fail extends Error {}
const expect = (cond: boolean, reason: string) => { if (!cond) throw new Fail(reason); };
/** Runs one assertion; its return value is the detail printed after OK. Never throws. */
async function check(name: string, fn: () => Promise<string | void>): Promise<boolean> {
  try {
    line('OK', name, (await fn()) ?? '');
    passes++;
    return true;
  } catch (e) {
    line('FAIL', name, e instanceof Error ? e.message : String(e));
    failures++;
    return false;
  }
}

// ------------------------------------------------------------------ pglite-socket framing fix
// pglite-socket 0.0.19 hands every TCP chunk to PGlite as if it were whole protocol messages;
// a message larger than one chunk (~64 KiB, e.g. a big unnest() insert) is cut in two and the
// WASM aborts with "RuntimeError: unreachable" (electric-sql/pglite#775, fixed in later
// pglite-socket releases that need a newer PGlite than this TimescaleDB build). Buffer the
// bytes and pass on whole messages only. The first message of a connection (startup) has no
// type byte; our clients never ask for SSL, so there is no SSLRequest to skip.
//
// COPY … FROM STDIN (how the telemetry writer stores readings) needs a second fix: PGlite cannot resume a
// copy across calls, so the query, its CopyData and its CopyDone must reach it in one call (the approach of
// electric-sql/pglite#1028). The client sends its data only after a CopyInResponse, so one is made up for
// it at once, and PGlite's own is taken out of the answer.
type Handler = { handleData(data: Buffer): Promise<number>; db: PGlite; socket: Socket | null };
const handlerProto = PGLiteSocketHandler.prototype as unknown as Handler;
const forward = handlerProto.handleData;
const inbox = new WeakMap<object, { buf: Buffer; started: boolean; copy: Buffer[] | null; queue: Promise<unknown> }>();
const COPY_IN = /^\s*COPY\b[^;]*\bFROM\s+STDIN\b/i;
handlerProto.handleData = function (this: Handler, data: Buffer) {
  const state = inbox.get(this) ?? { buf: Buffer.alloc(0), started: false, copy: null, queue: Promise.resolve() };
  inbox.set(this, state);
  // One chunk at a time, in arrival order: a chunk may wait on PGlite while the next arrives.
  const done = state.queue.then(() => handleChunk.call(this, state, data));
  state.queue = done.catch(() => {});
  return done;
};
async function handleChunk(this: Handler, state: { buf: Buffer; started: boolean; copy: Buffer[] | null }, data: Buffer): Promise<number> {
  state.buf = Buffer.concat([state.buf, data]);
  const messages: Buffer[] = [];
  let end = 0;
  for (;;) {
    const typeByte = state.started ? 1 : 0;
    if (state.buf.length < end + typeByte + 4) break;
    const size = typeByte + state.buf.readInt32BE(end + typeByte);
    if (state.buf.length < end + size) break;
    messages.push(state.buf.subarray(end, end + size));
    end += size;
    state.started = true;
  }
  state.buf = state.buf.subarray(end);
  let sent = 0;
  let plain: Buffer[] = [];
  const flushPlain = async () => {
    if (plain.length > 0) sent += await forward.call(this, Buffer.concat(plain));
    plain = [];
  };
  for (const message of messages) {
    const type = String.fromCharCode(message[0]!);
    if (state.copy) {
      state.copy.push(message);
      if (type !== 'c' && type !== 'f') continue;
      const answer = Buffer.from(await this.db.execProtocolRaw(new Uint8Array(Buffer.concat(state.copy))));
      state.copy = null;
      const kept: Buffer[] = [];
      for (let at = 0; at < answer.length;) {
        const size = 1 + answer.readInt32BE(at + 1);
        if (answer[at] !== 'G'.charCodeAt(0)) kept.push(answer.subarray(at, at + size));
        at += size;
      }
      this.socket?.write(Buffer.concat(kept));
      continue;
    }
    if (type === 'Q' && COPY_IN.test(message.subarray(5, message.length - 1).toString('utf8'))) {
      await flushPlain();
      state.copy = [message];
      // CopyInResponse: text format, no per-column formats (the client sends text rows).
      this.socket?.write(Buffer.from([0x47, 0, 0, 0, 7, 0, 0, 0]));
      continue;
    }
    plain.push(message);
  }
  await flushPlain();
  return sent;
}

// ------------------------------------------------------------------ database
const t0 = performance.now();
const db = await PGlite.create({ extensions: { timescaledb } });
// One client at a time: further connections wait in the server's queue, so a pool of one,
// and the pool is closed while migrate() uses its own connection.
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
await server.start();
const url = `postgres://postgres:postgres@${server.getServerConn()}/postgres`;
info('PGlite + timescaledb', `started in ${Math.round(performance.now() - t0)} ms, served on ${server.getServerConn()}`);
let pool: Pool = createPool(url, 1);
const rows = async <R = Record<string, unknown>>(sql: string, values?: unknown[]) => (await pool.query(sql, values)).rows as R[];
const value = async <V = unknown>(sql: string, values?: unknown[]) => Object.values((await rows(sql, values))[0] ?? {})[0] as V;
const count = async (sql: string, values?: unknown[]) => Number(await value(sql, values));
async function migrateAlone(): Promise<string[]> {
  await pool.end();
  try {
    return await migrate(url, (m) => info('migrate', m));
  } finally {
    pool = createPool(url, 1);
  }
}

const migrationFiles = readdirSync(fileURLToPath(new URL('../../migrations', import.meta.url))).filter((f) => f.endsWith('.sql'));
const FACTS = ['service_order_event', 'parts_request_event', 'complaint', 'reading'];
const TABLES = [...FACTS, 'service_order', 'parts_request'];
const tableCounts = async () => {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = await count(`SELECT count(*) FROM ${t}`);
  return out;
};
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// Everything that talks to the database; an unexpected error ends it as one FAIL line.
let licence: string | null = null;
async function main(): Promise<void> {
  // ------------------------------------------------------------------ 1-2. migrations, storage mode, hypertables, licence
  await check('migrate() applies every migration', async () => {
    const applied = await migrateAlone();
    expect(applied.length === migrationFiles.length, `applied ${applied.join(', ')} of ${migrationFiles.join(', ')}`);
    return applied.join(', ');
  });
  await check("storage_mode() = 'timescaledb'", async () => {
    const mode = await value<string>('SELECT storage_mode()');
    expect(mode === 'timescaledb', `got ${mode}`);
    return `extension ${await value<string>("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")}`;
  });
  // TimescaleDB has fixed-width chunks: the migrations' '1 month' becomes 30 days (the width
  // PostgreSQL itself gives a month, EXTRACT(EPOCH)), where plain mode uses calendar months.
  // Harmless: queries and retention filter on `at`, never on chunk boundaries.
  await check('fact tables are hypertables with the chunk intervals the migrations set', async () => {
    const found = await rows<{ name: string; interval: string; step: string; equal: boolean }>(
      `SELECT d.hypertable_name AS name, d.time_interval::text AS interval, t.step::text AS step,
              extract(epoch FROM d.time_interval) = extract(epoch FROM t.step) AS equal
       FROM timescaledb_information.dimensions d JOIN time_table t ON t.name = d.hypertable_name
       WHERE d.column_name = 'at' ORDER BY 1`);
    expect(same(found.map((r) => r.name), [...FACTS].sort()), `hypertables: ${found.map((r) => r.name).join(', ')}`);
    const wrong = found.filter((r) => !r.equal);
    expect(wrong.length === 0, wrong.map((r) => `${r.name} ${r.interval} (migration: ${r.step})`).join('; '));
    return found.map((r) => `${r.name} ${r.interval}${r.interval === r.step ? '' : ` (migration: ${r.step})`}`).join(', ');
  });
  // The library (and with it the licence setting) is loaded: create_hypertable ran in this backend.
  licence = await value<string | null>("SELECT current_setting('timescaledb.license', true)");
  info('timescaledb.license', String(licence));
  const policies = async () => (await rows<{ proc_name: string; job_id: number }>(
    `SELECT proc_name, job_id FROM timescaledb_information.jobs
     WHERE hypertable_name = 'reading' AND proc_name IN ('policy_compression', 'policy_retention') ORDER BY 1`));
  await check('compression and retention policies exist exactly when the licence is timescale', async () => {
    const names = (await policies()).map((p) => p.proc_name);
    const compressed = await value<boolean>("SELECT compression_enabled FROM timescaledb_information.hypertables WHERE hypertable_name = 'reading'");
    if (licence === 'timescale') expect(same(names, ['policy_compression', 'policy_retention']) && compressed, `policies: ${names.join(', ') || 'none'}, compression ${compressed}`);
    else expect(names.length === 0 && !compressed, `licence ${licence} but policies: ${names.join(', ')}`);
    return `licence ${licence}: ${names.join(', ') || 'no policies'}, compression_enabled ${compressed}`;
  });
  // Can the other edition be exercised here? SET is refused once the library is loaded; see also
  // probeApacheRestart() at the end. Informational: the build decides, not our code.
  try {
    await pool.query("SET timescaledb.license = 'apache'");
    info('licence switch', "SET timescaledb.license = 'apache' accepted");
  } catch (e) {
    info('licence switch', `SET refused in session: ${(e as Error).message}`);
  }

  // ------------------------------------------------------------------ 3a. second migrate() is a no-op
  await check('second migrate() is a no-op', async () => {
    const applied = await migrateAlone();
    expect(applied.length === 0, `applied again: ${applied.join(', ')}`);
  });

  // ------------------------------------------------------------------ 4. reference rows and ingestion
  await pool.query(`
    INSERT INTO region (region_id, name) VALUES ('R-E', 'East');
    INSERT INTO outlet (outlet_id, name, region_id, technicians, lat, lon) VALUES ('O-1', 'Shanghai 1', 'R-E', 4, 31.2, 121.5);
    INSERT INTO product_line (product_line_id, name) VALUES ('PL-W', 'Washers');
    INSERT INTO part (part_no, name, source, unit_cost) VALUES ('P-100', 'Pump', 'hq_stock', 35.50);
    INSERT INTO device_model (device_model_id, name) VALUES ('M-1', 'Washer X');
    INSERT INTO device_model_sensor (device_model_id, name, unit, min, max) VALUES
      ('M-1', 'temp', 'C', 0, 90), ('M-1', 'pressure', 'bar', 0, 6), ('M-1', 'vibration', 'mm/s', 0, 20),
      ('M-1', 'current', 'A', 0, 16), ('M-1', 'rpm', 'rpm', 0, 1600);
    INSERT INTO device (device_id, device_model_id, outlet_id) VALUES ('D-1', 'M-1', 'O-1'), ('D-2', 'M-1', 'O-1'), ('D-3', 'M-1', 'O-1'), ('D-4', 'M-1', 'O-1')`);

  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const now = Math.floor(Date.now() / HOUR) * HOUR;
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const o = { outletId: 'O-1', productLine: 'PL-W' };
  // Two orders, each delivered out of order over two jobs of one batch (E-3 twice).
  const so = {
    s1: { eventId: 'E-1', orderId: 'SO-1', type: 'created', at: ago(10 * DAY), channel: 'web', ...o },
    s2: { eventId: 'E-2', orderId: 'SO-1', type: 'assigned', at: ago(10 * DAY - HOUR), technicianId: 'T-7', ...o },
    s3: { eventId: 'E-3', orderId: 'SO-1', type: 'visit_started', at: ago(9 * DAY), ...o },
    s4: { eventId: 'E-4', orderId: 'SO-1', type: 'parts_requested', at: ago(9 * DAY - 2 * HOUR), ...o },
    t1: { eventId: 'E-5', orderId: 'SO-2', type: 'created', at: ago(45 * DAY), ...o },
    t2: { eventId: 'E-6', orderId: 'SO-2', type: 'parts_requested', at: ago(44 * DAY), ...o },
    t3: { eventId: 'E-7', orderId: 'SO-2', type: 'parts_received', at: ago(30 * DAY), ...o },
    t4: { eventId: 'E-8', orderId: 'SO-2', type: 'completed', at: ago(29 * DAY), laborCost: 80, ...o },
  } satisfies Record<string, StreamRecord['service-orders']>;
  const p = { outletId: 'O-1', partNo: 'P-100', quantity: 2, source: 'hq_stock' } as const;
  const parts = {
    r1: { eventId: 'PE-1', requestId: 'PR-1', type: 'requested', at: ago(9 * DAY), orderId: 'SO-1', ...p },
    r2: { eventId: 'PE-2', requestId: 'PR-1', type: 'shipped', at: ago(8 * DAY), ...p },
    r3: { eventId: 'PE-3', requestId: 'PR-1', type: 'received', at: ago(7 * DAY), unitCost: 35.5, ...p },
    q1: { eventId: 'PE-4', requestId: 'PR-2', type: 'requested', at: ago(2 * DAY), ...p },
  } satisfies Record<string, StreamRecord['parts']>;
  const complaint = (n: number, daysAgo: number): StreamRecord['complaints'] =>
    ({ eventId: `CE-${n}`, complaintId: `C-${n}`, at: ago(daysAgo * DAY), cause: 'parts_wait', severity: 'high', ...o });
  // Telemetry: 3 devices x 50 samples x 5 sensors, one sample every 17 h (about 5 weeks, several
  // 7-day chunks), plus one job of 10,000 readings whose message is larger than a TCP chunk.
  const sensors = ['temp', 'pressure', 'vibration', 'current', 'rpm'];
  const telemetry = (deviceId: string, samples: number, everyMs: number): TelemetryRecord => ({
    deviceId,
    readings: Array.from({ length: samples }, (_, i) => ({
      at: ago(i * everyMs + 60_000), values: Object.fromEntries(sensors.map((s, k) => [s, i + k / 10])),
    })),
  });

  type Job<S extends StreamName> = [S, IngestJob<S>];
  const jobs: Job<StreamName>[] = [
    ['service-orders', { batchId: 'B-SO', part: 0, records: [so.s4, so.t4, so.s1, so.t3] }],
    ['service-orders', { batchId: 'B-SO', part: 1, records: [so.t1, so.s3, so.s2, so.t2, so.s3] }],
    ['parts', { batchId: 'B-PR', part: 0, records: [parts.r3, parts.q1, parts.r1] }],
    ['parts', { batchId: 'B-PR', part: 1, records: [parts.r2] }],
    ['complaints', { batchId: 'B-C', part: 0, records: [complaint(1, 3), complaint(2, 20), complaint(2, 20), complaint(3, 40)] }],
    ...['D-1', 'D-2', 'D-3'].map((d, part): Job<'telemetry'> => ['telemetry', { batchId: 'B-T', part, records: [telemetry(d, 50, 17 * HOUR)] }]),
    ['telemetry', { batchId: 'B-T', part: 3, records: [telemetry('D-4', 2000, 2 * 60_000)] }],
  ];
  const ingestAll = async () => {
    const stored: number[] = [];
    for (const [stream, job] of jobs) stored.push((await processIngestJob(pool, stream, job, { rollupTimeZone: 'UTC' })).count);
    return stored;
  };

  await check('ingest every stream through processIngestJob', async () => {
    const stored = await ingestAll();
    const counts = await tableCounts();
    expect(same(stored, [4, 4, 3, 1, 3, 250, 250, 250, 10_000]), `stored per job: ${stored.join(', ')}`);
    expect(counts.reading === 10_750 && counts.service_order_event === 8 && counts.complaint === 3, JSON.stringify(counts));
    return Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ');
  });
  const at = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v));
  await check('service_order state from events delivered out of order', async () => {
    const [s1, s2] = await rows<Record<string, unknown>>(
      'SELECT order_id, status, waiting_parts_since, visits, technician_id, completed_at, labor_cost FROM service_order ORDER BY 1');
    expect(s1?.status === 'parts_requested' && at(s1.waiting_parts_since) === so.s4.at, `SO-1 ${JSON.stringify(s1)}`);
    expect(s1?.visits === 1 && s1.technician_id === 'T-7', `SO-1 ${JSON.stringify(s1)}`);
    expect(s2?.status === 'completed' && s2.waiting_parts_since === null && at(s2.completed_at) === so.t4.at, `SO-2 ${JSON.stringify(s2)}`);
    return 'SO-1 parts_requested (waiting since its request), SO-2 completed (not waiting)';
  });
  await check('parts_request state from events delivered out of order', async () => {
    const [r1, r2] = await rows<Record<string, unknown>>(
      'SELECT request_id, status, requested_at, shipped_at, received_at, order_id, unit_cost FROM parts_request ORDER BY 1');
    expect(r1?.status === 'received' && at(r1.requested_at) === parts.r1.at && at(r1.shipped_at) === parts.r2.at
      && at(r1.received_at) === parts.r3.at && r1.order_id === 'SO-1' && r1.unit_cost === '35.50', `PR-1 ${JSON.stringify(r1)}`);
    expect(r2?.status === 'requested' && r2.received_at === null, `PR-2 ${JSON.stringify(r2)}`);
    return 'PR-1 received, PR-2 requested';
  });
  const before = await tableCounts();
  await check('replaying every job changes nothing', async () => {
    const stored = await ingestAll();
    const after = await tableCounts();
    expect(stored.every((n) => n === 0), `stored on replay: ${stored.join(', ')}`);
    expect(same(before, after), `${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
  });
  await check('rollups kept job by job equal a rebuild from the facts', async () => {
    const snapshot = async () => JSON.stringify(await rows(
      `SELECT grain, bucket::text, outlet_id, product_line, received, completed, first_time_fixes, backlog_delta, turnaround_count, waited_for_parts
       FROM service_load_rollup WHERE received <> 0 OR completed <> 0 OR backlog_delta <> 0 OR turnaround_count <> 0 ORDER BY 1, 2, 3, 4`));
    const complaints = async () => JSON.stringify(await rows('SELECT grain, bucket::text, cause, complaints FROM complaint_rollup WHERE complaints <> 0 ORDER BY 1, 2, 3'));
    const [kept, keptComplaints] = [await snapshot(), await complaints()];
    expect(kept.length > 2 && keptComplaints.length > 2, `no rollup rows: ${kept} ${keptComplaints}`);
    expect(await ensureRollups(pool, 'UTC'), 'ensureRollups did not rebuild a database without rollup_state');
    expect(kept === await snapshot(), `kept ${kept}, rebuilt ${await snapshot()}`);
    expect(keptComplaints === await complaints(), `kept ${keptComplaints}, rebuilt ${await complaints()}`);
    return `${JSON.parse(kept).length} service-load and ${JSON.parse(keptComplaints).length} complaint rows`;
  });
  // Telemetry rollups (migrations/0006): continuous aggregates here, tables in plain mode, same columns.
  const ROLLUP_COLUMNS = 'device_id text, sensor text, bucket timestamp with time zone, min double precision, max double precision, sum double precision, count bigint, first_at timestamp with time zone, last_at timestamp with time zone';
  // Sums to 6 decimals: floating-point addition in another order may differ in the last bits.
  const rollupSnapshot = async (view: string) => JSON.stringify(await rows(
    `SELECT device_id, sensor, bucket::text, min, max, round(sum::numeric, 6) AS sum, count, first_at::text, last_at::text FROM ${view} ORDER BY 1, 2, 3`));
  const rawAggregate = async (width: string) => JSON.stringify(await rows(
    `SELECT device_id, sensor, time_bucket('${width}', at)::text AS bucket, min(value) AS min, max(value) AS max, round(sum(value)::numeric, 6) AS sum,
            count(*) AS count, min(at)::text AS first_at, max(at)::text AS last_at
     FROM reading GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`));
  await check('reading_10m and reading_1h: continuous aggregates with refresh policies (licensed), with the columns of plain mode', async () => {
    for (const view of READING_ROLLUPS) {
      const columns = await value<string>(
        `SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) FROM pg_attribute
         WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`, [view]);
      expect(columns === ROLLUP_COLUMNS, `${view}: ${columns}`);
    }
    const kind = await readingRollupKind(pool);
    const caggs = await rows<{ view_name: string; materialized_only: boolean }>(
      'SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates ORDER BY 1');
    const refresh = await count("SELECT count(*) FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate'");
    if (licence === 'timescale') {
      expect(kind === 'continuous_aggregate' && same(caggs.map((c) => c.view_name), ['reading_10m', 'reading_1h']), `${kind}: ${JSON.stringify(caggs)}`);
      expect(caggs.every((c) => !c.materialized_only) && refresh === 2, `real time ${JSON.stringify(caggs)}, ${refresh} refresh policies`);
    } else {
      expect(kind === 'table' && caggs.length === 0, `licence ${licence}: ${kind}, ${JSON.stringify(caggs)}`);
    }
    return `${kind}, ${refresh} refresh policies`;
  });
  const grains = [['reading_10m', '10 minutes'], ['reading_1h', '1 hour']] as const;
  await check('reading rollups equal the raw aggregates, in real time before a refresh and materialized after it', async () => {
    for (const [view, width] of grains) {
      const raw = await rawAggregate(width);
      expect(JSON.parse(raw).length > 100, `${view}: only ${JSON.parse(raw).length} buckets`);
      expect(await rollupSnapshot(view) === raw, `${view} before refresh differs from the raw aggregate`);
    }
    await rebuildReadingRollups(pool, 'D-4', new Date(now - 60 * DAY), new Date(now + HOUR));
    const pending = await count('SELECT count(*) FROM reading_rollup_pending');
    expect(pending === 0, `${pending} buckets marked pending: the writer marks none where TimescaleDB keeps the rollups`);
    if (licence !== 'timescale') return 'tables kept by the workers';
    for (const [view, width] of grains) {
      await pool.query(`ALTER MATERIALIZED VIEW ${view} SET (timescaledb.materialized_only = true)`);
      try {
        expect(await rollupSnapshot(view) === await rawAggregate(width), `${view} materialized differs from the raw aggregate`);
      } finally {
        await pool.query(`ALTER MATERIALIZED VIEW ${view} SET (timescaledb.materialized_only = false)`);
      }
    }
    return `${await count('SELECT count(*) FROM reading_10m')} 10-minute and ${await count('SELECT count(*) FROM reading_1h')} hour buckets`;
  });
  await check('rows are in hypertable chunks, several for reading', async () => {
    const chunks = await rows<{ name: string; n: string }>(
      'SELECT hypertable_name AS name, count(*) AS n FROM timescaledb_information.chunks GROUP BY 1 ORDER BY 1');
    const inParents = await Promise.all(FACTS.map((t) => count(`SELECT count(*) FROM ONLY ${t}`)));
    expect(Number(chunks.find((c) => c.name === 'reading')?.n) > 1, `chunks: ${JSON.stringify(chunks)}`);
    expect(inParents.every((n) => n === 0), `rows in the parent tables themselves: ${inParents.join(', ')}`);
    return chunks.map((c) => `${c.name} ${c.n}`).join(', ');
  });

  // ------------------------------------------------------------------ 5. policies (licensed edition), maintenance, retention
  const jobIds = Object.fromEntries((await policies()).map((j) => [j.proc_name, j.job_id]));
  if (licence === 'timescale') {
    await check('CALL run_job(compression policy) compresses chunks older than 7 days', async () => {
      await pool.query(`CALL run_job(${jobIds.policy_compression})`);
      const compressed = await count("SELECT count(*) FROM timescaledb_information.chunks WHERE hypertable_name = 'reading' AND is_compressed");
      expect(compressed > 0, 'no chunk compressed');
      return `${compressed} chunks compressed`;
    });
    await check('replay and a late reading into compressed chunks', async () => {
      const stored = await ingestAll();
      expect(stored.every((n) => n === 0), `stored on replay: ${stored.join(', ')}`);
      const late = await processIngestJob(pool, 'telemetry', { batchId: 'B-L', part: 0, records: [{ deviceId: 'D-3', readings: [{ at: ago(20 * DAY + 5 * 60_000), values: { temp: 1 } }] }] }, { rollupTimeZone: 'UTC' });
      expect(late.count === 1, `late reading stored ${late.count}`);
      before.reading = (before.reading ?? 0) + 1;
      expect(same(await tableCounts(), before), 'counts changed');
    });
    await check('CALL run_job(retention policy, 730 days) keeps recent readings', async () => {
      await pool.query(`CALL run_job(${jobIds.policy_retention})`);
      expect(await count('SELECT count(*) FROM reading') === before.reading, 'readings were dropped');
    });
  }
  await check('maintainTimePartitions() returns 0 on TimescaleDB', async () => {
    const created = await maintainTimePartitions(pool, 3);
    expect(created === 0, `created ${created}`);
  });
  await check('dropOldReadings(21 days) drops the oldest chunks only', async () => {
    // A reading more than one chunk width (7 days) older than the cutoff is in a chunk that ends before it.
    const recent = "SELECT count(*) FROM reading WHERE at >= now() - interval '21 days'";
    const keep = await count(recent);
    const dropped = await dropOldReadings(pool, 21);
    const old = await count("SELECT count(*) FROM reading WHERE at < now() - interval '28 days'");
    expect(dropped > 0 && old === 0, `dropped ${dropped} chunks, ${old} readings older than 28 days left`);
    expect(await count(recent) === keep, 'recent readings were dropped');
    before.reading = await count('SELECT count(*) FROM reading');
    return `${dropped} chunks dropped, ${before.reading} readings left`;
  });

  // ------------------------------------------------------------------ 3b. every migration file is idempotent
  await check('migrate() after DROP TABLE pgmigrations re-applies every file and keeps data', async () => {
    await pool.query('DROP TABLE pgmigrations');
    const applied = await migrateAlone();
    expect(applied.length === migrationFiles.length, `applied ${applied.join(', ')}`);
    expect(same(await tableCounts(), before), 'row counts changed');
    const hypertables = await count('SELECT count(*) FROM timescaledb_information.hypertables');
    expect(hypertables === FACTS.length, `${hypertables} hypertables`);
    expect((await policies()).length === Object.keys(jobIds).length, 'policies changed');
  });

  // ------------------------------------------------------------------ 6. time-zone bucketing, continuous aggregates
  await check("time_bucket('1 day', at, 'Asia/Shanghai') buckets at local midnight", async () => {
    const r = (await rows<{ buckets: string; total: string; midnight: boolean }>(
      `SELECT count(*) AS buckets, sum(n) AS total, bool_and(extract(hour FROM b AT TIME ZONE 'Asia/Shanghai') = 0) AS midnight
       FROM (SELECT time_bucket('1 day', at, 'Asia/Shanghai') AS b, count(*) AS n FROM reading GROUP BY 1) d`))[0];
    expect(!!r?.midnight && Number(r.total) === before.reading, JSON.stringify(r));
    return `${r?.buckets} daily buckets`;
  });
  try {
    // Outside a transaction: pg sends a query without parameters as one simple-protocol statement.
    await pool.query(`CREATE MATERIALIZED VIEW reading_daily_probe WITH (timescaledb.continuous) AS
      SELECT device_id, sensor, time_bucket('1 day', at, 'Asia/Shanghai') AS day, avg(value) AS avg, count(*) AS n
      FROM reading GROUP BY 1, 2, 3 WITH NO DATA`);
    await pool.query("CALL refresh_continuous_aggregate('reading_daily_probe', NULL, NULL)");
    info('continuous aggregate', `WITH NO DATA created; refreshed to ${await count('SELECT count(*) FROM reading_daily_probe')} rows`);
  } catch (e) {
    info('continuous aggregate', `not available: ${(e as Error).message}`);
  }
}

try {
  await main();
} catch (e) {
  line('FAIL', 'check aborted', e instanceof Error ? e.message : String(e));
  failures++;
}

// ------------------------------------------------------------------ shutdown
await pool.end();
await server.stop();
await db.close();
await probeApacheRestart();
console.log(`SUMMARY ${passes} OK, ${failures} FAIL, licence ${licence}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exitCode = failures > 0 ? 1 : 0;

/**
 * Informational: the other way to pick the Apache edition is the config file and a restart.
 * Reports what this build then says and does (no migration run: the outcome is the build's).
 */
async function probeApacheRestart(): Promise<void> {
  let probe = await PGlite.create({ extensions: { timescaledb } });
  try {
    await probe.exec('CREATE EXTENSION timescaledb');
    await probe.exec("ALTER SYSTEM SET timescaledb.license = 'apache'"); // not allowed in a multi-statement exec
    const dump = await probe.dumpDataDir('none');
    await probe.close();
    probe = await PGlite.create({ loadDataDir: dump, extensions: { timescaledb } });
    await probe.exec("CREATE TABLE r (at timestamptz NOT NULL); SELECT create_hypertable('r', 'at')");
    const setting = (await probe.query<{ l: string }>("SELECT current_setting('timescaledb.license', true) AS l")).rows[0]?.l;
    const policy = await probe.query("SELECT add_retention_policy('r', interval '1 day')").then(() => 'works', (e: Error) => e.message);
    info('licence after ALTER SYSTEM apache + restart', `setting reads ${setting}; add_retention_policy: ${policy}`);
  } catch (e) {
    info('licence after ALTER SYSTEM apache + restart', `probe failed: ${(e as Error).message}`);
  } finally {
    if (!probe.closed) await probe.close();
  }
}
