import { SAME_ZONE } from './rollupZone.js';
import type { Complaint } from '@servicetower/domain';
import type { Queryable } from '../db.js';

/** Stores complaints not seen before (by eventId); returns the complaint id of each one stored. */
export async function insertComplaints(db: Queryable, complaints: readonly Complaint[]): Promise<string[]> {
  const { rows } = await db.query<{ complaint_id: string }>(
    `INSERT INTO complaint (event_id, complaint_id, at, outlet_id, product_line, cause, order_id, channel, severity)
     SELECT DISTINCT ON (c.event_id) c.*
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
          AS c(event_id, complaint_id, at, outlet_id, product_line, cause, order_id, channel, severity)
     WHERE NOT EXISTS (SELECT 1 FROM complaint s WHERE s.event_id = c.event_id)
     ON CONFLICT DO NOTHING
     RETURNING complaint_id`,
    [
      complaints.map((c) => c.eventId),
      complaints.map((c) => c.complaintId),
      complaints.map((c) => c.at),
      complaints.map((c) => c.outletId),
      complaints.map((c) => c.productLine),
      complaints.map((c) => c.cause),
      complaints.map((c) => c.orderId ?? null),
      complaints.map((c) => c.channel ?? null),
      complaints.map((c) => c.severity ?? null),
    ],
  );
  return rows.map((r) => r.complaint_id);
}

/**
 * Sets each given complaint to its first event (by time, then event id) and, with a time zone, moves its
 * count in complaint_rollup from the buckets of its old first event to those of its new one.
 */
export async function refreshComplaints(db: Queryable, complaintIds: readonly string[], rollupTimeZone: string | null): Promise<void> {
  if (complaintIds.length === 0) return;
  await db.query(
    `WITH first AS (
       SELECT DISTINCT ON (c.complaint_id) c.complaint_id, c.event_id, c.at, c.outlet_id, c.product_line, c.cause, c.order_id
       FROM complaint c WHERE c.complaint_id = ANY($1::text[])
       ORDER BY c.complaint_id, c.at, c.event_id
     ), old AS (
       SELECT x.* FROM complaint_state s, complaint_contribution($2::text, s.at, s.outlet_id, s.product_line, s.cause) x
       WHERE $2::text IS NOT NULL AND ${SAME_ZONE} AND s.complaint_id = ANY($1::text[])
     ), upserted AS (
       INSERT INTO complaint_state AS s (complaint_id, event_id, at, outlet_id, product_line, cause, order_id)
       SELECT * FROM first
       ON CONFLICT (complaint_id) DO UPDATE SET
         event_id = excluded.event_id, at = excluded.at, outlet_id = excluded.outlet_id,
         product_line = excluded.product_line, cause = excluded.cause, order_id = excluded.order_id
       RETURNING s.*
     ), delta AS (
       SELECT grain, bucket, outlet_id, product_line, cause, sum(complaints)::int AS complaints
       FROM (SELECT x.* FROM upserted s, complaint_contribution($2::text, s.at, s.outlet_id, s.product_line, s.cause) x
             WHERE $2::text IS NOT NULL AND ${SAME_ZONE}
             UNION ALL
             SELECT grain, bucket, outlet_id, product_line, cause, -complaints FROM old) d
       GROUP BY 1, 2, 3, 4, 5
       HAVING sum(complaints) <> 0
     )
     INSERT INTO complaint_rollup AS r (grain, bucket, outlet_id, product_line, cause, complaints)
     SELECT * FROM delta ORDER BY grain, bucket, outlet_id, product_line, cause
     ON CONFLICT (grain, bucket, outlet_id, product_line, cause) DO UPDATE SET complaints = r.complaints + excluded.complaints`,
    [complaintIds, rollupTimeZone],
  );
}
