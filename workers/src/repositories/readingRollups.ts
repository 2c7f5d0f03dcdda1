import type { TelemetryRecord } from '@servicetower/domain';
import { inTransaction, type Pool, type Queryable } from '../db.js';

/**
 * The telemetry rollups of migrations/0006_telemetry_rollups.sql: reading_10m and reading_1h, with
 * min, max, sum, count, first and last reading time per device, sensor and bucket. Continuous
 * aggregates where TimescaleDB is licensed; elsewhere tables the workers keep, a device's 10-minute
 * bucket being rolled up once the device has reported past its end (until then it is pending, and
 * readers take it from the raw readings).
 */
export const READING_ROLLUPS = ['reading_10m', 'reading_1h'] as const;
export const PENDING_BUCKET_MS = 600_000;

export type ReadingRollupKind = 'table' | 'continuous_aggregate';

/**
 * After storing readings, in the same transaction: marks the 10-minute buckets they fall in pending
 * (a few rows per job: only the distinct buckets are sent). The scheduled flush rolls them up later from
 * the stored readings (flushDueReadingRollups), off the ingestion path, as TimescaleDB refreshes its
 * continuous aggregates by policy; until then readers take those buckets from the raw readings. A
 * duplicate reading only marks a bucket again, so nothing counts twice. Does nothing where TimescaleDB
 * keeps the rollups.
 */
export async function addReadingRollups(db: Queryable, records: readonly TelemetryRecord[]): Promise<void> {
  const buckets = new Map<string, number>();
  for (const record of records) {
    for (const sample of record.readings) {
      const bucket = Math.floor(Date.parse(sample.at) / PENDING_BUCKET_MS) * PENDING_BUCKET_MS;
      buckets.set(`${record.deviceId}\u0000${bucket}`, bucket);
    }
  }
  const marks = [...buckets.keys()].map((key) => key.slice(0, key.indexOf('\u0000')));
  await db.query(MARK, [marks, [...buckets.values()].map(iso)]);
}

/** Marks the buckets pending, in key order; each mark stays locked until commit, so that a flusher skips it until these readings are visible. */
const MARK = `INSERT INTO reading_rollup_pending AS p (device_id, bucket)
  SELECT d, b FROM unnest($1::text[], $2::timestamptz[]) AS x(d, b)
  WHERE (SELECT reading_rollup_kind()) = 'table'
  ORDER BY 1, 2
  ON CONFLICT (device_id, bucket) DO UPDATE SET rolled = false`;

/**
 * The scheduled flush (plain mode): for every device with pending buckets, rolls up those its latest report
 * (device_seen) has passed, and the hours it has passed. Devices another flusher holds are skipped this time.
 * Returns the buckets rolled up.
 */
export async function flushDueReadingRollups(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number | null }>(
    `SELECT flush_reading_rollups(array_agg(s.device_id ORDER BY s.device_id), array_agg(s.last_seen_at ORDER BY s.device_id), false) AS n
     FROM device_seen s WHERE EXISTS (SELECT 1 FROM reading_rollup_pending p WHERE p.device_id = s.device_id)`,
  );
  return rows[0]?.n ?? 0;
}

export async function readingRollupKind(db: Queryable): Promise<ReadingRollupKind> {
  const { rows } = await db.query<{ kind: ReadingRollupKind }>('SELECT reading_rollup_kind() AS kind');
  return rows[0]!.kind;
}

/** Rolls up every pending bucket of a device now, whatever its time (plain mode). Returns how many. */
export async function flushReadingRollups(pool: Pool, deviceId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT flush_reading_rollups(ARRAY[$1::text], ARRAY['infinity'::timestamptz], true) AS n`, [deviceId]);
  return rows[0]!.n;
}

/**
 * Recomputes the rollups of one device from its raw readings for every hour that overlaps
 * [from, to) (whole hours, so both grains are rebuilt whole). Where they are continuous aggregates,
 * refreshes that window instead (for every device: TimescaleDB refreshes by time only).
 */
export async function rebuildReadingRollups(pool: Pool, deviceId: string, from: Date, to: Date): Promise<void> {
  const range = [deviceId, hourFloor(from), hourCeil(to)];
  if ((await readingRollupKind(pool)) === 'continuous_aggregate') {
    // refresh_continuous_aggregate may not run inside a transaction: each CALL is one on its own.
    for (const view of READING_ROLLUPS) await pool.query(`CALL refresh_continuous_aggregate('${view}', $1::timestamptz, $2::timestamptz)`, range.slice(1));
    return;
  }
  await inTransaction(pool, async (db) => {
    await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('reading_rollups:' || $1::text, 0))`, [deviceId]);
    for (const view of READING_ROLLUPS) {
      await db.query(`DELETE FROM ${view} WHERE device_id = $1::text AND bucket >= $2::timestamptz AND bucket < $3::timestamptz`, range);
    }
    await db.query(
      `INSERT INTO reading_rollup_pending (device_id, bucket)
       SELECT $1::text, b FROM generate_series($2::timestamptz, $3::timestamptz - interval '10 minutes', interval '10 minutes') AS b
       ON CONFLICT (device_id, bucket) DO UPDATE SET rolled = false`,
      range,
    );
    await db.query(`SELECT flush_reading_rollups(ARRAY[$1::text], ARRAY['infinity'::timestamptz], true)`, [deviceId]);
  });
}

const HOUR_MS = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const hourFloor = (t: Date) => new Date(Math.floor(t.getTime() / HOUR_MS) * HOUR_MS);
const hourCeil = (t: Date) => new Date(Math.ceil(t.getTime() / HOUR_MS) * HOUR_MS);
