-- The four fact streams (DESIGN.md §4), partitioned on event time `at`.
-- Keys include `at` (both hypertables and partitioned tables require it); the
-- workers also skip an event whose event_id is already stored, so a duplicate
-- delivery is stored once even if a client changed its time.

SELECT create_time_table('service_order_event', $$
  event_id      text NOT NULL,
  order_id      text NOT NULL,
  type          text NOT NULL,
  at            timestamptz NOT NULL,
  outlet_id     text NOT NULL,
  product_line  text NOT NULL,
  technician_id text,
  customer_id   text,
  device_id     text,
  channel       text,
  labor_cost    numeric(12, 2),
  note          text,
  received_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, at)
$$, interval '1 month');
CREATE INDEX IF NOT EXISTS service_order_event_event_idx ON service_order_event (event_id);
CREATE INDEX IF NOT EXISTS service_order_event_order_idx ON service_order_event (order_id, at);

SELECT create_time_table('parts_request_event', $$
  event_id     text NOT NULL,
  request_id   text NOT NULL,
  type         text NOT NULL,
  at           timestamptz NOT NULL,
  outlet_id    text NOT NULL,
  part_no      text NOT NULL,
  quantity     integer NOT NULL,
  source       text NOT NULL,
  order_id     text,
  unit_cost    numeric(12, 2),
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, at)
$$, interval '1 month');
CREATE INDEX IF NOT EXISTS parts_request_event_event_idx ON parts_request_event (event_id);
CREATE INDEX IF NOT EXISTS parts_request_event_request_idx ON parts_request_event (request_id, at);

SELECT create_time_table('complaint', $$
  event_id     text NOT NULL,
  complaint_id text NOT NULL,
  at           timestamptz NOT NULL,
  outlet_id    text NOT NULL,
  product_line text NOT NULL,
  cause        text NOT NULL,
  order_id     text,
  channel      text,
  severity     text,
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, at)
$$, interval '1 month');
CREATE INDEX IF NOT EXISTS complaint_event_idx ON complaint (event_id);
CREATE INDEX IF NOT EXISTS complaint_order_idx ON complaint (order_id);

-- One row per sensor value; a duplicate reading (same device, sensor, time) is stored once.
SELECT create_time_table('reading', $$
  device_id text NOT NULL,
  sensor    text NOT NULL,
  at        timestamptz NOT NULL,
  value     double precision NOT NULL,
  PRIMARY KEY (device_id, sensor, at)
$$, interval '7 days');

-- Old raw telemetry: compressed after a week and dropped after two years on the
-- Timescale-licensed edition; elsewhere the workers drop old partitions or chunks.
DO $$
BEGIN
  IF timescale_licensed() THEN
    IF NOT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                   WHERE hypertable_name = 'reading' AND compression_enabled) THEN
      ALTER TABLE reading SET (timescaledb.compress,
        timescaledb.compress_segmentby = 'device_id, sensor',
        timescaledb.compress_orderby = 'at');
    END IF;
    PERFORM add_compression_policy('reading', interval '7 days', if_not_exists => true);
    PERFORM add_retention_policy('reading', interval '730 days', if_not_exists => true);
  END IF;
END
$$;

-- Current state, recomputed by the workers from all events of the ids a batch touched,
-- so the result does not depend on the order in which events arrive.
CREATE TABLE IF NOT EXISTS service_order (
  order_id            text PRIMARY KEY,
  status              text NOT NULL,
  outlet_id           text NOT NULL,
  product_line        text NOT NULL,
  technician_id       text,
  customer_id         text,
  device_id           text,
  channel             text,
  created_at          timestamptz,
  completed_at        timestamptz,
  closed_at           timestamptz,
  cancelled_at        timestamptz,
  waiting_parts_since timestamptz,
  visits              integer NOT NULL,
  reopened            integer NOT NULL,
  labor_cost          numeric(12, 2),
  last_event_at       timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS service_order_outlet_idx ON service_order (outlet_id);
CREATE INDEX IF NOT EXISTS service_order_waiting_idx ON service_order (waiting_parts_since)
  WHERE waiting_parts_since IS NOT NULL;

CREATE TABLE IF NOT EXISTS parts_request (
  request_id    text PRIMARY KEY,
  status        text NOT NULL,
  outlet_id     text NOT NULL,
  part_no       text NOT NULL,
  quantity      integer NOT NULL,
  source        text NOT NULL,
  order_id      text,
  unit_cost     numeric(12, 2),
  requested_at  timestamptz,
  shipped_at    timestamptz,
  received_at   timestamptz,
  cancelled_at  timestamptz,
  last_event_at timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS parts_request_outlet_idx ON parts_request (outlet_id);
CREATE INDEX IF NOT EXISTS parts_request_open_idx ON parts_request (requested_at)
  WHERE status IN ('requested', 'shipped');

-- Where a type ranks in the lifecycle: breaks ties between events with the same time.
CREATE OR REPLACE FUNCTION service_order_event_rank(type text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT array_position(ARRAY['created', 'assigned', 'visit_started', 'parts_requested',
    'parts_received', 'completed', 'reopened', 'closed', 'cancelled'], type)
$$;

CREATE OR REPLACE FUNCTION parts_request_event_rank(type text) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
  SELECT array_position(ARRAY['requested', 'shipped', 'received', 'cancelled'], type)
$$;
