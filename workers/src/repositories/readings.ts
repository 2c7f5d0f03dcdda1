import type { TelemetryRecord } from '@servicetower/domain';
import type { Queryable } from '../db.js';

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

/** Stores readings not seen before (device, sensor, time); returns how many were new. */
export async function insertReadings(db: Queryable, columns: ReadingColumns): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO reading (device_id, sensor, at, value)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[])
     ON CONFLICT DO NOTHING`,
    [columns.deviceId, columns.sensor, columns.at, columns.value],
  );
  return rowCount ?? 0;
}
