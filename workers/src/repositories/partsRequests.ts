import type { PartsRequestEvent } from '@servicetower/domain';
import type { Queryable } from '../db.js';

/** Stores events not seen before (by eventId); returns the request id of each event stored. */
export async function insertPartsRequestEvents(db: Queryable, events: readonly PartsRequestEvent[]): Promise<string[]> {
  const { rows } = await db.query<{ request_id: string }>(
    `INSERT INTO parts_request_event
       (event_id, request_id, type, at, outlet_id, part_no, quantity, source, order_id, unit_cost)
     SELECT DISTINCT ON (e.event_id) e.*
     FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::int[], $8::text[],
                 $9::text[], $10::numeric[])
          AS e(event_id, request_id, type, at, outlet_id, part_no, quantity, source, order_id, unit_cost)
     WHERE NOT EXISTS (SELECT 1 FROM parts_request_event s WHERE s.event_id = e.event_id)
     ON CONFLICT DO NOTHING
     RETURNING request_id`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.requestId),
      events.map((e) => e.type),
      events.map((e) => e.at),
      events.map((e) => e.outletId),
      events.map((e) => e.partNo),
      events.map((e) => e.quantity),
      events.map((e) => e.source),
      events.map((e) => e.orderId ?? null),
      events.map((e) => e.unitCost ?? null),
    ],
  );
  return rows.map((r) => r.request_id);
}

/** Recomputes the current state of the given requests from all their stored events, whatever their arrival order. */
export async function refreshPartsRequests(db: Queryable, requestIds: readonly string[]): Promise<void> {
  if (requestIds.length === 0) return;
  await db.query(
    `WITH e AS (
       SELECT *, parts_request_event_rank(type) AS rank
       FROM parts_request_event WHERE request_id = ANY($1::text[])
     )
     INSERT INTO parts_request AS p (request_id, status, outlet_id, part_no, quantity, source, order_id, unit_cost,
       requested_at, shipped_at, received_at, cancelled_at, last_event_at, updated_at)
     SELECT request_id,
       (array_agg(type ORDER BY at DESC, rank DESC))[1],
       (array_agg(outlet_id ORDER BY at DESC, rank DESC))[1],
       (array_agg(part_no ORDER BY at DESC, rank DESC))[1],
       (array_agg(quantity ORDER BY at DESC, rank DESC))[1],
       (array_agg(source ORDER BY at DESC, rank DESC))[1],
       (array_agg(order_id ORDER BY at DESC, rank DESC) FILTER (WHERE order_id IS NOT NULL))[1],
       (array_agg(unit_cost ORDER BY at DESC, rank DESC) FILTER (WHERE unit_cost IS NOT NULL))[1],
       min(at) FILTER (WHERE type = 'requested'),
       min(at) FILTER (WHERE type = 'shipped'),
       min(at) FILTER (WHERE type = 'received'),
       min(at) FILTER (WHERE type = 'cancelled'),
       max(at), now()
     FROM e GROUP BY request_id
     ON CONFLICT (request_id) DO UPDATE SET
       status = excluded.status, outlet_id = excluded.outlet_id, part_no = excluded.part_no,
       quantity = excluded.quantity, source = excluded.source, order_id = excluded.order_id,
       unit_cost = excluded.unit_cost, requested_at = excluded.requested_at, shipped_at = excluded.shipped_at,
       received_at = excluded.received_at, cancelled_at = excluded.cancelled_at,
       last_event_at = excluded.last_event_at, updated_at = excluded.updated_at`,
    [requestIds],
  );
}
