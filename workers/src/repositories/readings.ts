import type { TelemetryRecord } from '@servicetower/domain';
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
 * Stores readings not seen before (device, sensor, time) and has them rolled up (readingRollups.ts);
 * returns how many were new. Must run in a transaction. New readings are the common case, and a
 * plain insert costs PostgreSQL about a third less than ON CONFLICT (bench/README.md), so that is
 * tried first; a replay or an overlapping batch fails it on the key and is written again skipping
 * what is stored.
 */
export async function insertReadings(db: Queryable, columns: ReadingColumns): Promise<number> {
  const stored = await storeReadings(db, columns);
  await addReadingRollups(db, columns);
  return stored;
}

async function storeReadings(db: Queryable, columns: ReadingColumns): Promise<number> {
  const values = [columns.deviceId, columns.sensor, columns.at, columns.value];
  await db.query('SAVEPOINT new_readings');
  try {
    const { rowCount } = await db.query(INSERT, values);
    await db.query('RELEASE SAVEPOINT new_readings');
    return rowCount ?? 0;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await db.query('ROLLBACK TO SAVEPOINT new_readings');
    const { rowCount } = await db.query(`${INSERT} ON CONFLICT DO NOTHING`, values);
    return rowCount ?? 0;
  }
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
