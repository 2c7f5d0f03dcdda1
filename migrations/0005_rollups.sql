-- Rollups for the figures of DESIGN.md §5 (docs/architecture.md, "Rollups").
--
-- Every service figure needs per-order state that a continuous aggregate cannot express (an order
-- counts once, at its first `created`; completions count once per order and bucket; backlog follows
-- each order's open spans), and complaints count once per complaintId. So in both storage modes the
-- workers keep per-entity facts (service_order, complaint_state) and, from the change in each
-- entity's facts, add the difference to rollup tables bucketed by local day, week and month of the
-- business time zone recorded in rollup_state. A late or duplicate event changes an entity's facts,
-- and the rollup rows of exactly the buckets those facts fall in.

-- Per-order facts, recomputed from all of an order's events by the workers.
ALTER TABLE service_order
  ADD COLUMN IF NOT EXISTS home_outlet_id     text,
  ADD COLUMN IF NOT EXISTS home_product_line  text,
  ADD COLUMN IF NOT EXISTS first_completed_at timestamptz,
  ADD COLUMN IF NOT EXISTS completions        timestamptz[],
  ADD COLUMN IF NOT EXISTS first_time_fix     boolean,
  ADD COLUMN IF NOT EXISTS opened             timestamptz[],
  ADD COLUMN IF NOT EXISTS closed             timestamptz[],
  ADD COLUMN IF NOT EXISTS waited_for_parts   boolean;
COMMENT ON COLUMN service_order.home_outlet_id IS 'outlet of the first created event (of the first event without one): where the order counts';
COMMENT ON COLUMN service_order.opened IS 'starts of the spans in which the order was open (created or reopened after being closed)';
COMMENT ON COLUMN service_order.closed IS 'ends of those spans (completed, closed or cancelled while open), in order';

-- A complaint as its first event tells it; a complaint logged twice is one complaint.
CREATE TABLE IF NOT EXISTS complaint_state (
  complaint_id text PRIMARY KEY,
  event_id     text NOT NULL,
  at           timestamptz NOT NULL,
  outlet_id    text NOT NULL,
  product_line text NOT NULL,
  cause        text NOT NULL,
  order_id     text
);
CREATE INDEX IF NOT EXISTS complaint_state_order_idx ON complaint_state (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS complaint_state_at_idx ON complaint_state (at);
CREATE INDEX IF NOT EXISTS complaint_complaint_idx ON complaint (complaint_id, at);


-- The time zone the rollups are bucketed in; the workers rebuild them when the setting changes.
CREATE TABLE IF NOT EXISTS rollup_state (
  name      text PRIMARY KEY,
  time_zone text NOT NULL,
  built_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS service_load_rollup (
  grain               text NOT NULL CHECK (grain IN ('day', 'week', 'month')),
  bucket              date NOT NULL,
  outlet_id           text NOT NULL,
  product_line        text NOT NULL,
  received            integer NOT NULL DEFAULT 0,
  completed           integer NOT NULL DEFAULT 0,
  first_time_fixes    integer NOT NULL DEFAULT 0,
  backlog_delta       integer NOT NULL DEFAULT 0,
  turnaround_hours    double precision NOT NULL DEFAULT 0,
  turnaround_count    integer NOT NULL DEFAULT 0,
  waited_for_parts    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (grain, bucket, outlet_id, product_line)
);
COMMENT ON COLUMN service_load_rollup.backlog_delta IS 'orders opened minus orders closed in the bucket: backlog at a bucket end is the sum up to it';
COMMENT ON COLUMN service_load_rollup.turnaround_hours IS 'sum of first completion − created, in hours, of the orders first completed in the bucket';
COMMENT ON COLUMN service_load_rollup.waited_for_parts IS 'orders received in the bucket that requested parts';

CREATE TABLE IF NOT EXISTS complaint_rollup (
  grain        text NOT NULL CHECK (grain IN ('day', 'week', 'month')),
  bucket       date NOT NULL,
  outlet_id    text NOT NULL,
  product_line text NOT NULL,
  cause        text NOT NULL,
  complaints   integer NOT NULL DEFAULT 0,
  PRIMARY KEY (grain, bucket, outlet_id, product_line, cause)
);

-- What one order adds to service_load_rollup, for every grain, from its facts.
CREATE OR REPLACE FUNCTION service_load_contribution(
  tz text, outlet text, line text, created timestamptz, completions timestamptz[],
  first_time_fix boolean, opened timestamptz[], closed timestamptz[], waited boolean)
RETURNS TABLE (grain text, bucket date, outlet_id text, product_line text, received integer, completed integer,
               first_time_fixes integer, backlog_delta integer, turnaround_hours double precision,
               turnaround_count integer, waited_for_parts integer)
LANGUAGE sql STABLE AS $$
  SELECT g.grain, x.bucket, outlet, line, sum(x.received)::int, sum(x.completed)::int, sum(x.first_time_fixes)::int,
         sum(x.backlog_delta)::int, sum(x.turnaround_hours), sum(x.turnaround_count)::int, sum(x.waited)::int
  FROM unnest(ARRAY['day', 'week', 'month']) AS g(grain)
  CROSS JOIN LATERAL (
    SELECT date_trunc(g.grain, created AT TIME ZONE tz)::date AS bucket, 1 AS received, 0 AS completed, 0 AS first_time_fixes,
           0 AS backlog_delta, 0::float8 AS turnaround_hours, 0 AS turnaround_count, coalesce(waited, false)::int AS waited
    WHERE created IS NOT NULL
    UNION ALL
    SELECT DISTINCT date_trunc(g.grain, c AT TIME ZONE tz)::date, 0, 1, coalesce(first_time_fix, false)::int, 0, 0, 0, 0
    FROM unnest(completions) AS c
    UNION ALL
    SELECT date_trunc(g.grain, completions[1] AT TIME ZONE tz)::date, 0, 0, 0, 0,
           extract(epoch FROM completions[1] - created)::float8 / 3600, 1, 0
    WHERE created IS NOT NULL AND cardinality(completions) > 0
    UNION ALL
    SELECT date_trunc(g.grain, o AT TIME ZONE tz)::date, 0, 0, 0, 1, 0, 0, 0 FROM unnest(opened) AS o
    UNION ALL
    SELECT date_trunc(g.grain, c AT TIME ZONE tz)::date, 0, 0, 0, -1, 0, 0, 0 FROM unnest(closed) AS c
  ) x
  GROUP BY g.grain, x.bucket
$$;

-- What one complaint adds to complaint_rollup, for every grain.
CREATE OR REPLACE FUNCTION complaint_contribution(tz text, happened timestamptz, outlet text, line text, complaint_cause text)
RETURNS TABLE (grain text, bucket date, outlet_id text, product_line text, cause text, complaints integer)
LANGUAGE sql STABLE AS $$
  SELECT g.grain, date_trunc(g.grain, happened AT TIME ZONE tz)::date, outlet, line, complaint_cause, 1
  FROM unnest(ARRAY['day', 'week', 'month']) AS g(grain)
$$;

-- Orders waiting for parts as of a moment: those with no later event are as service_order says
-- (server/src/repositories/kpi/parts.ts); the figures' other indexes are in 0009_kpi_indexes.sql.
CREATE INDEX IF NOT EXISTS service_order_last_event_idx ON service_order (last_event_at);
