import { PARTS_SOURCES, type Figure, type PartsWaitComplaintRow } from '@servicetower/domain';
import type { Pool } from '@servicetower/workers';
import { PARTS_WAIT_CAUSE } from './complaints.js';
import type { PartsSource } from './parts.js';
import { groupKey, ratio, readFigures, SCOPE_CTES, scopeValues, type KpiQuery } from './scope.js';

interface Tally {
  bucket: string;
  group: string;
  received: number;
  waited: number;
  complaints_waited: number;
  complaints_not_waited: number;
  parts_wait: number;
  hq_stock_days: number | null;
  hq_procured_days: number | null;
}

/**
 * DESIGN.md §5's link between waiting for parts and complaints, per bucket and group (definitions as in
 * simulator/src/truth.ts): the orders received in the bucket split by whether they ever requested parts,
 * each side with the complaints that name its orders, whenever made; beside them the bucket's
 * parts-wait complaint rate and the mean supply cycle per source of the requests received in it.
 * $11 the parts-wait cause.
 */
const SQL = `
WITH ${SCOPE_CTES},
cohort AS (
  SELECT g, bucket, sum(received)::int AS received, sum(waited_for_parts)::int AS waited FROM load GROUP BY 1, 2
),
cohort_complaints AS (
  -- Few orders have complaints: they are found from the complaints, and bucketed one by one.
  SELECT ${groupKey('o.home_product_line')} AS g, date_trunc($2::text, o.created_at AT TIME ZONE $1::text) AS bucket,
         count(*) FILTER (WHERE o.waited_for_parts)::int AS complaints_waited,
         count(*) FILTER (WHERE NOT o.waited_for_parts)::int AS complaints_not_waited
  FROM complaint_state c JOIN service_order o USING (order_id) JOIN scoped_outlet s ON s.outlet_id = o.home_outlet_id, bounds b
  WHERE o.created_at >= b.range_start AND o.created_at < b.range_end AND ($8::text IS NULL OR o.home_product_line = $8::text)
  GROUP BY 1, 2
),
parts_wait AS (
  SELECT ${groupKey('c.product_line')} AS g, c.bucket::timestamp AS bucket, sum(c.complaints)::int AS n
  FROM complaint_rollup c JOIN scoped_outlet s USING (outlet_id), params p
  WHERE c.grain = $2::text AND c.bucket >= p.first_bucket::date AND c.bucket <= p.last_bucket::date AND c.cause = $11::text
    AND ($8::text IS NULL OR c.product_line = $8::text)
  GROUP BY 1, 2
),
cycle AS (
  SELECT ${groupKey("''")} AS g, bb.bucket,
         avg(date_part('epoch', r.received_at - r.requested_at) / 86400) FILTER (WHERE r.source = 'hq_stock') AS hq_stock_days,
         avg(date_part('epoch', r.received_at - r.requested_at) / 86400) FILTER (WHERE r.source = 'hq_procured') AS hq_procured_days
  FROM bucket_bounds bb
  JOIN parts_request r ON r.received_at >= bb.starts AND r.received_at < bb.ends
  JOIN scoped_outlet s USING (outlet_id)
  WHERE r.requested_at IS NOT NULL AND $9::text <> 'productLine' AND $8::text IS NULL
  GROUP BY 1, 2
)
SELECT to_char(grid.bucket, 'YYYY-MM-DD') AS bucket, grid.g AS group,
       coalesce(co.received, 0) AS received, coalesce(co.waited, 0) AS waited,
       coalesce(cc.complaints_waited, 0) AS complaints_waited, coalesce(cc.complaints_not_waited, 0) AS complaints_not_waited,
       coalesce(pw.n, 0) AS parts_wait, cy.hq_stock_days, cy.hq_procured_days
FROM grid
LEFT JOIN cohort co ON co.g = grid.g AND co.bucket = grid.bucket
LEFT JOIN cohort_complaints cc ON cc.g = grid.g AND cc.bucket = grid.bucket
LEFT JOIN parts_wait pw ON pw.g = grid.g AND pw.bucket = grid.bucket
LEFT JOIN cycle cy ON cy.g = grid.g AND cy.bucket = grid.bucket
ORDER BY grid.bucket, grid.g`;

export async function partsWaitComplaints(db: Pool, query: KpiQuery): Promise<PartsWaitComplaintRow[]> {
  const rows = await readFigures<Tally>(db, SQL, [...scopeValues(query, []), PARTS_WAIT_CAUSE], { rollupsIn: query.timeZone });
  const noProductLine = query.groupBy === 'productLine' || query.productLine !== null;
  const cycle = (days: number | null, source: PartsSource): Figure<number> =>
    noProductLine ? { value: null, reason: 'parts requests carry no product line' } : (days ?? { value: null, reason: `no ${source} requests received` });
  return rows.map((row) => {
    const notWaited = row.received - row.waited;
    return {
      bucket: row.bucket,
      group: row.group === '' ? null : row.group,
      ordersWaited: row.waited,
      ordersNotWaited: notWaited,
      complaintsWaited: row.complaints_waited,
      complaintsNotWaited: row.complaints_not_waited,
      complaintRateWaitedPer100: ratio(row.complaints_waited, row.waited, 'no orders received that waited for parts', 100),
      complaintRateNotWaitedPer100: ratio(row.complaints_not_waited, notWaited, 'no orders received that did not wait for parts', 100),
      partsWaitRatePer100: ratio(row.parts_wait, row.received, 'no orders received', 100),
      supplyCycleMeanDays: Object.fromEntries(
        PARTS_SOURCES.map((source) => [source, cycle(source === 'hq_stock' ? row.hq_stock_days : row.hq_procured_days, source)]),
      ) as Record<PartsSource, Figure<number>>,
    };
  });
}
