import type { QueryResultRow } from 'pg';
import type { Figure } from '@servicetower/domain';
import { inTransaction, type Pool } from '@servicetower/workers';

/**
 * What every KPI query shares: the local buckets of the range, the outlets a caller may see,
 * and the groups a row is given for. Parameters are always, in this order:
 * $1 time zone, $2 unit (day, week, month), $3 from, $4 to (local dates, `to` exclusive),
 * $5 the API key's regions (null: all), $6 region, $7 outlet, $8 product line, $9 groupBy
 * ('' for none), $10 the complaint causes. Query-specific parameters follow from $11.
 */
export type KpiInterval = 'day' | 'week' | 'month';
export type KpiGroupBy = 'region' | 'outlet' | 'productLine' | 'cause';

export interface KpiQuery {
  timeZone: string;
  interval: KpiInterval;
  /** Local dates YYYY-MM-DD; `to` exclusive. Every bucket that overlaps [from, to) is given whole. */
  from: string;
  to: string;
  groupBy: KpiGroupBy | null;
  region: string | null;
  outlet: string | null;
  productLine: string | null;
  /** The API key's regions; null for every region. */
  regions: string[] | null;
  /** Supply-cycle target in days per parts source (settings). */
  supplyTargets: { hq_stock: number; hq_procured: number };
}

export function scopeValues(query: Omit<KpiQuery, 'supplyTargets'>, causes: readonly string[]): unknown[] {
  return [query.timeZone, query.interval, query.from, query.to, query.regions, query.region, query.outlet, query.productLine, query.groupBy ?? '', causes];
}

/**
 * Group keys are never null inside the queries ('' stands for "no group"), so that joins on them hash.
 * A filter on a region or outlet the key cannot see leaves no groups, hence no rows.
 */
export const SCOPE_CTES = `
params AS (
  SELECT $1::text AS tz, $2::text AS unit, ('1 ' || $2::text)::interval AS step,
         date_trunc($2::text, $3::date::timestamp) AS first_bucket,
         date_trunc($2::text, $4::date::timestamp - interval '1 day') AS last_bucket
),
bounds AS (
  SELECT p.*, p.first_bucket AT TIME ZONE p.tz AS range_start, (p.last_bucket + p.step) AT TIME ZONE p.tz AS range_end
  FROM params p
),
buckets AS (
  SELECT generate_series(first_bucket, last_bucket, step) AS bucket FROM params
),
bucket_bounds AS (
  -- Each bucket as an instant range: facts are picked by range (an index range scan per bucket, rows
  -- arriving bucket by bucket) instead of converting every fact's time to the business zone.
  SELECT b.bucket, b.bucket AT TIME ZONE p.tz AS starts, (b.bucket + p.step) AT TIME ZONE p.tz AS ends FROM buckets b, params p
),
scoped_outlet AS (
  SELECT o.outlet_id, o.region_id, o.technicians
  FROM outlet o
  WHERE ($5::text[] IS NULL OR o.region_id = ANY($5::text[]))
    AND ($6::text IS NULL OR o.region_id = $6::text)
    AND ($7::text IS NULL OR o.outlet_id = $7::text)
),
visible AS (
  SELECT ($6::text IS NULL OR $5::text[] IS NULL OR $6::text = ANY($5::text[]))
     AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM scoped_outlet)) AS ok
),
grp AS (
  SELECT '' AS g FROM visible WHERE ok AND $9::text = ''
  UNION ALL
  SELECT r.region_id FROM region r, visible
  WHERE ok AND $9::text = 'region'
    AND ($5::text[] IS NULL OR r.region_id = ANY($5::text[])) AND ($6::text IS NULL OR r.region_id = $6::text)
    AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM scoped_outlet s WHERE s.region_id = r.region_id))
  UNION ALL
  SELECT s.outlet_id FROM scoped_outlet s WHERE $9::text = 'outlet'
  UNION ALL
  SELECT pl.product_line_id FROM product_line pl, visible
  WHERE ok AND $9::text = 'productLine' AND ($8::text IS NULL OR pl.product_line_id = $8::text)
  UNION ALL
  SELECT unnest($10::text[]) FROM visible WHERE ok AND $9::text = 'cause'
),
grid AS (
  SELECT grp.g, buckets.bucket FROM grp CROSS JOIN buckets
),
load AS (
  SELECT CASE $9::text WHEN 'region' THEN s.region_id WHEN 'outlet' THEN s.outlet_id WHEN 'productLine' THEN r.product_line ELSE '' END AS g,
         r.bucket::timestamp AS bucket, r.received, r.completed, r.first_time_fixes, r.backlog_delta, r.turnaround_hours, r.turnaround_count,
         r.waited_for_parts
  FROM service_load_rollup r JOIN scoped_outlet s USING (outlet_id), params p
  WHERE r.grain = $2::text AND r.bucket >= p.first_bucket::date AND r.bucket <= p.last_bucket::date
    AND ($8::text IS NULL OR r.product_line = $8::text)
),
received AS (
  SELECT g, bucket, sum(received)::int AS n FROM load GROUP BY 1, 2
)`;

/** The group key of a fact joined to scoped_outlet `s`, with its product line in `productLine`. */
export const groupKey = (productLine: string) =>
  `CASE $9::text WHEN 'region' THEN s.region_id WHEN 'outlet' THEN s.outlet_id WHEN 'productLine' THEN ${productLine} ELSE '' END`;

/** A ratio the figures give, or why it cannot be computed. */
export function ratio(numerator: number, denominator: number, reason: string, scale = 1): Figure<number> {
  return denominator > 0 ? (numerator / denominator) * scale : { value: null, reason };
}

/** The rollups are bucketed in another time zone than the one asked for (workers rebuild them at start). */
export class RollupsNotReady extends Error {}

/**
 * Runs a KPI query (the pool's connections have JIT off: see workers/src/db.ts). With `rollupsIn`, first
 * checks in the same transaction that the rollups are bucketed in that time zone.
 */
export async function readFigures<T extends QueryResultRow>(
  pool: Pool, sql: string, values: unknown[], options: { rollupsIn?: string } = {},
): Promise<T[]> {
  return inTransaction(pool, async (client) => {
    if (options.rollupsIn !== undefined) {
      const { rows } = await client.query<{ time_zone: string }>(`SELECT time_zone FROM rollup_state WHERE name = 'figures'`);
      const zone = rows[0]?.time_zone;
      if (zone !== options.rollupsIn) {
        throw new RollupsNotReady(
          zone === undefined
            ? 'the figures are not built yet: the workers build them when they start'
            : `the figures are being rebuilt for the business time zone ${options.rollupsIn} (they are in ${zone})`,
        );
      }
    }
    return (await client.query<T>(sql, values)).rows;
  });
}
