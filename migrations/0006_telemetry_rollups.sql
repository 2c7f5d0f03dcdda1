-- Telemetry rollups (DESIGN.md §3, §6): min, max, sum, count, first and last reading time of each
-- device, sensor and 10-minute (reading_10m) or hour (reading_1h) bucket, aligned as time_bucket
-- aligns them. A series request reads these instead of millions of raw readings: 30 days are 720
-- hourly rows per sensor. Both relations have the same name and columns in every mode:
--   * TimescaleDB with the Timescale licence: continuous aggregates over `reading`, real time
--     (materialized_only = false: readings newer than the last refresh count at once), refreshed by
--     policy. Created WITH NO DATA, which is allowed inside the migration's transaction.
--   * plain PostgreSQL, and TimescaleDB's Apache edition (no continuous aggregates there): tables the
--     workers keep. Upserting every bucket a job touches costs more than storing the readings when
--     jobs hold one reading per sensor (a fleet reporting each minute), so the writer only marks the
--     device's 10-minute buckets pending (reading_rollup_pending, a few rows per job), and a job
--     scheduled every minute rolls up a bucket into reading_10m once the device has reported past
--     its end, and its hour into reading_1h once past the hour (flush_reading_rollups). Readers take a bucket not rolled up yet
--     from the raw readings, and an hour with pending buckets from its 10-minute rows, as
--     TimescaleDB's real-time aggregates do.

DO $$
DECLARE
  grain record;
BEGIN
  -- An hourly row is rewritten at each of its 10-minute flushes: room on its page for the new
  -- versions (fillfactor) keeps those updates HOT.
  FOR grain IN SELECT * FROM (VALUES ('reading_10m', interval '10 minutes', interval '5 minutes', 100),
                                     ('reading_1h', interval '1 hour', interval '10 minutes', 70)) AS g(name, width, every, fill) LOOP
    IF to_regclass(grain.name) IS NOT NULL THEN
      CONTINUE;
    END IF;
    IF timescale_licensed() THEN
      EXECUTE format($view$
        CREATE MATERIALIZED VIEW %I WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
        SELECT device_id, sensor, time_bucket(%L::interval, at) AS bucket,
               min(value) AS min, max(value) AS max, sum(value) AS sum, count(*) AS count, min(at) AS first_at, max(at) AS last_at
        FROM reading GROUP BY device_id, sensor, time_bucket(%L::interval, at)
        WITH NO DATA$view$, grain.name, grain.width, grain.width);
      -- No start offset: a late reading, however old, is re-aggregated at the next refresh.
      PERFORM add_continuous_aggregate_policy(grain.name::regclass, start_offset => NULL, end_offset => grain.width,
        schedule_interval => grain.every, if_not_exists => true);
    ELSE
      EXECUTE format($table$
        CREATE TABLE %I (
          device_id text NOT NULL,
          sensor    text NOT NULL,
          bucket    timestamptz NOT NULL,
          min       double precision NOT NULL,
          max       double precision NOT NULL,
          sum       double precision NOT NULL,
          count     bigint NOT NULL,
          first_at  timestamptz NOT NULL,
          last_at   timestamptz NOT NULL,
          PRIMARY KEY (device_id, sensor, bucket)
        ) WITH (fillfactor = %s)$table$, grain.name, grain.fill);
      -- Readings stored before this migration: rolled up once, here.
      EXECUTE format($fill$
        INSERT INTO %I (device_id, sensor, bucket, min, max, sum, count, first_at, last_at)
        SELECT device_id, sensor, date_bin(%L::interval, at, timestamptz '2000-01-03 00:00+00'),
               min(value), max(value), sum(value), count(*), min(at), max(at)
        FROM reading GROUP BY 1, 2, 3$fill$, grain.name, grain.width);
    END IF;
  END LOOP;
END
$$;

-- 10-minute buckets of a device holding readings not yet in reading_1h; `rolled`: already in
-- reading_10m (plain mode; always empty where TimescaleDB keeps the rollups).
CREATE TABLE IF NOT EXISTS reading_rollup_pending (
  device_id text NOT NULL,
  bucket    timestamptz NOT NULL,
  rolled    boolean NOT NULL DEFAULT false,
  PRIMARY KEY (device_id, bucket)
);

-- 'table' when the workers keep the rollups, 'continuous_aggregate' when TimescaleDB does.
CREATE OR REPLACE FUNCTION reading_rollup_kind() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN relkind IN ('r', 'p') THEN 'table' ELSE 'continuous_aggregate' END
  FROM pg_class WHERE oid = 'reading_10m'::regclass
$$;

-- Rolls up the pending buckets of the given devices that end by the device's `until`, from the raw
-- readings of the device model's sensors, into reading_10m; then the hours that end by `until` and
-- have every bucket rolled, from reading_10m into reading_1h, dropping their marks. One flusher per
-- device at a time (an advisory lock: waited for, or with `wait` false the device is skipped); a
-- mark still locked by a writer that has not committed is skipped (SKIP LOCKED) and stays pending,
-- and a writer that marks a bucket after this read marks it pending again: no reading is missed.
-- Returns the buckets rolled up.
CREATE OR REPLACE FUNCTION flush_reading_rollups(device_ids text[], untils timestamptz[], wait boolean)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  dev record;
  ids text[] := '{}';
  ends timestamptz[] := '{}';
  done_ids text[];
  done_buckets timestamptz[];
  hour_ids text[];
  hours timestamptz[];
BEGIN
  IF reading_rollup_kind() <> 'table' THEN
    RETURN 0;
  END IF;
  FOR dev IN SELECT d, max(u) AS u FROM unnest(device_ids, untils) AS x(d, u) GROUP BY d ORDER BY d LOOP
    IF wait THEN
      PERFORM pg_advisory_xact_lock(hashtextextended('reading_rollups:' || dev.d, 0));
    ELSIF NOT pg_try_advisory_xact_lock(hashtextextended('reading_rollups:' || dev.d, 0)) THEN
      CONTINUE;
    END IF;
    ids := ids || dev.d;
    ends := ends || dev.u;
  END LOOP;

  WITH due AS (
    SELECT p.device_id, p.bucket FROM reading_rollup_pending p JOIN unnest(ids, ends) AS x(d, u)
      ON p.device_id = x.d AND p.bucket <= x.u - interval '10 minutes' AND NOT p.rolled
    ORDER BY 1, 2 FOR UPDATE OF p SKIP LOCKED
  ), rolled AS (
    UPDATE reading_rollup_pending p SET rolled = true FROM due WHERE p.device_id = due.device_id AND p.bucket = due.bucket
    RETURNING p.device_id, p.bucket
  )
  SELECT array_agg(device_id), array_agg(bucket) INTO done_ids, done_buckets FROM rolled;

  -- LATERAL: one index range scan per device, sensor and bucket, never a scan of the whole table.
  INSERT INTO reading_10m AS t (device_id, sensor, bucket, min, max, sum, count, first_at, last_at)
  SELECT f.d, s.name, f.b, a.min, a.max, a.sum, a.count, a.first_at, a.last_at
  FROM unnest(done_ids, done_buckets) AS f(d, b)
  JOIN device dv ON dv.device_id = f.d
  JOIN device_model_sensor s ON s.device_model_id = dv.device_model_id
  CROSS JOIN LATERAL (
    SELECT min(r.value) AS min, max(r.value) AS max, sum(r.value) AS sum, count(*) AS count, min(r.at) AS first_at, max(r.at) AS last_at
    FROM reading r WHERE r.device_id = f.d AND r.sensor = s.name AND r.at >= f.b AND r.at < f.b + interval '10 minutes'
  ) a
  WHERE a.count > 0
  ORDER BY 1, 2, 3
  ON CONFLICT (device_id, sensor, bucket) DO UPDATE
    SET min = excluded.min, max = excluded.max, sum = excluded.sum, count = excluded.count,
        first_at = excluded.first_at, last_at = excluded.last_at;

  -- Hours past `until` whose buckets are all rolled and not locked by a writer that has not committed.
  WITH marks AS (
    SELECT p.device_id, p.bucket, p.rolled, date_bin('1 hour', p.bucket, timestamptz '2000-01-03 00:00+00') AS hour
    FROM reading_rollup_pending p JOIN unnest(ids, ends) AS x(d, u)
      ON p.device_id = x.d AND date_bin('1 hour', p.bucket, timestamptz '2000-01-03 00:00+00') + interval '1 hour' <= x.u
    ORDER BY 1, 2 FOR UPDATE OF p SKIP LOCKED
  ), whole AS (
    SELECT device_id, hour FROM marks GROUP BY 1, 2
    HAVING bool_and(rolled) AND count(*) = (
      SELECT count(*) FROM reading_rollup_pending q
      WHERE q.device_id = marks.device_id AND q.bucket >= marks.hour AND q.bucket < marks.hour + interval '1 hour')
  ), gone AS (
    DELETE FROM reading_rollup_pending p USING whole
    WHERE p.device_id = whole.device_id AND p.bucket >= whole.hour AND p.bucket < whole.hour + interval '1 hour'
    RETURNING p.device_id, date_bin('1 hour', p.bucket, timestamptz '2000-01-03 00:00+00') AS hour
  )
  SELECT array_agg(device_id), array_agg(hour) INTO hour_ids, hours FROM (SELECT DISTINCT device_id, hour FROM gone) g;

  INSERT INTO reading_1h AS t (device_id, sensor, bucket, min, max, sum, count, first_at, last_at)
  SELECT h.d, s.name, h.hour, a.min, a.max, a.sum, a.count, a.first_at, a.last_at
  FROM unnest(hour_ids, hours) AS h(d, hour)
  JOIN device dv ON dv.device_id = h.d
  JOIN device_model_sensor s ON s.device_model_id = dv.device_model_id
  CROSS JOIN LATERAL (
    SELECT min(m.min) AS min, max(m.max) AS max, sum(m.sum) AS sum, sum(m.count) AS count, min(m.first_at) AS first_at, max(m.last_at) AS last_at
    FROM reading_10m m WHERE m.device_id = h.d AND m.sensor = s.name AND m.bucket >= h.hour AND m.bucket < h.hour + interval '1 hour'
  ) a
  WHERE a.count > 0
  ORDER BY 1, 2, 3
  ON CONFLICT (device_id, sensor, bucket) DO UPDATE
    SET min = excluded.min, max = excluded.max, sum = excluded.sum, count = excluded.count,
        first_at = excluded.first_at, last_at = excluded.last_at;
  RETURN coalesce(cardinality(done_ids), 0) + coalesce(cardinality(hour_ids), 0);
END
$$;
-- Operating cost per device (GET /api/v1/devices/:id/cost): its orders, and their parts requests.
CREATE INDEX IF NOT EXISTS service_order_device_idx ON service_order (device_id, created_at) WHERE device_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS parts_request_order_idx ON parts_request (order_id) WHERE order_id IS NOT NULL;
