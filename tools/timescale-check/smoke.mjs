// Smoke test: TimescaleDB features on the WASM PGlite (PG17 + TimescaleDB 2.23-dev) fork,
// served over the PostgreSQL wire protocol by pglite-socket and driven by node-pg.
// Usage: node smoke.mjs            (from tools/timescale-check, after `npm ci`)
// Prints one line per probe: "OK   <name> -> <result>" or "FAIL <name>: <error message>".
// Exit code is 1 when a probe marked `must` fails (the features a migration relies on).
import { PGlite } from '@electric-sql/pglite'
import { timescaledb } from '@electric-sql/pglite/timescaledb'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import pg from 'pg'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const results = []
const notices = []
const fmt = (v) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return s.length > 300 ? s.slice(0, 300) + '…' : s
}

/** Run one probe; never throws. `expectFail` marks probes that are supposed to be rejected. */
async function step(name, fn, { must = false, expectFail = false } = {}) {
  notices.length = 0
  const t0 = performance.now()
  let ok = true
  let out
  try {
    out = await fn()
  } catch (e) {
    ok = false
    out = e
  }
  const ms = (performance.now() - t0).toFixed(0)
  const note = notices.length ? `  [notices: ${notices.join(' | ')}]` : ''
  if (ok) {
    console.log(`OK   ${name}${out !== undefined ? ' -> ' + fmt(out) : ''} (${ms} ms)${note}`)
  } else {
    const msg = out?.message ?? String(out)
    console.log(`FAIL ${name}: ${msg}${expectFail ? '  (expected)' : ''} (${ms} ms)${note}`)
  }
  results.push({ name, ok, must, expectFail })
  return ok ? out : undefined
}

// ---------------------------------------------------------------- start
const tStart = performance.now()
const db = await PGlite.create({ extensions: { timescaledb } })
const startMs = performance.now() - tStart
console.log(`INFO PGlite.create({ extensions: { timescaledb } }) took ${startMs.toFixed(0)} ms`)

const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 })
await server.start()
const conn = server.getServerConn() // "127.0.0.1:<port>" once started
const port = Number(conn.split(':').pop())
console.log(`INFO socket server on ${conn}`)
const connectionString = `postgres://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`

// One connection only: pglite-socket serves a single client at a time.
const pool = new pg.Pool({ connectionString, max: 1 })
pool.on('connect', (c) => c.on('notice', (n) => notices.push(`${n.severity}: ${n.message}`)))
pool.on('error', (e) => console.log('INFO pool error', e.message))
const q = async (text, values) => (await pool.query(text, values)).rows
const one = async (text, values) => (await q(text, values))[0]

/** Run `fn(client)` between BEGIN and COMMIT on the single pooled connection; ROLLBACK on error. */
async function tx(fn) {
  const c = await pool.connect()
  try {
    await c.query('BEGIN')
    const r = await fn(c)
    await c.query('COMMIT')
    return r
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {})
    throw e
  } finally {
    c.release()
  }
}

// ---------------------------------------------------------------- extension
await step('CREATE EXTENSION IF NOT EXISTS timescaledb', async () => {
  const t = performance.now()
  await q('CREATE EXTENSION IF NOT EXISTS timescaledb')
  return `${(performance.now() - t).toFixed(0)} ms`
}, { must: true })
await step('extversion', () => one("SELECT extversion FROM pg_extension WHERE extname='timescaledb'"), { must: true })
await step('timescaledb.license', () => one("SELECT current_setting('timescaledb.license', true) AS license"), { must: true })
await step('pg_available_extensions', () => q("SELECT name, default_version FROM pg_available_extensions WHERE name='timescaledb'"))
await step('server settings', () =>
  one(`SELECT version(), current_setting('TimeZone') tz, current_setting('shared_preload_libraries') spl,
              current_setting('timescaledb.telemetry_level', true) telemetry, current_setting('max_worker_processes') mwp`))

// ---------------------------------------------------------------- hypertable
await step('CREATE TABLE reading', () =>
  q(`CREATE TABLE reading (device_id text NOT NULL, sensor text NOT NULL, at timestamptz NOT NULL,
       value double precision NOT NULL, PRIMARY KEY (device_id, sensor, at))`), { must: true })
const newForm = "SELECT create_hypertable('reading', by_range('at', INTERVAL '1 day'), if_not_exists => true) AS r"
const oldForm = "SELECT create_hypertable('reading', 'at', chunk_time_interval => INTERVAL '1 day', if_not_exists => true) AS r"
await step('create_hypertable by_range (1st)', () => one(newForm), { must: true })
await step('create_hypertable by_range (2nd, idempotent?)', () => one(newForm), { must: true })
await step('create_hypertable old form (on existing hypertable)', () => one(oldForm))
await step('old form on a fresh table', async () => {
  await q('CREATE TABLE reading_old (at timestamptz NOT NULL, v int)')
  const a = await one("SELECT create_hypertable('reading_old', 'at', chunk_time_interval => INTERVAL '1 day', if_not_exists => true) AS r")
  const b = await one("SELECT create_hypertable('reading_old', 'at', chunk_time_interval => INTERVAL '1 day', if_not_exists => true) AS r")
  return [a.r, b.r]
})
await step('hypertable listed', () =>
  q("SELECT hypertable_name, num_dimensions FROM timescaledb_information.hypertables ORDER BY 1"))

// ---------------------------------------------------------------- inserts via unnest
const INSERT_UNNEST =
  'INSERT INTO reading SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[]) ON CONFLICT DO NOTHING'
const hour = 3600_000
const nowHour = Math.floor(Date.now() / hour) * hour
function rows(devices, sensors, hours, endMs = nowHour, offset = 0) {
  const d = [], s = [], t = [], v = []
  for (const dev of devices) for (const sen of sensors) for (let h = 0; h < hours; h++) {
    d.push(dev); s.push(sen); t.push(new Date(endMs - h * hour).toISOString()); v.push(h + offset + Math.random())
  }
  return [d, s, t, v]
}
// 3 devices x 2 sensors x 30 days hourly, plus 10 rows ~400 days old (for the retention policy)
const batch = rows(['d1', 'd2', 'd3'], ['temp', 'hum'], 30 * 24)
const old = rows(['d1'], ['temp'], 10, nowHour - 400 * 24 * hour)
await step('insert unnest (4320 rows)', async () => (await pool.query(INSERT_UNNEST, batch)).rowCount, { must: true })
await step('insert unnest (10 old rows, 400 days ago)', async () => (await pool.query(INSERT_UNNEST, old)).rowCount)
const count1 = await step('count', async () => Number((await one('SELECT count(*) c FROM reading')).c))
await step('insert same rows again (ON CONFLICT DO NOTHING)', async () => {
  const r = await pool.query(INSERT_UNNEST, batch)
  const c = Number((await one('SELECT count(*) c FROM reading')).c)
  if (c !== count1) throw new Error(`count changed ${count1} -> ${c}`)
  return `rowCount=${r.rowCount}, count unchanged=${c}`
}, { must: true })
await step('chunks created', async () =>
  one("SELECT count(*) AS chunks FROM timescaledb_information.chunks WHERE hypertable_name='reading'"))

// ---------------------------------------------------------------- bucketing functions
await step("time_bucket('1 hour', at)", () =>
  one("SELECT time_bucket('1 hour', at) b, count(*) FROM reading GROUP BY 1 ORDER BY 1 DESC LIMIT 1"), { must: true })
await step("time_bucket('1 day', at, 'Asia/Shanghai')", () =>
  one("SELECT time_bucket('1 day', at, 'Asia/Shanghai') b, count(*) FROM reading GROUP BY 1 ORDER BY 1 DESC LIMIT 1"))
await step("time_bucket('1 month', at, 'Asia/Shanghai')", () =>
  one("SELECT time_bucket('1 month', at, 'Asia/Shanghai') b, count(*) FROM reading GROUP BY 1 ORDER BY 1 DESC LIMIT 1"))
await step("date_bin('1 hour', at, TIMESTAMPTZ '2000-01-03 00:00+00')", () =>
  one("SELECT date_bin('1 hour', at, TIMESTAMPTZ '2000-01-03 00:00+00') b, count(*) FROM reading GROUP BY 1 ORDER BY 1 DESC LIMIT 1"), { must: true })
await step("date_trunc('month', at AT TIME ZONE 'Asia/Shanghai')", () =>
  one("SELECT date_trunc('month', at AT TIME ZONE 'Asia/Shanghai') b, count(*) FROM reading GROUP BY 1 ORDER BY 1 DESC LIMIT 1"), { must: true })
await step("date_trunc('month', at, 'Asia/Shanghai') (PG16+ 3-arg)", () =>
  one("SELECT date_trunc('month', at, 'Asia/Shanghai') b, count(*) FROM reading GROUP BY 1 ORDER BY 1 DESC LIMIT 1"))

// ---------------------------------------------------------------- compression / retention
await step("ALTER TABLE reading SET (timescaledb.compress, compress_segmentby = 'device_id, sensor')", () =>
  q("ALTER TABLE reading SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id, sensor')"))
await step("add_compression_policy('reading', INTERVAL '7 days', if_not_exists => true)", () =>
  one("SELECT add_compression_policy('reading', INTERVAL '7 days', if_not_exists => true) AS job_id"))
await step('add_compression_policy again (idempotent?)', () =>
  one("SELECT add_compression_policy('reading', INTERVAL '7 days', if_not_exists => true) AS job_id"))
await step("add_retention_policy('reading', INTERVAL '365 days', if_not_exists => true)", () =>
  one("SELECT add_retention_policy('reading', INTERVAL '365 days', if_not_exists => true) AS job_id"))
await step('add_retention_policy again (idempotent?)', () =>
  one("SELECT add_retention_policy('reading', INTERVAL '365 days', if_not_exists => true) AS job_id"))
const jobs = (await step('timescaledb_information.jobs', () =>
  q('SELECT job_id, application_name, proc_name, hypertable_name, schedule_interval::text FROM timescaledb_information.jobs ORDER BY job_id'))) ?? []
const chunkState = () => one(`SELECT count(*) AS chunks, count(*) FILTER (WHERE is_compressed) AS compressed
                               FROM timescaledb_information.chunks WHERE hypertable_name='reading'`)
await step('chunks before run_job', chunkState)
for (const j of jobs.filter((j) => j.hypertable_name === 'reading')) {
  await step(`CALL run_job(${j.job_id}) [${j.proc_name}]`, async () => {
    await q(`CALL run_job(${j.job_id})`)
    return chunkState()
  })
}
await step('count after policies (old rows dropped by retention?)', () => one('SELECT count(*) c FROM reading'))
await step('job_stats', () =>
  q("SELECT job_id, last_run_status, total_runs, total_failures FROM timescaledb_information.job_stats WHERE hypertable_name='reading' ORDER BY 1"))
await step('re-insert same rows into compressed chunks (ON CONFLICT DO NOTHING)', async () => {
  const before = Number((await one('SELECT count(*) c FROM reading')).c)
  const r = await pool.query(INSERT_UNNEST, batch)
  const after = Number((await one('SELECT count(*) c FROM reading')).c)
  if (before !== after) throw new Error(`count changed ${before} -> ${after}`)
  return `rowCount=${r.rowCount}, count unchanged=${after}`
})
await step('insert a new row into a compressed chunk', async () => {
  const r = await pool.query(INSERT_UNNEST, [['d9'], ['temp'], [new Date(nowHour - 20 * 24 * hour).toISOString()], [1.5]])
  return `rowCount=${r.rowCount}`
})
await step('manual compress_chunk / decompress_chunk', async () => {
  const c = await one(`SELECT show_chunks('reading', older_than => INTERVAL '2 days') AS c ORDER BY 1 DESC LIMIT 1`)
  await q(`SELECT compress_chunk('${c.c}', if_not_compressed => true)`)
  await q(`SELECT decompress_chunk('${c.c}', if_compressed => true)`)
  return c.c
})

// ---------------------------------------------------------------- continuous aggregates
const caggSql = (name, bucket = "time_bucket('1 hour', at)", data = 'WITH NO DATA') =>
  `CREATE MATERIALIZED VIEW ${name} WITH (timescaledb.continuous) AS
   SELECT device_id, sensor, ${bucket} AS bucket, min(value), max(value), avg(value), count(*)
   FROM reading GROUP BY 1, 2, 3 ${data}`
await step('cagg WITH NO DATA inside BEGIN/COMMIT', () => tx((c) => c.query(caggSql('reading_hourly'))), { must: true })
await step('cagg WITH NO DATA outside a transaction', () => q(caggSql('reading_hourly_b')), { must: true })
await step('cagg WITH DATA outside a transaction', () => q(caggSql('reading_hourly_c', undefined, 'WITH DATA')))
await step('cagg WITH DATA inside BEGIN/COMMIT', () => tx((c) => c.query(caggSql('reading_hourly_d', undefined, 'WITH DATA'))), { expectFail: true })
await step('cagg WITH NO DATA in a multi-statement simple query', () =>
  q(`SELECT 1; ${caggSql('reading_hourly_e')}; SELECT 2`))
const caggJob = await step('add_continuous_aggregate_policy', () =>
  one(`SELECT add_continuous_aggregate_policy('reading_hourly', start_offset => INTERVAL '90 days',
         end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => true) AS job_id`), { must: true })
await step('add_continuous_aggregate_policy again (idempotent?)', () =>
  one(`SELECT add_continuous_aggregate_policy('reading_hourly', start_offset => INTERVAL '90 days',
         end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour', if_not_exists => true) AS job_id`))
await step("CALL refresh_continuous_aggregate('reading_hourly', NULL, NULL)", async () => {
  await q("CALL refresh_continuous_aggregate('reading_hourly', NULL, NULL)")
  return one('SELECT count(*) AS buckets, sum(count) AS raw_rows FROM reading_hourly')
}, { must: true })
await step('refresh_continuous_aggregate inside BEGIN/COMMIT', () =>
  tx((c) => c.query("CALL refresh_continuous_aggregate('reading_hourly_b', NULL, NULL)")), { expectFail: true })
if (caggJob) {
  await step(`CALL run_job(${caggJob.job_id}) [cagg policy reading_hourly]`, async () => {
    await q(`CALL run_job(${caggJob.job_id})`)
    return one('SELECT count(*) AS buckets FROM reading_hourly')
  })
}
await step('read reading_hourly rows', () =>
  q("SELECT device_id, sensor, bucket, min, max, round(avg::numeric, 3) avg, count FROM reading_hourly ORDER BY bucket DESC, device_id, sensor LIMIT 2"), { must: true })
await step('cagg materialized_only setting', () =>
  q("SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates ORDER BY 1"))
await step("cagg monthly time_bucket('1 month', at, 'Asia/Shanghai')", async () => {
  await q(caggSql('reading_monthly', "time_bucket('1 month', at, 'Asia/Shanghai')"))
  await q("CALL refresh_continuous_aggregate('reading_monthly', NULL, NULL)")
  return q('SELECT bucket, sum(count) AS n FROM reading_monthly GROUP BY 1 ORDER BY 1')
}, { must: true })
await step("cagg monthly date_trunc('month', at, 'Asia/Shanghai')", async () => {
  await q(caggSql('reading_monthly_dt', "date_trunc('month', at, 'Asia/Shanghai')"))
  await q("CALL refresh_continuous_aggregate('reading_monthly_dt', NULL, NULL)")
  return q('SELECT bucket, sum(count) AS n FROM reading_monthly_dt GROUP BY 1 ORDER BY 1')
})
await step("cagg daily date_trunc('day', at)", async () => {
  await q(caggSql('reading_daily_dt', "date_trunc('day', at)"))
  return 'created'
})
await step('cagg hierarchical (daily on top of hourly)', async () => {
  await q(`CREATE MATERIALIZED VIEW reading_daily WITH (timescaledb.continuous) AS
           SELECT device_id, sensor, time_bucket('1 day', bucket) AS day, sum(count) AS n
           FROM reading_hourly GROUP BY 1, 2, 3 WITH NO DATA`)
  await q("CALL refresh_continuous_aggregate('reading_daily', NULL, NULL)")
  return one('SELECT count(*) AS days, sum(n) AS n FROM reading_daily')
})

// ---------------------------------------------------------------- plpgsql / dynamic SQL
await step('DO block with plpgsql + RAISE NOTICE', () =>
  q("DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname='timescaledb') THEN RAISE NOTICE 'ts'; END IF; END $$"), { must: true })
await step('CREATE OR REPLACE FUNCTION ... LANGUAGE plpgsql', async () => {
  await q(`CREATE OR REPLACE FUNCTION reading_count(p_device text) RETURNS bigint LANGUAGE plpgsql AS $$
           DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM reading WHERE device_id = p_device; RETURN n; END $$`)
  return one("SELECT reading_count('d1') AS n")
}, { must: true })
await step('EXECUTE format(...) dynamic SQL', async () => {
  await q(`DO $$ DECLARE t text := 'dyn_tbl'; BEGIN
             EXECUTE format('CREATE TABLE IF NOT EXISTS %I (id int PRIMARY KEY, note text)', t);
             EXECUTE format('INSERT INTO %I VALUES (%s, %L)', t, 1, 'it''s');
           END $$`)
  return q('SELECT * FROM dyn_tbl')
}, { must: true })
await step('conditional timescale DDL in a DO block (portable migration pattern)', () =>
  q(`DO $$ BEGIN
       IF EXISTS (SELECT 1 FROM pg_extension WHERE extname='timescaledb') THEN
         CREATE TABLE IF NOT EXISTS dyn_ts (at timestamptz NOT NULL, v int);
         PERFORM create_hypertable('dyn_ts', by_range('at', INTERVAL '1 day'), if_not_exists => true);
       END IF;
     END $$`))

// ---------------------------------------------------------------- COPY FROM STDIN
// Minimal copy-in without pg-copy-streams: subclass pg.Query and answer CopyInResponse ourselves.
class CopyFrom extends pg.Query {
  constructor(text, payload) { super(text); this.payload = payload }
  handleCopyInResponse(connection) {
    connection.sendCopyFromChunk(Buffer.from(this.payload))
    connection.endCopyFrom()
  }
}
await step('COPY reading FROM STDIN (csv)', async () => {
  const c = await pool.connect()
  try {
    const t = new Date(nowHour).toISOString()
    const qy = c.query(new CopyFrom('COPY reading FROM STDIN (FORMAT csv)', `c1,temp,${t},1\nc1,hum,${t},2\n`))
    await new Promise((res, rej) => { qy.on('end', res); qy.on('error', rej) })
    return `rowCount=${qy.rowCount}`
  } finally { c.release() }
})
await step('COPY result check', () => one("SELECT count(*) c FROM reading WHERE device_id='c1'"))

// ---------------------------------------------------------------- declarative partitioning
await step('PARTITION BY RANGE with DEFAULT partition', async () => {
  await q('CREATE TABLE p (at timestamptz NOT NULL, v int) PARTITION BY RANGE (at)')
  await q('CREATE TABLE p_default PARTITION OF p DEFAULT')
  await q("CREATE TABLE p_2025 PARTITION OF p FOR VALUES FROM ('2025-01-01+00') TO ('2026-01-01+00')")
  await q("INSERT INTO p VALUES ('2025-06-01+00', 1), ('2030-01-01+00', 2)")
  return q('SELECT tableoid::regclass::text AS part, v FROM p ORDER BY v')
})

// ---------------------------------------------------------------- protocol / transactions
await step('multiple statements in one simple query', async () => {
  const r = await pool.query('SELECT 1 AS a; SELECT 2 AS b;')
  return Array.isArray(r) ? r.map((x) => x.rows[0]) : r.rows
}, { must: true })
await step('BEGIN/ROLLBACK then BEGIN/COMMIT on the pooled connection', async () => {
  await q('CREATE TABLE txt (id int)')
  const c = await pool.connect()
  try {
    await c.query('BEGIN'); await c.query('INSERT INTO txt VALUES (1)'); await c.query('ROLLBACK')
    await c.query('BEGIN'); await c.query('INSERT INTO txt VALUES (2)'); await c.query('COMMIT')
  } finally { c.release() }
  return q('SELECT id FROM txt')
}, { must: true })
await step('error inside transaction leaves connection usable', async () => {
  await tx((c) => c.query('SELECT 1/0')).catch(() => {})
  return one('SELECT 42 AS answer')
}, { must: true })
await step('extended protocol with params & named prepared statement', async () =>
  (await pool.query({ name: 'byDev', text: 'SELECT count(*) c FROM reading WHERE device_id = $1', values: ['d2'] })).rows[0])

// ---------------------------------------------------------------- throughput
await step('throughput: 10,000 rows via unnest into a hypertable (1 statement)', async () => {
  await q(`CREATE TABLE reading_bench (device_id text NOT NULL, sensor text NOT NULL, at timestamptz NOT NULL,
           value double precision NOT NULL, PRIMARY KEY (device_id, sensor, at))`)
  await q("SELECT create_hypertable('reading_bench', by_range('at', INTERVAL '1 day'))")
  const b = rows(['b1', 'b2', 'b3', 'b4', 'b5'], ['s1', 's2'], 1000) // 10,000 rows over ~42 days
  const t = performance.now()
  const r = await pool.query(INSERT_UNNEST.replace('reading', 'reading_bench'), b)
  const ms = performance.now() - t
  return `${r.rowCount} rows in ${ms.toFixed(0)} ms = ${Math.round(r.rowCount / (ms / 1000))} rows/s`
})
await step('throughput: 10,000 rows via unnest, 10 batches of 1,000', async () => {
  const t = performance.now()
  let n = 0
  for (let i = 0; i < 10; i++) {
    const b = rows([`x${i}`], ['s1', 's2'], 500)
    n += (await pool.query(INSERT_UNNEST.replace('reading', 'reading_bench'), b)).rowCount
  }
  const ms = performance.now() - t
  return `${n} rows in ${ms.toFixed(0)} ms = ${Math.round(n / (ms / 1000))} rows/s`
})
await step('throughput: 10,000 duplicate rows (all ON CONFLICT DO NOTHING)', async () => {
  const b = rows(['b1', 'b2', 'b3', 'b4', 'b5'], ['s1', 's2'], 1000)
  const t = performance.now()
  const r = await pool.query(INSERT_UNNEST.replace('reading', 'reading_bench'), b)
  return `rowCount=${r.rowCount} in ${(performance.now() - t).toFixed(0)} ms`
})

// ---------------------------------------------------------------- node-pg-migrate (optional)
let runner
try { ({ runner } = await import('node-pg-migrate')) } catch { /* not installed */ }
if (!runner) {
  console.log('SKIP node-pg-migrate (not installed)')
} else {
  const dir = await mkdtemp(join(tmpdir(), 'ts-migrations-'))
  await writeFile(join(dir, '1700000000000_trivial.sql'),
    '-- Up Migration\nCREATE TABLE npm_trivial (id int PRIMARY KEY);\n\n-- Down Migration\nDROP TABLE npm_trivial;\n')
  await writeFile(join(dir, '1700000000001_timescale.sql'), `-- Up Migration
CREATE TABLE npm_metric (device_id text NOT NULL, at timestamptz NOT NULL, value float8 NOT NULL, PRIMARY KEY (device_id, at));
SELECT create_hypertable('npm_metric', by_range('at', INTERVAL '1 day'), if_not_exists => true);
ALTER TABLE npm_metric SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id');
SELECT add_compression_policy('npm_metric', INTERVAL '7 days', if_not_exists => true);
CREATE MATERIALIZED VIEW npm_metric_hourly WITH (timescaledb.continuous) AS
  SELECT device_id, time_bucket('1 hour', at) AS bucket, avg(value) FROM npm_metric GROUP BY 1, 2 WITH NO DATA;
SELECT add_continuous_aggregate_policy('npm_metric_hourly', start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '1 hour');

-- Down Migration
DROP MATERIALIZED VIEW npm_metric_hourly;
DROP TABLE npm_metric;
`)
  // A .sql migration is always wrapped in BEGIN/COMMIT; this needs pgm.noTransaction() from a JS migration.
  await writeFile(join(dir, '1700000000002_refresh.mjs'), `export const up = (pgm) => {
  pgm.noTransaction();
  pgm.sql("CALL refresh_continuous_aggregate('npm_metric_hourly', NULL, NULL)");
};
export const down = false;
`)
  const logs = []
  const base = { dir, direction: 'up', migrationsTable: 'pgmigrations', count: Infinity, log: (m) => logs.push(m) }
  await step('node-pg-migrate runner({ dbClient: pooled client }) — .sql + noTransaction .mjs', async () => {
    const c = await pool.connect()
    try {
      const ran = await runner({ ...base, dbClient: c, checkOrder: true })
      return ran.map((m) => m.name)
    } finally { c.release() }
  })
  await step('node-pg-migrate second run is a no-op', async () => {
    const c = await pool.connect()
    try { return (await runner({ ...base, dbClient: c })).length } finally { c.release() }
  })
  await step('pgmigrations table', () => q('SELECT name FROM pgmigrations ORDER BY id'))
  await step('node-pg-migrate runner({ databaseUrl }) after pool.end()', async () => {
    await pool.end() // free the single connection: runner opens its own pg.Client
    await writeFile(join(dir, '1700000000003_more.sql'), '-- Up Migration\nCREATE TABLE npm_more (id int);\n')
    const ran = await runner({ ...base, databaseUrl: connectionString })
    return ran.map((m) => m.name)
  })
  if (process.env.SMOKE_VERBOSE) console.log(logs.join('\n'))
  await rm(dir, { recursive: true, force: true })
}

// ---------------------------------------------------------------- shutdown
await pool.end().catch(() => {})
await server.stop()
await db.close()
console.log(`INFO rss=${Math.round(process.memoryUsage().rss / 1048576)} MiB`)

const failedMust = results.filter((r) => r.must && !r.ok)
const unexpected = results.filter((r) => !r.ok && !r.expectFail)
console.log(`SUMMARY ${results.filter((r) => r.ok).length} ok, ${results.filter((r) => !r.ok).length} failed ` +
  `(${results.filter((r) => !r.ok && r.expectFail).length} expected), must-have failures: ` +
  (failedMust.length ? failedMust.map((r) => r.name).join('; ') : 'none'))
if (unexpected.length) console.log('FAILED: ' + unexpected.map((r) => r.name).join('; '))
process.exit(failedMust.length ? 1 : 0)
