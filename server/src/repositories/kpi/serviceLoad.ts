import type { ServiceLoadRow } from '@servicetower/domain';
import type { Pool } from '@servicetower/workers';
import { groupKey, ratio, readFigures, SCOPE_CTES, scopeValues, type KpiQuery } from './scope.js';

interface Tally {
  bucket: string;
  group: string;
  received: number;
  completed: number;
  first_time_fixes: number;
  backlog: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  outlets: number;
  technicians: number;
}

/**
 * DESIGN.md §5 service load (definitions as in simulator/src/truth.ts) from the rollups the workers keep
 * (migrations/0005_rollups.sql): an order counts at the outlet and product line of its `created` event;
 * completions once per order and bucket; turnaround is first completion − created, in the bucket of the
 * first completion, its percentiles from the per-order facts; a first-time fix has one visit in its
 * whole history and no reopen within 30 days of its first completion; backlog at a bucket's end is the
 * sum of the opened-minus-closed deltas of every bucket up to it (full months before the range from
 * the month rows, the rest of the range's first month from the day rows).
 */
const SQL = `
WITH ${SCOPE_CTES},
tally AS (
  SELECT g, bucket, sum(received)::int AS received, sum(completed)::int AS completed, sum(first_time_fixes)::int AS first_time_fixes,
         sum(backlog_delta)::int AS opened, sum(turnaround_hours) AS hours, sum(turnaround_count)::int AS turnarounds
  FROM load GROUP BY 1, 2
),
before_range AS (
  SELECT ${groupKey('r.product_line')} AS g, sum(r.backlog_delta)::int AS opened
  FROM service_load_rollup r JOIN scoped_outlet s USING (outlet_id), params p
  WHERE ($8::text IS NULL OR r.product_line = $8::text)
    AND ((r.grain = 'month' AND r.bucket < date_trunc('month', p.first_bucket)::date)
      OR (r.grain = 'day' AND r.bucket >= date_trunc('month', p.first_bucket)::date AND r.bucket < p.first_bucket::date))
  GROUP BY 1
),
turnaround AS (
  SELECT t.g, bb.bucket, t.p
  FROM bucket_bounds bb CROSS JOIN LATERAL (
    SELECT ${groupKey('o.home_product_line')} COLLATE "C" AS g, -- grouped by sorting: byte order sorts fastest
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', o.first_completed_at - o.created_at) / 3600) AS p
    FROM service_order o JOIN scoped_outlet s ON s.outlet_id = o.home_outlet_id
    WHERE o.first_completed_at >= bb.starts AND o.first_completed_at < bb.ends AND o.created_at IS NOT NULL
      AND ($8::text IS NULL OR o.home_product_line = $8::text) AND $11::boolean
    GROUP BY 1
  ) t
),
denominator AS (
  SELECT grp.g, count(s.outlet_id)::int AS outlets, coalesce(sum(s.technicians), 0)::int AS technicians
  FROM grp LEFT JOIN scoped_outlet s
    ON $9::text NOT IN ('region', 'outlet') OR grp.g = CASE $9::text WHEN 'region' THEN s.region_id ELSE s.outlet_id END
  GROUP BY grp.g
)
SELECT to_char(grid.bucket, 'YYYY-MM-DD') AS bucket, grid.g AS group,
       coalesce(t.received, 0) AS received, coalesce(t.completed, 0) AS completed, coalesce(t.first_time_fixes, 0) AS first_time_fixes,
       (coalesce(br.opened, 0) + sum(coalesce(t.opened, 0)) OVER (PARTITION BY grid.g ORDER BY grid.bucket))::int AS backlog,
       CASE WHEN t.turnarounds > 0 THEN t.hours / t.turnarounds END AS mean, ta.p[1] AS p50, ta.p[2] AS p90, d.outlets, d.technicians
FROM grid
JOIN denominator d ON d.g = grid.g
LEFT JOIN before_range br ON br.g = grid.g
LEFT JOIN tally t ON t.g = grid.g AND t.bucket = grid.bucket
LEFT JOIN turnaround ta ON ta.g = grid.g AND ta.bucket = grid.bucket
ORDER BY grid.bucket, grid.g`;

/** `turnaround: false` leaves out the turnaround figures (the costliest: their percentiles need every order), as the overview does. */
export async function serviceLoad(db: Pool, query: KpiQuery, options: { turnaround?: boolean } = {}): Promise<ServiceLoadRow[]> {
  const withTurnaround = options.turnaround ?? true;
  const rows = await readFigures<Tally>(db, SQL, [...scopeValues(query, []), withTurnaround], { rollupsIn: query.timeZone });
  return rows.map((row) => ({
    bucket: row.bucket,
    group: row.group === '' ? null : row.group,
    ordersReceived: row.received,
    ordersCompleted: row.completed,
    backlog: row.backlog,
    avgOrdersPerOutlet: ratio(row.received, row.outlets, 'no outlets in scope'),
    ordersPerTechnician: ratio(row.received, row.technicians, 'no technicians on staff in scope'),
    turnaroundHours: !withTurnaround
      ? { value: null, reason: 'not asked for' }
      : row.mean === null
        ? { value: null, reason: row.completed > 0 ? 'only repeat completions of reopened orders' : 'no orders completed' }
        : { mean: row.mean, p50: row.p50!, p90: row.p90! },
    firstTimeFixRate: ratio(row.first_time_fixes, row.completed, 'no orders completed'),
  }));
}
