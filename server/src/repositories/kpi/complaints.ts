import { COMPLAINT_CAUSES, type ComplaintRow } from '@servicetower/domain';
import type { Pool } from '@servicetower/workers';
import { ratio, readFigures, SCOPE_CTES, scopeValues, type KpiQuery } from './scope.js';

/** The cause that counts as waiting for parts (DESIGN.md §5 parts-wait complaint rate). */
export const PARTS_WAIT_CAUSE = 'parts_wait';

interface Tally {
  bucket: string;
  group: string;
  complaints: number;
  parts_wait: number;
  received: number;
}

/**
 * Complaints once per complaintId (its earliest event), in the bucket of their own `at`, over the
 * orders received in the same bucket and scope; grouped by cause, each cause is set against all orders.
 * Both from the rollups the workers keep (migrations/0005_rollups.sql).
 */
const SQL = `
WITH ${SCOPE_CTES},
tally AS (
  SELECT CASE $9::text WHEN 'region' THEN s.region_id WHEN 'outlet' THEN s.outlet_id WHEN 'productLine' THEN c.product_line
                       WHEN 'cause' THEN c.cause ELSE '' END AS g,
         c.bucket::timestamp AS bucket,
         sum(c.complaints)::int AS n, (sum(c.complaints) FILTER (WHERE c.cause = $11::text))::int AS parts_wait
  FROM complaint_rollup c JOIN scoped_outlet s USING (outlet_id), params p
  WHERE c.grain = $2::text AND c.bucket >= p.first_bucket::date AND c.bucket <= p.last_bucket::date
    AND ($8::text IS NULL OR c.product_line = $8::text)
  GROUP BY 1, 2
)
SELECT to_char(grid.bucket, 'YYYY-MM-DD') AS bucket, grid.g AS group,
       coalesce(t.n, 0) AS complaints, coalesce(t.parts_wait, 0) AS parts_wait, coalesce(r.n, 0) AS received
FROM grid
LEFT JOIN tally t ON t.g = grid.g AND t.bucket = grid.bucket
LEFT JOIN received r ON r.g = CASE $9::text WHEN 'cause' THEN '' ELSE grid.g END AND r.bucket = grid.bucket
ORDER BY grid.bucket, grid.g`;

export async function complaintRates(db: Pool, query: KpiQuery): Promise<ComplaintRow[]> {
  const rows = await readFigures<Tally>(db, SQL, [...scopeValues(query, COMPLAINT_CAUSES), PARTS_WAIT_CAUSE], { rollupsIn: query.timeZone });
  return rows.map((row) => ({
    bucket: row.bucket,
    group: row.group === '' ? null : row.group,
    complaints: row.complaints,
    ordersReceived: row.received,
    ratePer100: ratio(row.complaints, row.received, 'no orders received', 100),
    partsWaitComplaints: row.parts_wait,
    partsWaitRatePer100: ratio(row.parts_wait, row.received, 'no orders received', 100),
  }));
}
