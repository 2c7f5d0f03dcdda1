import { healthOf, type FleetDevice, type Health } from '@servicetower/domain';
import type { Queryable } from '@servicetower/workers';

export interface FleetQuery {
  /** The API key's regions; null for every region. */
  regions: string[] | null;
  region: string | null;
  model: string | null;
  health: Health | null;
  after: string | null;
  limit: number;
  rulLimits: { warning: number; critical: number };
}

interface FleetRow {
  id: string;
  model_id: string;
  outlet_id: string;
  customer_id: string | null;
  region_id: string;
  last_seen_at: Date | null;
  warning: number;
  critical: number;
  rul_cycles: number | null;
}

/**
 * The devices in id order with their health: unresolved alarms by severity, the engine's remaining life,
 * the last report. Health is judged in SQL with the same rule as `healthOf`, so that it can be filtered on.
 */
const SQL = `
WITH fleet AS (
  SELECT d.device_id AS id, d.device_model_id AS model_id, d.outlet_id, d.customer_id, o.region_id, ds.last_seen_at,
         coalesce(a.warning, 0) AS warning, coalesce(a.critical, 0) AS critical, r.rul_cycles,
         CASE WHEN coalesce(a.critical, 0) > 0 OR r.rul_cycles <= $8::float8 THEN 'critical'
              WHEN coalesce(a.warning, 0) > 0 OR r.rul_cycles <= $7::float8 THEN 'warning'
              ELSE 'ok' END AS health
  FROM device d
  JOIN outlet o USING (outlet_id)
  LEFT JOIN device_seen ds USING (device_id)
  LEFT JOIN device_rul r USING (device_id)
  LEFT JOIN (
    SELECT device_id, count(*) FILTER (WHERE severity = 'warning')::int AS warning, count(*) FILTER (WHERE severity = 'critical')::int AS critical
    FROM alarm WHERE status <> 'resolved' GROUP BY device_id
  ) a USING (device_id)
  WHERE ($1::text[] IS NULL OR o.region_id = ANY($1::text[])) AND ($2::text IS NULL OR o.region_id = $2::text)
    AND ($3::text IS NULL OR d.device_model_id = $3::text)
)
SELECT * FROM fleet
WHERE ($4::text IS NULL OR health = $4::text) AND ($5::text IS NULL OR id > $5::text)
ORDER BY id
LIMIT $6::int`;

export async function listFleet(db: Queryable, query: FleetQuery): Promise<FleetDevice[]> {
  const { rows } = await db.query<FleetRow>(SQL, [
    query.regions, query.region, query.model, query.health, query.after, query.limit, query.rulLimits.warning, query.rulLimits.critical,
  ]);
  return rows.map((row) => {
    const openAlarms = { warning: row.warning, critical: row.critical };
    return {
      id: row.id,
      modelId: row.model_id,
      outletId: row.outlet_id,
      customerId: row.customer_id,
      regionId: row.region_id,
      health: healthOf(openAlarms, row.rul_cycles, query.rulLimits),
      lastSeenAt: row.last_seen_at?.toISOString() ?? null,
      openAlarms,
      rulCycles: row.rul_cycles,
    };
  });
}
