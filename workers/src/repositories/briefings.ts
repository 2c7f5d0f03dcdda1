import { BRIEFING_RULES, DEPARTMENTS, type Briefing, type BriefingDelivery, type Department, type QualityFindings } from '@servicetower/domain';
import type { Queryable } from '../db.js';

/**
 * The daily briefing's findings for one local day D of the business time zone. Every query takes
 * $1 the time zone and $2 the date D; a local day runs from D 00:00 to D+1 00:00 local time, so it
 * lasts 23 or 25 hours across a daylight-saving change. "End of D−n" is the local midnight after D−n.
 */
const DAY_START = (offset: number) => `(($2::date + ${offset})::timestamp AT TIME ZONE $1::text)`;

export interface OutletLoadRow {
  outlet_id: string;
  region_id: string;
  technicians: number;
  orders: number;
  previous_orders: number;
  above: boolean;
  previous_above: boolean;
}

/**
 * Orders received (an order's first `created`, at its outlet: service_order's facts) in the 30 local days
 * ending on D, and ending on D−1, per outlet; above target when orders ÷ technicians exceeds $3 (TARGET_ORDERS_PER_TECHNICIAN, a
 * month's worth), or an outlet without technicians received any. Only the outlets above target on D.
 */
const OUTLET_LOAD_SQL = `
WITH window_order AS (
  SELECT c.outlet_id,
         (c.at >= ${DAY_START(1 - BRIEFING_RULES.loadWindowDays)} AND c.at < ${DAY_START(1)}) AS current,
         (c.at < ${DAY_START(0)}) AS previous
  FROM (SELECT s.created_at AS at, s.home_outlet_id AS outlet_id FROM service_order s) c
  WHERE c.at >= ${DAY_START(-BRIEFING_RULES.loadWindowDays)} AND c.at < ${DAY_START(1)}
),
tally AS (
  SELECT o.outlet_id, o.region_id, o.technicians,
         count(w.outlet_id) FILTER (WHERE w.current)::int AS orders,
         count(w.outlet_id) FILTER (WHERE w.previous)::int AS previous_orders
  FROM outlet o LEFT JOIN window_order w USING (outlet_id)
  GROUP BY o.outlet_id, o.region_id, o.technicians
),
flagged AS (
  SELECT t.*,
         CASE WHEN t.technicians > 0 THEN t.orders::float8 / t.technicians > $3::float8 ELSE t.orders > 0 END AS above,
         CASE WHEN t.technicians > 0 THEN t.previous_orders::float8 / t.technicians > $3::float8 ELSE t.previous_orders > 0 END AS previous_above
  FROM tally t
)
SELECT f.outlet_id, f.region_id, f.technicians, f.orders, f.previous_orders, f.above, f.previous_above
FROM flagged f
WHERE f.above OR f.previous_above
ORDER BY f.orders::float8 / nullif(f.technicians, 0) DESC NULLS FIRST, f.outlet_id`;

export async function outletLoads(db: Queryable, timeZone: string, date: string, target: number): Promise<OutletLoadRow[]> {
  return (await db.query<OutletLoadRow>(OUTLET_LOAD_SQL, [timeZone, date, target])).rows;
}

export interface BacklogRow {
  region_id: string | null;
  end_of_day: number;
  previous_day: number;
  week_before: number;
}

/**
 * Orders open at the end of D, D−1 and D−7, for the network (region_id null) and each region: as in the
 * service-load figure, from each order's open spans (service_order.opened / closed, kept by the workers:
 * an order with a `created` event opens at created or reopened and closes at completed, closed or
 * cancelled); its region is that of its created outlet.
 */
const BACKLOG_SQL = `
WITH per_region AS (
  SELECT ol.region_id,
         sum(x.step)::int AS end_of_day,
         coalesce(sum(x.step) FILTER (WHERE x.at < ${DAY_START(0)}), 0)::int AS previous_day,
         coalesce(sum(x.step) FILTER (WHERE x.at < ${DAY_START(-6)}), 0)::int AS week_before
  FROM service_order s
  JOIN outlet ol ON ol.outlet_id = s.home_outlet_id
  CROSS JOIN LATERAL (
    SELECT o AS at, 1 AS step FROM unnest(s.opened) AS o
    UNION ALL
    SELECT c, -1 FROM unnest(s.closed) AS c
  ) x
  WHERE cardinality(s.opened) > 0 AND x.at < ${DAY_START(1)}
  GROUP BY ol.region_id
)
SELECT NULL::text AS region_id, coalesce(sum(p.end_of_day), 0)::int AS end_of_day,
       coalesce(sum(p.previous_day), 0)::int AS previous_day, coalesce(sum(p.week_before), 0)::int AS week_before
FROM per_region p
UNION ALL
SELECT r.region_id, coalesce(p.end_of_day, 0), coalesce(p.previous_day, 0), coalesce(p.week_before, 0)
FROM region r LEFT JOIN per_region p USING (region_id)
ORDER BY region_id NULLS FIRST`;

export async function backlogTrend(db: Queryable, timeZone: string, date: string): Promise<BacklogRow[]> {
  return (await db.query<BacklogRow>(BACKLOG_SQL, [timeZone, date])).rows;
}

/**
 * Parts requests open at a moment (requested before it, neither received nor cancelled before it) whose
 * age then exceeds their target: the part's own target_days, else its source's ($3 hq_stock, $4 hq_procured).
 */
const PAST_TARGET_CTES = `
request AS (
  SELECT r.request_id, r.outlet_id, o.region_id, r.part_no, r.source, r.requested_at, r.received_at, r.cancelled_at,
         coalesce(p.target_days::float8, CASE r.source WHEN 'hq_stock' THEN $3::float8 ELSE $4::float8 END) AS target_days
  FROM parts_request r LEFT JOIN part p USING (part_no) LEFT JOIN outlet o USING (outlet_id)
  WHERE r.requested_at IS NOT NULL AND r.requested_at < ${DAY_START(1)}
    AND (r.received_at IS NULL OR r.received_at >= ${DAY_START(-6)})
    AND (r.cancelled_at IS NULL OR r.cancelled_at >= ${DAY_START(-6)})
),
moment AS (
  SELECT * FROM (VALUES ('day', ${DAY_START(1)}), ('previous_day', ${DAY_START(0)}), ('week_before', ${DAY_START(-6)})) AS m(label, at)
),
past_target AS (
  SELECT m.label, m.at, q.*
  FROM request q CROSS JOIN moment m
  WHERE q.requested_at < m.at AND NOT coalesce(q.received_at < m.at, false) AND NOT coalesce(q.cancelled_at < m.at, false)
    AND extract(epoch FROM m.at - q.requested_at)::float8 > q.target_days * 86400
)`;

export interface PastTargetCounts {
  day: number;
  previous_day: number;
  week_before: number;
  newly: number;
}

const PAST_TARGET_COUNT_SQL = `
WITH ${PAST_TARGET_CTES}
SELECT count(*) FILTER (WHERE label = 'day')::int AS day,
       count(*) FILTER (WHERE label = 'previous_day')::int AS previous_day,
       count(*) FILTER (WHERE label = 'week_before')::int AS week_before,
       count(*) FILTER (WHERE label = 'day' AND extract(epoch FROM ${DAY_START(0)} - requested_at)::float8 <= target_days * 86400)::int AS newly
FROM past_target`;

export async function pastTargetCounts(db: Queryable, timeZone: string, date: string, targets: SupplyTargets): Promise<PastTargetCounts> {
  return (await db.query<PastTargetCounts>(PAST_TARGET_COUNT_SQL, [timeZone, date, targets.hq_stock, targets.hq_procured])).rows[0]!;
}

export interface SupplyTargets {
  hq_stock: number;
  hq_procured: number;
}

export interface PastTargetRow {
  request_id: string;
  outlet_id: string;
  region_id: string | null;
  part_no: string;
  source: 'hq_stock' | 'hq_procured';
  requested_at: Date;
  age_days: number;
  target_days: number;
  newly: boolean;
}

/** The requests past target at the end of D, oldest first, at most $5. */
const PAST_TARGET_LIST_SQL = `
WITH ${PAST_TARGET_CTES}
SELECT request_id, outlet_id, region_id, part_no, source, requested_at,
       extract(epoch FROM at - requested_at)::float8 / 86400 AS age_days, target_days,
       extract(epoch FROM ${DAY_START(0)} - requested_at)::float8 <= target_days * 86400 AS newly
FROM past_target
WHERE label = 'day'
ORDER BY requested_at, request_id
LIMIT $5::int`;

export async function requestsPastTarget(db: Queryable, timeZone: string, date: string, targets: SupplyTargets): Promise<PastTargetRow[]> {
  const values = [timeZone, date, targets.hq_stock, targets.hq_procured, BRIEFING_RULES.maxListed];
  return (await db.query<PastTargetRow>(PAST_TARGET_LIST_SQL, values)).rows;
}

export interface ComplaintTallyRow {
  cause: QualityFindings['byCause'][number]['cause'];
  outlet_id: string | null;
  region_id: string | null;
  day: number;
  previous_day: number;
  trailing: number;
  spike: boolean;
}

/**
 * Complaints once per complaintId (its earliest event), on their own local day, per cause and outlet and per
 * cause in the network (outlet_id null): on D, on D−1, and in the $3 local days before D. A cause spikes at an
 * outlet when it has at least $4 complaints on D and at least $5 × its trailing daily mean.
 */
const COMPLAINT_SQL = `
WITH first_complaint AS (
  SELECT DISTINCT ON (c.complaint_id) c.complaint_id, c.at, c.outlet_id, c.cause
  FROM complaint c
  WHERE c.at < ${DAY_START(1)}
  ORDER BY c.complaint_id, c.at, c.event_id
),
recent AS (
  SELECT f.cause, f.outlet_id, $2::date - (f.at AT TIME ZONE $1::text)::date AS days_before
  FROM first_complaint f
  WHERE f.at >= ($2::date - $3::int)::timestamp AT TIME ZONE $1::text
),
tally AS (
  SELECT r.cause, r.outlet_id,
         count(*) FILTER (WHERE r.days_before = 0)::int AS day,
         count(*) FILTER (WHERE r.days_before = 1)::int AS previous_day,
         count(*) FILTER (WHERE r.days_before >= 1)::int AS trailing
  FROM recent r
  GROUP BY GROUPING SETS ((r.cause, r.outlet_id), (r.cause))
)
SELECT t.cause, t.outlet_id, o.region_id, t.day, t.previous_day, t.trailing,
       t.outlet_id IS NOT NULL AND t.day >= $4::int AND t.day >= $5::float8 * t.trailing / $3::int AS spike
FROM tally t LEFT JOIN outlet o USING (outlet_id)
ORDER BY t.outlet_id IS NOT NULL, t.day DESC, t.cause, t.outlet_id`;

export async function complaintTallies(db: Queryable, timeZone: string, date: string): Promise<ComplaintTallyRow[]> {
  const values = [timeZone, date, BRIEFING_RULES.spikeTrailingDays, BRIEFING_RULES.spikeMinComplaints, BRIEFING_RULES.spikeFactor];
  return (await db.query<ComplaintTallyRow>(COMPLAINT_SQL, values)).rows;
}

export interface OutOfRangeRow {
  device_id: string;
  model_id: string;
  outlet_id: string;
  sensor: string;
  readings: number;
  lowest: number;
  highest: number;
  range_min: number;
  range_max: number;
  first_at: Date;
  previous_day: boolean;
}

/**
 * Readings of D outside their model's sensor envelope [min, max], per device and sensor, and whether the
 * sensor was outside it on D−1 too. The bounds stay plain expressions so the planner prunes partitions.
 */
const OUT_OF_RANGE_SQL = `
SELECT d.device_id, d.device_model_id AS model_id, d.outlet_id, r.sensor,
       count(*) FILTER (WHERE r.at >= ${DAY_START(0)} AND (r.value < s.min OR r.value > s.max))::int AS readings,
       min(r.value) FILTER (WHERE r.at >= ${DAY_START(0)}) AS lowest,
       max(r.value) FILTER (WHERE r.at >= ${DAY_START(0)}) AS highest,
       s.min AS range_min, s.max AS range_max,
       min(r.at) FILTER (WHERE r.at >= ${DAY_START(0)} AND (r.value < s.min OR r.value > s.max)) AS first_at,
       coalesce(bool_or(r.at < ${DAY_START(0)} AND (r.value < s.min OR r.value > s.max)), false) AS previous_day
FROM reading r
JOIN device d USING (device_id)
JOIN device_model_sensor s ON s.device_model_id = d.device_model_id AND s.name = r.sensor
WHERE r.at >= ${DAY_START(-1)} AND r.at < ${DAY_START(1)}
GROUP BY d.device_id, d.device_model_id, d.outlet_id, r.sensor, s.min, s.max
HAVING count(*) FILTER (WHERE r.at >= ${DAY_START(0)} AND (r.value < s.min OR r.value > s.max)) > 0
ORDER BY d.device_id, r.sensor
LIMIT $3::int`;

export async function sensorsOutOfRange(db: Queryable, timeZone: string, date: string): Promise<OutOfRangeRow[]> {
  return (await db.query<OutOfRangeRow>(OUT_OF_RANGE_SQL, [timeZone, date, BRIEFING_RULES.maxListed])).rows;
}

export interface SilentDeviceRow {
  device_id: string;
  model_id: string;
  outlet_id: string;
  last_reading_at: Date;
}

/** Devices with readings on D−1 and none on D. */
const SILENT_SQL = `
SELECT d.device_id, d.device_model_id AS model_id, d.outlet_id, max(r.at) AS last_reading_at
FROM reading r JOIN device d USING (device_id)
WHERE r.at >= ${DAY_START(-1)} AND r.at < ${DAY_START(1)}
GROUP BY d.device_id, d.device_model_id, d.outlet_id
HAVING max(r.at) < ${DAY_START(0)}
ORDER BY d.device_id
LIMIT $3::int`;

export async function silentDevices(db: Queryable, timeZone: string, date: string): Promise<SilentDeviceRow[]> {
  return (await db.query<SilentDeviceRow>(SILENT_SQL, [timeZone, date, BRIEFING_RULES.maxListed])).rows;
}

export interface BriefingSection {
  department: Department;
  summary: string;
  findings: unknown;
}

/** Writes (or rewrites) the briefing of a day; returns when it was written. */
export async function upsertBriefing(db: Queryable, date: string, timeZone: string, sections: BriefingSection[]): Promise<Date> {
  const { rows } = await db.query<{ created_at: Date }>(
    `INSERT INTO briefing (date, department, time_zone, summary, findings, created_at)
     SELECT $1::date, u.department, $2::text, u.summary, u.findings::jsonb, now()
     FROM unnest($3::text[], $4::text[], $5::text[]) AS u(department, summary, findings)
     ON CONFLICT (date, department) DO UPDATE
       SET time_zone = excluded.time_zone, summary = excluded.summary, findings = excluded.findings, created_at = excluded.created_at
     RETURNING created_at`,
    [date, timeZone, sections.map((s) => s.department), sections.map((s) => s.summary), sections.map((s) => JSON.stringify(s.findings))],
  );
  return rows[0]!.created_at;
}

interface StoredBriefingRow {
  department: Department;
  time_zone: string;
  summary: string;
  findings: unknown;
  created_at: Date;
}

/** The stored briefing of a day as it is served and delivered, one department or all; null when none was written. */
export async function readBriefing(db: Queryable, date: string, department: Department | null = null): Promise<Briefing | null> {
  const { rows } = await db.query<StoredBriefingRow>(
    `SELECT department, time_zone, summary, findings, created_at FROM briefing
     WHERE date = $1::date AND ($2::text IS NULL OR department = $2::text)
     ORDER BY array_position($3::text[], department)`,
    [date, department, DEPARTMENTS],
  );
  if (rows.length === 0) return null;
  const written = Math.max(...rows.map((row) => row.created_at.getTime()));
  const departments = Object.fromEntries(rows.map((row) => [row.department, { summary: row.summary, findings: row.findings }]));
  return { date, timeZone: rows[0]!.time_zone, generatedAt: new Date(written).toISOString(), departments };
}

export async function insertBriefingDelivery(db: Queryable, delivery: Omit<BriefingDelivery, 'at'>): Promise<void> {
  await db.query(
    `INSERT INTO briefing_delivery (date, url, attempt, outcome, http_status, error)
     VALUES ($1::date, $2::text, $3::int, $4::text, $5::int, $6::text)`,
    [delivery.date, delivery.url, delivery.attempt, delivery.outcome, delivery.httpStatus, delivery.error],
  );
}

export async function listBriefingDeliveries(db: Queryable, date: string): Promise<BriefingDelivery[]> {
  const { rows } = await db.query<BriefingDelivery>(
    `SELECT to_char(date, 'YYYY-MM-DD') AS date, url, attempt, outcome, http_status AS "httpStatus", error,
            to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
     FROM briefing_delivery WHERE date = $1::date ORDER BY at, delivery_id`,
    [date],
  );
  return rows;
}

/** The briefing webhooks admins added (the `webhook` table), beside those of BRIEFING_WEBHOOKS. */
export async function listWebhookUrls(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ url: string }>('SELECT url FROM webhook ORDER BY webhook_id');
  return rows.map((row) => row.url);
}
