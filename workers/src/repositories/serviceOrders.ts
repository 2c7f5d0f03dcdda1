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

/**
 * Recomputes the current state of the given orders from all their stored events.
 * The latest event (by its own time, ties by lifecycle rank) sets the status, so
 * events that arrive out of order still give the right state.
 */
export async function refreshServiceOrders(db: Queryable, orderIds: readonly string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await db.query(
    `WITH e AS (
       SELECT *, service_order_event_rank(type) AS rank,
              max(at) FILTER (WHERE type = 'parts_received') OVER (PARTITION BY order_id) AS last_parts_received
       FROM service_order_event WHERE order_id = ANY($1::text[])
     ), o AS (
       SELECT order_id,
         (array_agg(type ORDER BY at DESC, rank DESC))[1] AS status,
         (array_agg(outlet_id ORDER BY at DESC, rank DESC))[1] AS outlet_id,
         (array_agg(product_line ORDER BY at DESC, rank DESC))[1] AS product_line,
         (array_agg(technician_id ORDER BY at DESC, rank DESC) FILTER (WHERE technician_id IS NOT NULL))[1] AS technician_id,
         (array_agg(customer_id ORDER BY at DESC, rank DESC) FILTER (WHERE customer_id IS NOT NULL))[1] AS customer_id,
         (array_agg(device_id ORDER BY at DESC, rank DESC) FILTER (WHERE device_id IS NOT NULL))[1] AS device_id,
         (array_agg(channel ORDER BY at DESC, rank DESC) FILTER (WHERE channel IS NOT NULL))[1] AS channel,
         min(at) FILTER (WHERE type = 'created') AS created_at,
         max(at) FILTER (WHERE type = 'completed') AS completed_at,
         max(at) FILTER (WHERE type = 'closed') AS closed_at,
         max(at) FILTER (WHERE type = 'cancelled') AS cancelled_at,
         min(at) FILTER (WHERE type = 'parts_requested' AND at > coalesce(last_parts_received, '-infinity')) AS parts_requested_since,
         count(*) FILTER (WHERE type = 'visit_started')::int AS visits,
         count(*) FILTER (WHERE type = 'reopened')::int AS reopened,
         sum(labor_cost) AS labor_cost,
         max(at) AS last_event_at
       FROM e GROUP BY order_id
     )
     INSERT INTO service_order AS s (order_id, status, outlet_id, product_line, technician_id, customer_id, device_id, channel,
       created_at, completed_at, closed_at, cancelled_at, waiting_parts_since, visits, reopened, labor_cost, last_event_at, updated_at)
     SELECT order_id, status, outlet_id, product_line, technician_id, customer_id, device_id, channel,
       created_at, completed_at, closed_at, cancelled_at,
       CASE WHEN status IN ('completed', 'closed', 'cancelled') THEN NULL ELSE parts_requested_since END,
       visits, reopened, labor_cost, last_event_at, now()
     FROM o
     ON CONFLICT (order_id) DO UPDATE SET
       status = excluded.status, outlet_id = excluded.outlet_id, product_line = excluded.product_line,
       technician_id = excluded.technician_id, customer_id = excluded.customer_id, device_id = excluded.device_id,
       channel = excluded.channel, created_at = excluded.created_at, completed_at = excluded.completed_at,
       closed_at = excluded.closed_at, cancelled_at = excluded.cancelled_at,
       waiting_parts_since = excluded.waiting_parts_since, visits = excluded.visits, reopened = excluded.reopened,
       labor_cost = excluded.labor_cost, last_event_at = excluded.last_event_at, updated_at = excluded.updated_at`,
    [orderIds],
  );
}
