import {
  PARTS_SOURCES, type Figure, type OpenPartsRequestRow, type OrderWaitingForPartsRow, type PartsRequestEvent, type SupplyCycleRow,
} from '@servicetower/domain';
import type { Pool } from '@servicetower/workers';
import { readFigures, SCOPE_CTES, scopeValues, type KpiQuery } from './scope.js';

export type PartsSource = PartsRequestEvent['source'];
export type SupplyCycleGroupBy = 'source' | 'region' | 'outlet' | 'part';

/** DESIGN.md §5: hq_stock parts within 7 days, procured parts within 4; a part's own targetDays overrides its source's. */

const DAY_MS = 86_400_000;

export interface SupplyCycleQuery extends Omit<KpiQuery, 'groupBy' | 'productLine'> {
  groupBy: SupplyCycleGroupBy | null;
  source: PartsSource | null;
}

interface CycleTally {
  bucket: string;
  group: string;
  requests: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  within: number;
  sources: number;
  source_target: number | null;
  group_target: number | null;
}

/**
 * Supply cycle (definitions as in simulator/src/truth.ts): first `received` − first `requested` in days,
 * in the bucket of the receipt; within target is at most the part's own target, else its source's.
 * parts_request holds those firsts (the workers take min(at) per type). $11 groupBy, $12 source filter,
 * $13 hq_stock target, $14 hq_procured target, $15 the sources, $16 whether to compute the percentiles. groupBy=part gives only the parts received in
 * the range: of the hundreds a network stocks, most see no receipt in a given day.
 */
const SUPPLY_CYCLE_SQL = `
WITH ${SCOPE_CTES},
cycle AS NOT MATERIALIZED (
  SELECT CASE $11::text WHEN 'source' THEN r.source WHEN 'region' THEN s.region_id WHEN 'outlet' THEN s.outlet_id
                        WHEN 'part' THEN r.part_no ELSE '' END AS g,
         bb.bucket, r.source,
         date_part('epoch', r.received_at - r.requested_at) / 86400 AS days,
         CASE r.source WHEN 'hq_stock' THEN $13::float8 ELSE $14::float8 END AS source_target,
         coalesce(p.target_days::float8, CASE r.source WHEN 'hq_stock' THEN $13::float8 ELSE $14::float8 END) AS target
  FROM bucket_bounds bb
  JOIN parts_request r ON r.received_at >= bb.starts AND r.received_at < bb.ends
  JOIN scoped_outlet s USING (outlet_id) LEFT JOIN part p USING (part_no)
  WHERE r.requested_at IS NOT NULL AND ($12::text IS NULL OR r.source = $12::text)
),
cycle_grp AS (
  SELECT g FROM grp WHERE $11::text IN ('', 'region', 'outlet')
  UNION ALL
  SELECT src FROM unnest($15::text[]) AS src, visible WHERE ok AND $11::text = 'source' AND ($12::text IS NULL OR src = $12::text)
  UNION ALL
  SELECT DISTINCT c.g FROM cycle c WHERE $11::text = 'part'
),
tally AS (
  SELECT c.g, c.bucket, count(*)::int AS requests, avg(c.days) AS mean,
         percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY c.days) FILTER (WHERE $16::boolean) AS p,
         count(*) FILTER (WHERE c.days <= c.target)::int AS within,
         count(DISTINCT c.source)::int AS sources, min(c.source_target) AS source_target
  FROM cycle c
  GROUP BY 1, 2
)
SELECT to_char(b.bucket, 'YYYY-MM-DD') AS bucket, cg.g AS group,
       coalesce(t.requests, 0) AS requests, t.mean, t.p[1] AS p50, t.p[2] AS p90, coalesce(t.within, 0) AS within,
       coalesce(t.sources, 0) AS sources, t.source_target,
       CASE $11::text
         WHEN 'source' THEN CASE cg.g WHEN 'hq_stock' THEN $13::float8 ELSE $14::float8 END
         WHEN 'part' THEN (SELECT coalesce(p.target_days::float8, CASE p.source WHEN 'hq_stock' THEN $13::float8 ELSE $14::float8 END)
                           FROM part p WHERE p.part_no = cg.g)
         ELSE CASE $12::text WHEN 'hq_stock' THEN $13::float8 WHEN 'hq_procured' THEN $14::float8 END
       END AS group_target
FROM cycle_grp cg CROSS JOIN buckets b
LEFT JOIN tally t ON t.g = cg.g AND t.bucket = b.bucket
ORDER BY b.bucket, cg.g`;

/** `percentiles: false` leaves out the median and 90th percentile (they need every request sorted), as the overview does. */
export async function supplyCycle(db: Pool, query: SupplyCycleQuery, options: { percentiles?: boolean } = {}): Promise<SupplyCycleRow[]> {
  const withPercentiles = options.percentiles ?? true;
  const scopeGroup = query.groupBy === 'region' || query.groupBy === 'outlet' ? query.groupBy : null;
  const values = [
    ...scopeValues({ ...query, groupBy: scopeGroup, productLine: null }, []),
    query.groupBy ?? '', query.source, query.supplyTargets.hq_stock, query.supplyTargets.hq_procured, PARTS_SOURCES, withPercentiles,
  ];
  const rows = await readFigures<CycleTally>(db, SUPPLY_CYCLE_SQL, values);
  return rows.map((row) => {
    const none = { value: null, reason: 'no requests received' };
    const percentile = (value: number | null) => (!withPercentiles ? { value: null, reason: 'not asked for' } : value ?? none);
    return {
      bucket: row.bucket,
      group: row.group === '' ? null : row.group,
      requests: row.requests,
      meanDays: row.mean ?? none,
      p50Days: percentile(row.p50),
      p90Days: percentile(row.p90),
      targetDays: targetOf(row),
      withinTargetShare: row.requests > 0 ? row.within / row.requests : none,
    };
  });
}

/**
 * The source's target when the group's requests share one source (a part's own target for groupBy=part);
 * a region, outlet or the network mixing both sources has no single target: each request is held to its own.
 */
function targetOf(row: CycleTally): Figure<number> {
  if (row.group_target !== null) return row.group_target;
  if (row.sources === 1) return row.source_target!;
  if (row.sources === 0) return { value: null, reason: 'no requests received' };
  return { value: null, reason: 'requests from both sources, each held to its own target: filter by source for one' };
}

/** What a snapshot route needs of a KpiQuery: the scope; its range is unused but typed. */
export interface SnapshotQuery {
  timeZone: string;
  /** The instant the snapshot is taken at: events at or after it have not happened yet. */
  at: Date;
  region: string | null;
  outlet: string | null;
  regions: string[] | null;
  limit: number;
}

function snapshotValues(query: SnapshotQuery): unknown[] {
  const day = query.at.toISOString().slice(0, 10);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  const scope = { ...query, interval: 'day' as const, from: day, to: next, groupBy: null, productLine: null };
  return [...scopeValues(scope, []), query.at, query.limit];
}

/**
 * Open at $11: requested before it, neither received nor cancelled before it; oldest first, at most $12.
 * A request with no event at or after $11 is open when it was never received nor cancelled (a partial index
 * holds those); only the others, few when $11 is about now, are judged by their event times.
 */
const OPEN_REQUESTS_SQL = `
WITH ${SCOPE_CTES},
open_request AS (
  SELECT r.request_id, r.outlet_id, r.part_no, r.source, r.requested_at
  FROM parts_request r
  WHERE r.received_at IS NULL AND r.cancelled_at IS NULL AND r.requested_at IS NOT NULL AND r.last_event_at < $11::timestamptz
  UNION ALL
  SELECT r.request_id, r.outlet_id, r.part_no, r.source, r.requested_at
  FROM parts_request r
  WHERE r.last_event_at >= $11::timestamptz AND r.requested_at < $11::timestamptz
    AND NOT coalesce(r.received_at < $11::timestamptz, false)
    AND NOT coalesce(r.cancelled_at < $11::timestamptz, false)
)
SELECT r.request_id, r.outlet_id, r.part_no, r.source, r.requested_at
FROM open_request r JOIN scoped_outlet s USING (outlet_id)
ORDER BY r.requested_at, r.request_id
LIMIT $12::int`;

export async function openPartsRequests(db: Pool, query: SnapshotQuery): Promise<OpenPartsRequestRow[]> {
  const rows = await readFigures<{ request_id: string; outlet_id: string; part_no: string; source: string; requested_at: Date }>(
    db, OPEN_REQUESTS_SQL, snapshotValues(query));
  return rows.map((row) => ({
    requestId: row.request_id,
    outletId: row.outlet_id,
    partNo: row.part_no,
    source: row.source,
    requestedAt: row.requested_at.toISOString(),
    ageDays: (query.at.getTime() - row.requested_at.getTime()) / DAY_MS,
  }));
}

/**
 * Orders open at $11 whose last parts_requested before it has no parts_received after it, waiting since
 * the first parts_requested after their last receipt; events in lifecycle order, as the backlog takes them.
 * An order with no event at or after $11 is as its current facts say (service_order, kept by the workers);
 * only the others, few when $11 is about now, are replayed from their events up to $11.
 */
const WAITING_SQL = `
WITH ${SCOPE_CTES},
current_waiting AS (
  SELECT o.order_id, o.home_outlet_id AS outlet_id, o.waiting_parts_since AS since
  FROM service_order o
  WHERE o.waiting_parts_since < $11::timestamptz AND o.last_event_at < $11::timestamptz
    AND cardinality(o.opened) > cardinality(o.closed)
),
candidate AS (
  SELECT o.order_id FROM service_order o
  WHERE o.last_event_at >= $11::timestamptz
    AND EXISTS (SELECT 1 FROM service_order_event e WHERE e.order_id = o.order_id AND e.type = 'parts_requested' AND e.at < $11::timestamptz)
),
ordered AS (
  SELECT e.order_id, e.type, e.at,
         row_number() OVER (PARTITION BY e.order_id ORDER BY e.at, service_order_event_rank(e.type), e.event_id) AS seq
  FROM service_order_event e JOIN candidate USING (order_id)
  WHERE e.at < $11::timestamptz
),
state AS (
  SELECT o.order_id,
         max(o.seq) FILTER (WHERE o.type IN ('created', 'reopened', 'completed', 'closed', 'cancelled')) AS last_transition,
         max(o.seq) FILTER (WHERE o.type IN ('created', 'reopened')) AS last_opening,
         coalesce(max(o.seq) FILTER (WHERE o.type = 'parts_received'), 0) AS last_receipt
  FROM ordered o
  GROUP BY o.order_id
),
past_waiting AS (
  SELECT st.order_id, min(o.at) AS since
  FROM state st JOIN ordered o ON o.order_id = st.order_id AND o.type = 'parts_requested' AND o.seq > st.last_receipt
  WHERE st.last_opening = st.last_transition
  GROUP BY st.order_id
),
waiting AS (
  SELECT w.order_id, h.outlet_id, w.since
  FROM past_waiting w
  CROSS JOIN LATERAL (
    SELECT c.outlet_id FROM service_order_event c WHERE c.order_id = w.order_id AND c.type = 'created' ORDER BY c.at, c.event_id LIMIT 1
  ) h
  UNION ALL
  SELECT order_id, outlet_id, since FROM current_waiting
)
SELECT w.order_id, w.outlet_id, w.since
FROM waiting w JOIN scoped_outlet s ON s.outlet_id = w.outlet_id
ORDER BY w.since, w.order_id
LIMIT $12::int`;

export async function ordersWaitingForParts(db: Pool, query: SnapshotQuery): Promise<OrderWaitingForPartsRow[]> {
  const rows = await readFigures<{ order_id: string; outlet_id: string; since: Date }>(db, WAITING_SQL, snapshotValues(query));
  return rows.map((row) => ({
    orderId: row.order_id,
    outletId: row.outlet_id,
    since: row.since.toISOString(),
    daysWaiting: (query.at.getTime() - row.since.getTime()) / DAY_MS,
  }));
}
