import { SAME_ZONE } from './rollupZone.js';
import type { ServiceOrderEvent } from '@servicetower/domain';
import type { Queryable } from '../db.js';

/** Stores events not seen before (by eventId); returns the order id of each event stored. */
export async function insertServiceOrderEvents(db: Queryable, events: readonly ServiceOrderEvent[]): Promise<string[]> {
  const { rows } = await db.query<{ order_id: string }>(
    `INSERT INTO service_order_event
       (event_id, order_id, type, at, outlet_id, product_line, technician_id, customer_id, device_id, channel, labor_cost, note)
     SELECT DISTINCT ON (e.event_id) e.*
     FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[],
                 $9::text[], $10::text[], $11::numeric[], $12::text[])
          AS e(event_id, order_id, type, at, outlet_id, product_line, technician_id, customer_id, device_id, channel, labor_cost, note)
     WHERE NOT EXISTS (SELECT 1 FROM service_order_event s WHERE s.event_id = e.event_id)
     ON CONFLICT DO NOTHING
     RETURNING order_id`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.orderId),
      events.map((e) => e.type),
      events.map((e) => e.at),
      events.map((e) => e.outletId),
      events.map((e) => e.productLine),
      events.map((e) => e.technicianId ?? null),
      events.map((e) => e.customerId ?? null),
      events.map((e) => e.deviceId ?? null),
      events.map((e) => e.channel ?? null),
      events.map((e) => e.laborCost ?? null),
      events.map((e) => e.note ?? null),
    ],
  );
  return rows.map((r) => r.order_id);
}

/** The columns of service_order that service_load_contribution() reads, for an alias `s`. */
const CONTRIBUTION_ARGS = (s: string) =>
  `${s}.home_outlet_id, ${s}.home_product_line, ${s}.created_at, ${s}.completions, ${s}.first_time_fix, ${s}.opened, ${s}.closed, ${s}.waited_for_parts`;

/**
 * Recomputes the current state and the facts of the given orders from all their stored events.
 * The latest event (by its own time, ties by lifecycle rank) sets the status, so events that arrive
 * out of order still give the right state. With a time zone, the change in each order's facts is
 * added to service_load_rollup in the same statement (old contribution out, new one in); without
 * one the rollups are left alone (a rebuild recomputes them afterwards).
 */
export async function refreshServiceOrders(db: Queryable, orderIds: readonly string[], rollupTimeZone: string | null): Promise<void> {
  if (orderIds.length === 0) return;
  await db.query(
    `WITH e AS (
       SELECT *, service_order_event_rank(type) AS rank,
              max(at) FILTER (WHERE type = 'parts_received') OVER (PARTITION BY order_id) AS last_parts_received,
              min(at) FILTER (WHERE type = 'completed') OVER (PARTITION BY order_id) AS first_completed
       FROM service_order_event WHERE order_id = ANY($1::text[])
     ), flow AS (
       SELECT order_id, at, opens,
              lag(opens, 1, false) OVER (PARTITION BY order_id ORDER BY at, rank, event_id) AS was_open
       FROM (SELECT order_id, at, rank, event_id, type IN ('created', 'reopened') AS opens
             FROM e WHERE type IN ('created', 'reopened', 'completed', 'closed', 'cancelled')) t
     ), spans AS (
       SELECT order_id, coalesce(array_agg(at ORDER BY at) FILTER (WHERE opens), '{}') AS opened,
              coalesce(array_agg(at ORDER BY at) FILTER (WHERE NOT opens), '{}') AS closed
       FROM flow WHERE opens <> was_open GROUP BY order_id
     ), o AS (
       SELECT order_id,
         (array_agg(type ORDER BY at DESC, rank DESC))[1] AS status,
         (array_agg(outlet_id ORDER BY at DESC, rank DESC))[1] AS outlet_id,
         (array_agg(product_line ORDER BY at DESC, rank DESC))[1] AS product_line,
         (array_agg(technician_id ORDER BY at DESC, rank DESC) FILTER (WHERE technician_id IS NOT NULL))[1] AS technician_id,
         (array_agg(customer_id ORDER BY at DESC, rank DESC) FILTER (WHERE customer_id IS NOT NULL))[1] AS customer_id,
         (array_agg(device_id ORDER BY at DESC, rank DESC) FILTER (WHERE device_id IS NOT NULL))[1] AS device_id,
         (array_agg(channel ORDER BY at DESC, rank DESC) FILTER (WHERE channel IS NOT NULL))[1] AS channel,
         (array_agg(outlet_id ORDER BY type <> 'created', at, rank, event_id))[1] AS home_outlet_id,
         (array_agg(product_line ORDER BY type <> 'created', at, rank, event_id))[1] AS home_product_line,
         min(at) FILTER (WHERE type = 'created') AS created_at,
         max(at) FILTER (WHERE type = 'completed') AS completed_at,
         max(at) FILTER (WHERE type = 'closed') AS closed_at,
         max(at) FILTER (WHERE type = 'cancelled') AS cancelled_at,
         min(at) FILTER (WHERE type = 'completed') AS first_completed_at,
         coalesce(array_agg(DISTINCT at) FILTER (WHERE type = 'completed'), '{}') AS completions,
         min(at) FILTER (WHERE type = 'parts_requested' AND at > coalesce(last_parts_received, '-infinity')) AS parts_requested_since,
         count(*) FILTER (WHERE type = 'visit_started')::int AS visits,
         count(*) FILTER (WHERE type = 'reopened')::int AS reopened,
         count(*) FILTER (WHERE type = 'reopened' AND at >= first_completed AND at <= first_completed + interval '720 hours') AS early_reopens,
         bool_or(type = 'parts_requested') AS waited_for_parts,
         sum(labor_cost) AS labor_cost,
         max(at) AS last_event_at
       FROM e GROUP BY order_id
     ), old AS (
       SELECT c.* FROM service_order s, service_load_contribution($2::text, ${CONTRIBUTION_ARGS('s')}) c
       WHERE $2::text IS NOT NULL AND ${SAME_ZONE} AND s.order_id = ANY($1::text[])
     ), upserted AS (
       INSERT INTO service_order AS s (order_id, status, outlet_id, product_line, technician_id, customer_id, device_id, channel,
         created_at, completed_at, closed_at, cancelled_at, waiting_parts_since, visits, reopened, labor_cost, last_event_at, updated_at,
         home_outlet_id, home_product_line, first_completed_at, completions, first_time_fix, opened, closed, waited_for_parts)
       SELECT o.order_id, status, outlet_id, product_line, technician_id, customer_id, device_id, channel,
         created_at, completed_at, closed_at, cancelled_at,
         CASE WHEN status IN ('completed', 'closed', 'cancelled') THEN NULL ELSE parts_requested_since END,
         visits, reopened, labor_cost, last_event_at, now(),
         home_outlet_id, home_product_line, first_completed_at, completions,
         visits = 1 AND first_completed_at IS NOT NULL AND early_reopens = 0,
         CASE WHEN created_at IS NULL THEN '{}' ELSE coalesce(sp.opened, '{}') END,
         CASE WHEN created_at IS NULL THEN '{}' ELSE coalesce(sp.closed, '{}') END,
         waited_for_parts
       FROM o LEFT JOIN spans sp USING (order_id)
       ON CONFLICT (order_id) DO UPDATE SET
         status = excluded.status, outlet_id = excluded.outlet_id, product_line = excluded.product_line,
         technician_id = excluded.technician_id, customer_id = excluded.customer_id, device_id = excluded.device_id,
         channel = excluded.channel, created_at = excluded.created_at, completed_at = excluded.completed_at,
         closed_at = excluded.closed_at, cancelled_at = excluded.cancelled_at,
         waiting_parts_since = excluded.waiting_parts_since, visits = excluded.visits, reopened = excluded.reopened,
         labor_cost = excluded.labor_cost, last_event_at = excluded.last_event_at, updated_at = excluded.updated_at,
         home_outlet_id = excluded.home_outlet_id, home_product_line = excluded.home_product_line,
         first_completed_at = excluded.first_completed_at, completions = excluded.completions,
         first_time_fix = excluded.first_time_fix, opened = excluded.opened, closed = excluded.closed,
         waited_for_parts = excluded.waited_for_parts
       RETURNING s.*
     ), new AS (
       SELECT c.* FROM upserted s, service_load_contribution($2::text, ${CONTRIBUTION_ARGS('s')}) c
       WHERE $2::text IS NOT NULL AND ${SAME_ZONE}
     ), delta AS (
       SELECT grain, bucket, outlet_id, product_line, sum(received)::int AS received, sum(completed)::int AS completed,
              sum(first_time_fixes)::int AS first_time_fixes, sum(backlog_delta)::int AS backlog_delta,
              sum(turnaround_hours) AS turnaround_hours, sum(turnaround_count)::int AS turnaround_count,
              sum(waited_for_parts)::int AS waited_for_parts
       FROM (SELECT * FROM new
             UNION ALL
             SELECT grain, bucket, outlet_id, product_line, -received, -completed, -first_time_fixes, -backlog_delta,
                    -turnaround_hours, -turnaround_count, -waited_for_parts FROM old) d
       GROUP BY 1, 2, 3, 4
       HAVING sum(received) <> 0 OR sum(completed) <> 0 OR sum(first_time_fixes) <> 0 OR sum(backlog_delta) <> 0
           OR sum(turnaround_hours) <> 0 OR sum(turnaround_count) <> 0 OR sum(waited_for_parts) <> 0
     )
     INSERT INTO service_load_rollup AS r
       (grain, bucket, outlet_id, product_line, received, completed, first_time_fixes, backlog_delta, turnaround_hours, turnaround_count, waited_for_parts)
     SELECT * FROM delta ORDER BY grain, bucket, outlet_id, product_line
     ON CONFLICT (grain, bucket, outlet_id, product_line) DO UPDATE SET
       received = r.received + excluded.received, completed = r.completed + excluded.completed,
       first_time_fixes = r.first_time_fixes + excluded.first_time_fixes, backlog_delta = r.backlog_delta + excluded.backlog_delta,
       turnaround_hours = r.turnaround_hours + excluded.turnaround_hours, turnaround_count = r.turnaround_count + excluded.turnaround_count,
       waited_for_parts = r.waited_for_parts + excluded.waited_for_parts`,
    [orderIds, rollupTimeZone],
  );
}
