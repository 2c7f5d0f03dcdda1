import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TelemetryRecord } from '@servicetower/domain';
import { from as copyFrom } from 'pg-copy-streams';
import type { Queryable } from '../db.js';
import { addReadingRollups } from './readingRollups.js';

/** Readings as columns, the shape `unnest` takes: row i is (deviceId[i], sensor[i], at[i], value[i]). */
export interface ReadingColumns {
  deviceId: string[];
  sensor: string[];
  at: string[];
  value: number[];
}

export function toReadingColumns(records: readonly TelemetryRecord[]): ReadingColumns {
  const columns: ReadingColumns = { deviceId: [], sensor: [], at: [], value: [] };
  for (const record of records) {
    for (const sample of record.readings) {
      for (const [sensor, value] of Object.entries(sample.values)) {
        columns.deviceId.push(record.deviceId);
        columns.sensor.push(sensor);
        columns.at.push(sample.at);
        columns.value.push(value);
      }
    }
  }
  return columns;
}

const INSERT = `INSERT INTO reading (device_id, sensor, at, value)
  SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[])`;

/**
 * The readings as COPY text rows. Device ids and sensor names are checked against patterns without tab,
 * newline or backslash (domain/src/primitives.ts, streams.ts), and numbers are finite, so nothing needs escaping.
 */
export function toCopyText(records: readonly TelemetryRecord[]): string {
  let text = '';
  for (const record of records) {
    for (const sample of record.readings) {
      const row = `${record.deviceId}\t`;
      const at = `\t${sample.at}\t`;
      for (const sensor in sample.values) text += `${row}${sensor}${at}${sample.values[sensor]}\n`;
    }
  }
  return text;
}

/**
 * Stores readings not seen before (device, sensor, time) and has them rolled up (readingRollups.ts).
 * Takes the records of several jobs and returns how many readings of each were new. Must run in a
 * transaction. New readings are the common case, so all are sent by one COPY, which costs PostgreSQL far
 * less than an INSERT of the same rows (bench/README.md); a replay or an overlapping batch fails it on the
 * key, and then each job's readings are written by an INSERT that skips what is stored.
 */
export async function insertReadings(db: Queryable, jobs: readonly (readonly TelemetryRecord[])[]): Promise<number[]> {
  const stored = await storeReadings(db, jobs);
  await addReadingRollups(db, jobs.flat());
  return stored;
}

async function storeReadings(db: Queryable, jobs: readonly (readonly TelemetryRecord[])[]): Promise<number[]> {
  await db.query('SAVEPOINT new_readings');
  try {
    const copy = db.query(copyFrom('COPY reading (device_id, sensor, at, value) FROM STDIN'));
    await pipeline(Readable.from(jobs.map(toCopyText)), copy);
    await db.query('RELEASE SAVEPOINT new_readings');
    return jobs.map(countReadings);
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await db.query('ROLLBACK TO SAVEPOINT new_readings');
    const stored: number[] = [];
    for (const records of jobs) {
      const columns = toReadingColumns(records);
      const { rowCount } = await db.query(`${INSERT} ON CONFLICT DO NOTHING`, [columns.deviceId, columns.sensor, columns.at, columns.value]);
      stored.push(rowCount ?? 0);
    }
    return stored;
  }
}

export function countReadings(records: readonly TelemetryRecord[]): number {
  let n = 0;
  for (const record of records) for (const sample of record.readings) n += Object.keys(sample.values).length;
  return n;
}

/** Moves each device's last-seen time forward to its latest reading in these records (never back). */
export async function markDevicesSeen(db: Queryable, records: readonly TelemetryRecord[]): Promise<void> {
  const latest = new Map<string, string>();
  for (const record of records) {
    for (const sample of record.readings) {
      const seen = latest.get(record.deviceId);
      if (seen === undefined || Date.parse(sample.at) > Date.parse(seen)) latest.set(record.deviceId, sample.at);
    }
  }
  if (latest.size === 0) return;
  const devices = [...latest.keys()].sort(); // one order for every writer: no deadlock between jobs
  await db.query(
    `INSERT INTO device_seen AS s (device_id, last_seen_at)
     SELECT * FROM unnest($1::text[], $2::timestamptz[])
     ON CONFLICT (device_id) DO UPDATE SET last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at)`,
    [devices, devices.map((d) => latest.get(d)!)],
  );
}
