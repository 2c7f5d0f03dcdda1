import { ENGINE_DEVICE_MODEL_ID } from '@servicetower/domain';
import type { Queryable } from '../db.js';

/** What a device's telemetry calls for after it is stored. */
export interface FollowUps {
  /** A model of the device has an enabled alarm rule. */
  alarms: boolean;
  /** The device is an engine: its remaining useful life is refreshed. */
  rul: boolean;
}

/** How long a device's answer is reused: a device moved to another model is seen within this. */
const TTL_MS = 30_000;
/** How often the alarm rules are checked for a change: a new, changed or removed rule applies within this. */
const RULES_CHECK_MS = 1_000;
const MAX_DEVICES = 100_000;

/**
 * Which follow-up jobs a telemetry job's devices need. Most telemetry needs neither, and two Redis jobs per
 * telemetry job would cost the workers a good part of their throughput; the answers are kept per device for
 * 30 s, so that most jobs ask the database nothing, and forgotten at once when the alarm rules change (their
 * count and latest update, asked at most once a second).
 */
export function followUpChecker(db: Queryable) {
  const known = new Map<string, FollowUps & { until: number }>();
  let rulesStamp = '';
  let rulesCheckedAt = -Infinity;
  return async (deviceIds: readonly string[]): Promise<FollowUps> => {
    const now = Date.now();
    if (now - rulesCheckedAt >= RULES_CHECK_MS) {
      const { rows } = await db.query<{ stamp: string }>(`SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') AS stamp FROM alarm_rule`);
      if (rows[0]!.stamp !== rulesStamp) known.clear();
      rulesStamp = rows[0]!.stamp;
      rulesCheckedAt = now;
    }
    const unknown = deviceIds.filter((id) => (known.get(id)?.until ?? 0) <= now);
    if (unknown.length > 0) {
      const { rows } = await db.query<{ device_id: string; alarms: boolean; rul: boolean }>(
        `SELECT d.device_id, EXISTS (SELECT 1 FROM alarm_rule r WHERE r.device_model_id = d.device_model_id AND r.enabled) AS alarms,
                d.device_model_id = $2::text AS rul
         FROM device d WHERE d.device_id = ANY($1::text[])`,
        [unknown, ENGINE_DEVICE_MODEL_ID],
      );
      if (known.size > MAX_DEVICES) known.clear();
      const until = now + TTL_MS;
      for (const id of unknown) known.set(id, { alarms: false, rul: false, until }); // unknown devices need nothing
      for (const row of rows) known.set(row.device_id, { alarms: row.alarms, rul: row.rul, until });
    }
    return {
      alarms: deviceIds.some((id) => known.get(id)!.alarms),
      rul: deviceIds.some((id) => known.get(id)!.rul),
    };
  };
}
