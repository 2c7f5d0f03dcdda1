import type { Complaint } from '@servicetower/domain';
import type { Queryable } from '../db.js';

/** Stores complaints not seen before (by eventId); returns how many were new. */
export async function insertComplaints(db: Queryable, complaints: readonly Complaint[]): Promise<number> {
  const { rowCount } = await db.query(
    `INSERT INTO complaint (event_id, complaint_id, at, outlet_id, product_line, cause, order_id, channel, severity)
     SELECT DISTINCT ON (c.event_id) c.*
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
          AS c(event_id, complaint_id, at, outlet_id, product_line, cause, order_id, channel, severity)
     WHERE NOT EXISTS (SELECT 1 FROM complaint s WHERE s.event_id = c.event_id)
     ON CONFLICT DO NOTHING`,
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
  return rowCount ?? 0;
}
