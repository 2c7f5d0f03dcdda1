import { ENGINE_DEVICE_MODEL_ID } from '@servicetower/domain';
import type { Queryable } from '../db.js';

/**
 * Which follow-up jobs a telemetry job's devices need: alarm evaluation when a model of theirs has an enabled
 * rule, a remaining-life refresh when one is an engine. Most telemetry needs neither, and two Redis jobs per
 * telemetry job would otherwise cost the workers a good part of their throughput.
 */
export async function followUpsFor(db: Queryable, deviceIds: readonly string[]): Promise<{ alarms: boolean; rul: boolean }> {
  const { rows } = await db.query<{ alarms: boolean | null; rul: boolean | null }>(
    `SELECT bool_or(EXISTS (SELECT 1 FROM alarm_rule r WHERE r.device_model_id = d.device_model_id AND r.enabled)) AS alarms,
            bool_or(d.device_model_id = $2::text) AS rul
     FROM device d WHERE d.device_id = ANY($1::text[])`,
    [deviceIds, ENGINE_DEVICE_MODEL_ID],
  );
  return { alarms: rows[0]?.alarms ?? false, rul: rows[0]?.rul ?? false };
}
