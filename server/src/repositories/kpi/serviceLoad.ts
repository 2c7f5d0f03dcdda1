import type { Pool } from '@servicetower/workers';
import { groupKey, ratio, readWithoutJit, SCOPE_CTES, scopeValues, type Figure, type KpiQuery } from './scope.js';

export interface Spread {
  mean: number;
  p50: number;
  p90: number;
}

export interface ServiceLoadRow {
  bucket: string;
  group: string | null;
  ordersReceived: number;
  ordersCompleted: number;
  backlog: number;
  avgOrdersPerOutlet: Figure<number>;
  ordersPerTechnician: Figure<number>;
  turnaroundHours: Figure<Spread>;
  firstTimeFixRate: Figure<number>;
}

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
 * DESIGN.md §5 service load, straight from the events (definitions as in simulator/src/truth.ts):
 * an order belongs to the outlet and product line of its `created` event; completions count once
 * per order and bucket; turnaround is first completion − created, in the bucket of the first completion;
 * a first-time fix has one visit in its whole history and no reopen within 30 days (720 hours) of its
 * first completion; backlog is the orders open at each bucket's end, created and reopened opening an
 * order, completed, closed and cancelled closing it.
 */
const SQL = `
WITH ${SCOPE_CTES},
order_fact AS (
  SELECT e.order_id,
         min(e.at) FILTER (WHERE e.type = 'created') AS created_at,
         min(e.at) FILTER (WHERE e.type = 'completed') AS first_completed_at,
         count(*) FILTER (WHERE e.type = 'visit_started') AS visits,
         array_agg(e.at) FILTER (WHERE e.type = 'reopened') AS reopens
  FROM service_order_event e
  GROUP BY e.order_id
),
order_home AS (
  SELECT h.order_id, h.outlet_id, h.product_line FROM created_home h
  UNION ALL
  SELECT f.order_id, x.outlet_id, x.product_line
  FROM order_fact f
  CROSS JOIN LATERAL (
    SELECT x.outlet_id, x.product_line FROM service_order_event x
    WHERE x.order_id = f.order_id ORDER BY x.at, service_order_event_rank(x.type), x.event_id LIMIT 1
  ) x
  WHERE f.created_at IS NULL
),
scoped_order AS (
  SELECT f.order_id, f.created_at, f.first_completed_at, ${groupKey('h.product_line')} AS g,
         f.visits = 1 AND f.first_completed_at IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM unnest(f.reopens) AS r(at)
           WHERE r.at >= f.first_completed_at AND r.at <= f.first_completed_at + interval '720 hours') AS first_time_fix
  FROM order_fact f JOIN order_home h USING (order_id) JOIN scoped_outlet s USING (outlet_id)
  WHERE $8::text IS NULL OR h.product_line = $8::text
),
completed AS (
  SELECT c.g, c.bucket, count(*)::int AS n, count(*) FILTER (WHERE c.first_time_fix)::int AS first_time_fixes
  FROM (
    SELECT DISTINCT o.order_id, o.g, o.first_time_fix, date_trunc($2::text, e.at AT TIME ZONE $1::text) AS bucket
    FROM service_order_event e JOIN scoped_order o USING (order_id), bounds b
    WHERE e.type = 'completed' AND e.at >= b.range_start AND e.at < b.range_end
  ) c
  GROUP BY 1, 2
),
turnaround AS (
  SELECT t.g, date_trunc($2::text, t.first_completed_at AT TIME ZONE $1::text) AS bucket,
         avg(t.hours) AS mean,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY t.hours) AS p50,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY t.hours) AS p90
  FROM (
    SELECT o.g, o.first_completed_at, extract(epoch FROM o.first_completed_at - o.created_at)::float8 / 3600 AS hours
    FROM scoped_order o, bounds b
    WHERE o.created_at IS NOT NULL AND o.first_completed_at >= b.range_start AND o.first_completed_at < b.range_end
  ) t
  GROUP BY 1, 2
),
transition AS (
  SELECT o.g, e.at,
         (e.type IN ('created', 'reopened'))::int AS open_after,
         lag((e.type IN ('created', 'reopened'))::int, 1, 0)
           OVER (PARTITION BY e.order_id ORDER BY e.at, service_order_event_rank(e.type), e.event_id) AS open_before
  FROM service_order_event e JOIN scoped_order o USING (order_id), bounds b
  WHERE o.created_at IS NOT NULL AND e.type IN ('created', 'reopened', 'completed', 'closed', 'cancelled') AND e.at < b.range_end
),
backlog_step AS (
  SELECT t.g, greatest(date_trunc($2::text, t.at AT TIME ZONE $1::text), p.first_bucket) AS bucket, sum(t.open_after - t.open_before)::int AS n
  FROM transition t, params p
  WHERE t.open_after <> t.open_before
  GROUP BY 1, 2
),
tally AS (
  SELECT f.g, f.bucket, sum(f.received)::int AS received, sum(f.completed)::int AS completed,
         sum(f.first_time_fixes)::int AS first_time_fixes, sum(f.opened)::int AS opened,
         max(f.mean) AS mean, max(f.p50) AS p50, max(f.p90) AS p90
  FROM (
    SELECT g, bucket, n AS received, 0 AS completed, 0 AS first_time_fixes, 0 AS opened, NULL::float8 AS mean, NULL::float8 AS p50, NULL::float8 AS p90 FROM received
    UNION ALL SELECT g, bucket, 0, n, first_time_fixes, 0, NULL, NULL, NULL FROM completed
    UNION ALL SELECT g, bucket, 0, 0, 0, 0, mean, p50, p90 FROM turnaround
    UNION ALL SELECT g, bucket, 0, 0, 0, n, NULL, NULL, NULL FROM backlog_step
  ) f
  GROUP BY 1, 2
),
denominator AS (
  SELECT grp.g, count(s.outlet_id)::int AS outlets, coalesce(sum(s.technicians), 0)::int AS technicians
  FROM grp LEFT JOIN scoped_outlet s
    ON $9::text NOT IN ('region', 'outlet') OR grp.g = CASE $9::text WHEN 'region' THEN s.region_id ELSE s.outlet_id END
  GROUP BY grp.g
)
SELECT to_char(grid.bucket, 'YYYY-MM-DD') AS bucket, grid.g AS group,
       coalesce(t.received, 0) AS received, coalesce(t.completed, 0) AS completed, coalesce(t.first_time_fixes, 0) AS first_time_fixes,
       (sum(coalesce(t.opened, 0)) OVER (PARTITION BY grid.g ORDER BY grid.bucket))::int AS backlog,
       t.mean, t.p50, t.p90, d.outlets, d.technicians
FROM grid
JOIN denominator d ON d.g = grid.g
LEFT JOIN tally t ON t.g = grid.g AND t.bucket = grid.bucket
ORDER BY grid.bucket, grid.g`;

export async function serviceLoad(db: Pool, query: KpiQuery): Promise<ServiceLoadRow[]> {
  const rows = await readWithoutJit<Tally>(db, SQL, scopeValues(query, []));
  return rows.map((row) => ({
    bucket: row.bucket,
    group: row.group === '' ? null : row.group,
    ordersReceived: row.received,
    ordersCompleted: row.completed,
    backlog: row.backlog,
    avgOrdersPerOutlet: ratio(row.received, row.outlets, 'no outlets in scope'),
    ordersPerTechnician: ratio(row.received, row.technicians, 'no technicians on staff in scope'),
    turnaroundHours:
      row.mean === null
        ? { value: null, reason: row.completed > 0 ? 'only repeat completions of reopened orders' : 'no orders completed' }
        : { mean: row.mean, p50: row.p50!, p90: row.p90! },
    firstTimeFixRate: ratio(row.first_time_fixes, row.completed, 'no orders completed'),
  }));
}
