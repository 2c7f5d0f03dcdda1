import { inTransaction, type Pool } from '../db.js';
import { refreshComplaints } from './complaints.js';
import { refreshServiceOrders } from './serviceOrders.js';

/** The rollups of DESIGN.md §5's figures, as named in rollup_state. */
export const FIGURE_ROLLUPS = 'figures';
const CHUNK = 5000;

/**
 * Makes sure the rollups are bucketed in `timeZone`: when rollup_state names another zone (the setting
 * changed) or none (first start after the rollups migration), recomputes the per-order and per-complaint
 * facts still missing, then every rollup row from the facts, in one transaction. Returns whether it rebuilt.
 */
export async function ensureRollups(pool: Pool, timeZone: string): Promise<boolean> {
  return inTransaction(pool, async (db) => {
    await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('rollup_state', 0))`);
    const { rows } = await db.query<{ time_zone: string }>('SELECT time_zone FROM rollup_state WHERE name = $1::text', [FIGURE_ROLLUPS]);
    if (rows[0]?.time_zone === timeZone) return false;

    // In id order, each id once: an id whose refresh changes nothing cannot hold the loop.
    for (let orders = await missingOrderFacts(db, ''); orders.length > 0; orders = await missingOrderFacts(db, orders.at(-1)!)) {
      await refreshServiceOrders(db, orders, null);
    }
    for (let complaints = await missingComplaintStates(db, ''); complaints.length > 0; complaints = await missingComplaintStates(db, complaints.at(-1)!)) {
      await refreshComplaints(db, complaints, null);
    }

    await db.query('TRUNCATE service_load_rollup, complaint_rollup');
    await db.query(
      `INSERT INTO service_load_rollup
         (grain, bucket, outlet_id, product_line, received, completed, first_time_fixes, backlog_delta, turnaround_hours, turnaround_count, waited_for_parts)
       SELECT c.grain, c.bucket, c.outlet_id, c.product_line, sum(c.received), sum(c.completed), sum(c.first_time_fixes), sum(c.backlog_delta),
              sum(c.turnaround_hours), sum(c.turnaround_count), sum(c.waited_for_parts)
       FROM service_order s,
            service_load_contribution($1::text, s.home_outlet_id, s.home_product_line, s.created_at, s.completions, s.first_time_fix,
                                      s.opened, s.closed, s.waited_for_parts) c
       GROUP BY 1, 2, 3, 4`,
      [timeZone],
    );
    await db.query(
      `INSERT INTO complaint_rollup (grain, bucket, outlet_id, product_line, cause, complaints)
       SELECT x.grain, x.bucket, x.outlet_id, x.product_line, x.cause, sum(x.complaints)
       FROM complaint_state s, complaint_contribution($1::text, s.at, s.outlet_id, s.product_line, s.cause) x
       GROUP BY 1, 2, 3, 4, 5`,
      [timeZone],
    );
    await db.query(
      `INSERT INTO rollup_state (name, time_zone, built_at) VALUES ($1::text, $2::text, now())
       ON CONFLICT (name) DO UPDATE SET time_zone = excluded.time_zone, built_at = excluded.built_at`,
      [FIGURE_ROLLUPS, timeZone],
    );
    return true;
  });
}

type Db = Parameters<Parameters<typeof inTransaction>[1]>[0];

/** Orders stored before their facts existed (rows from before the rollups migration). */
async function missingOrderFacts(db: Db, after: string): Promise<string[]> {
  const { rows } = await db.query<{ order_id: string }>(
    'SELECT order_id FROM service_order WHERE completions IS NULL AND order_id > $2::text ORDER BY order_id LIMIT $1::int', [CHUNK, after]);
  return rows.map((r) => r.order_id);
}

async function missingComplaintStates(db: Db, after: string): Promise<string[]> {
  const { rows } = await db.query<{ complaint_id: string }>(
    `SELECT DISTINCT c.complaint_id FROM complaint c
     WHERE c.complaint_id > $2::text AND NOT EXISTS (SELECT 1 FROM complaint_state s WHERE s.complaint_id = c.complaint_id)
     ORDER BY 1 LIMIT $1::int`,
    [CHUNK, after],
  );
  return rows.map((r) => r.complaint_id);
}
