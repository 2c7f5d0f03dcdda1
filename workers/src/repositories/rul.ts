import type { RulFlight, RulModel } from '@servicetower/domain';
import type { Queryable } from '../db.js';

export interface RulModelRow {
  model_id: string;
  training_sha256: string;
  params: RulModel;
}

/** The stored model of this id, or the newest one when the id is null; null when there is none. */
export async function findRulModel(db: Queryable, modelId: string | null): Promise<RulModelRow | null> {
  const { rows } = await db.query<RulModelRow>(
    `SELECT model_id, training_sha256, params FROM rul_model
     WHERE $1::text IS NULL OR model_id = $1::text ORDER BY trained_at DESC, model_id LIMIT 1`,
    [modelId],
  );
  return rows[0] ?? null;
}

export interface NewRulModel {
  modelId: string;
  trainingSource: string;
  trainingSha256: string;
  trainingRows: number;
  trainingSeconds: number;
  model: RulModel;
  rmseNote: string | null;
}

export async function insertRulModel(db: Queryable, m: NewRulModel): Promise<void> {
  await db.query(
    `INSERT INTO rul_model (model_id, training_source, training_sha256, training_rows, training_seconds, params, rmse_note)
     VALUES ($1::text, $2::text, $3::text, $4::integer, $5::float8, $6::jsonb, $7::text)
     ON CONFLICT (model_id) DO NOTHING`,
    [m.modelId, m.trainingSource, m.trainingSha256, m.trainingRows, m.trainingSeconds, JSON.stringify(m.model), m.rmseNote],
  );
}

/** Which of these devices are of the given model. */
export async function devicesOfModel(db: Queryable, deviceIds: readonly string[], deviceModelId: string): Promise<string[]> {
  const { rows } = await db.query<{ device_id: string }>(
    `SELECT device_id FROM device WHERE device_id = ANY($1::text[]) AND device_model_id = $2::text ORDER BY device_id`,
    [deviceIds, deviceModelId],
  );
  return rows.map((row) => row.device_id);
}

export interface EngineFlights {
  flights: RulFlight[];
  lastReadingAt: Date;
}

/**
 * A device's flights: its readings of these sensors pivoted per time, in order of the `cycle` sensor.
 * A sample without a cycle number is left out; two samples of one cycle keep the later one.
 */
export async function readEngineFlights(db: Queryable, deviceId: string, sensors: readonly string[]): Promise<EngineFlights | null> {
  const { rows } = await db.query<{ at: Date; cycle: number; values: Record<string, number> }>(
    `SELECT DISTINCT ON (cycle) at, cycle, values FROM (
       SELECT at, max(value) FILTER (WHERE sensor = 'cycle') AS cycle, jsonb_object_agg(sensor, value) AS values
       FROM reading WHERE device_id = $1::text AND sensor = ANY($2::text[])
       GROUP BY at
     ) AS flight
     WHERE cycle IS NOT NULL
     ORDER BY cycle, at DESC`,
    [deviceId, ['cycle', ...sensors]],
  );
  if (rows.length === 0) return null;
  let lastReadingAt = rows[0]!.at;
  for (const row of rows) if (row.at > lastReadingAt) lastReadingAt = row.at;
  return { flights: rows.map((row) => ({ cycle: row.cycle, values: row.values })), lastReadingAt };
}

export interface DeviceRulRow {
  deviceId: string;
  cyclesFlown: number;
  rulCycles: number;
  modelId: string;
  lastReadingAt: Date;
}

/**
 * Stores estimates. A slower job that saw fewer flights of the same model never overwrites a newer
 * estimate; a new model replaces every estimate it makes.
 */
export async function upsertDeviceRul(db: Queryable, rows: readonly DeviceRulRow[]): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO device_rul (device_id, cycles_flown, rul_cycles, model_id, last_reading_at, computed_at)
     SELECT *, now() FROM unnest($1::text[], $2::integer[], $3::float8[], $4::text[], $5::timestamptz[])
     ON CONFLICT (device_id) DO UPDATE SET cycles_flown = excluded.cycles_flown, rul_cycles = excluded.rul_cycles,
       model_id = excluded.model_id, last_reading_at = excluded.last_reading_at, computed_at = excluded.computed_at
     WHERE excluded.model_id <> device_rul.model_id OR excluded.cycles_flown >= device_rul.cycles_flown`,
    [rows.map((r) => r.deviceId), rows.map((r) => r.cyclesFlown), rows.map((r) => r.rulCycles), rows.map((r) => r.modelId), rows.map((r) => r.lastReadingAt)],
  );
  return rowCount ?? 0;
}

export interface DeviceRulView {
  device_id: string;
  device_model_id: string;
  cycles_flown: number | null;
  rul_cycles: number | null;
  model_id: string | null;
  last_reading_at: Date | null;
  computed_at: Date | null;
}

/** A device with its estimate, if any; null when there is no such device in these regions (null: all regions). */
export async function readDeviceRul(db: Queryable, deviceId: string, regions: string[] | null): Promise<DeviceRulView | null> {
  const { rows } = await db.query<DeviceRulView>(
    `SELECT d.device_id, d.device_model_id, r.cycles_flown, r.rul_cycles, r.model_id, r.last_reading_at, r.computed_at
     FROM device d JOIN outlet o ON o.outlet_id = d.outlet_id LEFT JOIN device_rul r ON r.device_id = d.device_id
     WHERE d.device_id = $1::text AND ($2::text[] IS NULL OR o.region_id = ANY($2::text[]))`,
    [deviceId, regions],
  );
  return rows[0] ?? null;
}
