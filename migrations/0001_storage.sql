-- Storage mode (DESIGN.md §3): hypertables when TimescaleDB is available,
-- declarative range partitions with a DEFAULT partition on plain PostgreSQL.
-- Every statement is idempotent so that re-running the migrations is harmless.

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') THEN
    CREATE EXTENSION IF NOT EXISTS timescaledb;
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION storage_mode() RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')
              THEN 'timescaledb' ELSE 'postgresql' END
$$;

-- The edition matters: compression and policies exist only under the Timescale licence.
CREATE OR REPLACE FUNCTION timescale_licensed() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT storage_mode() = 'timescaledb'
     AND coalesce(current_setting('timescaledb.license', true), '') = 'timescale'
$$;

-- One row per time-partitioned table: its partition (or chunk) width.
CREATE TABLE IF NOT EXISTS time_table (
  name text PRIMARY KEY,
  step interval NOT NULL
);

-- Creates a table partitioned on its `at` column in whichever mode is live.
CREATE OR REPLACE FUNCTION create_time_table(tbl text, columns text, step interval)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF storage_mode() = 'timescaledb' THEN
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I (%s)', tbl, columns);
    PERFORM create_hypertable(tbl::regclass, 'at', chunk_time_interval => step, if_not_exists => true);
  ELSE
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I (%s) PARTITION BY RANGE (at)', tbl, columns);
    EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I DEFAULT', tbl || '_default', tbl);
  END IF;
  INSERT INTO time_table (name, step) VALUES (tbl, step)
  ON CONFLICT (name) DO UPDATE SET step = excluded.step;
END
$$;

-- Start of the partition that holds `ts`: calendar months in UTC, fixed widths otherwise.
CREATE OR REPLACE FUNCTION time_partition_start(ts timestamptz, step interval)
RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN step = interval '1 month'
              THEN date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
              ELSE date_bin(step, ts, timestamptz '2000-01-03 00:00+00') END
$$;

-- Plain mode only: creates the partition starting at `lo`, moving in any rows the
-- DEFAULT partition holds for its range (a late or early event parked there).
CREATE OR REPLACE FUNCTION create_time_partition(tbl text, lo timestamptz)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  step interval := (SELECT t.step FROM time_table t WHERE t.name = tbl);
  hi timestamptz := lo + step;
  part text := format('%s_p%s', tbl, to_char(lo AT TIME ZONE 'UTC', 'YYYYMMDD'));
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, tbl);
  EXECUTE format(
    'WITH moved AS (DELETE FROM %I WHERE at >= $1 AND at < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
    tbl || '_default', part) USING lo, hi;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', tbl, part, lo, hi);
  RETURN true;
END
$$;

-- Scheduled by the workers: partitions for the coming `ahead` steps and for every
-- step the DEFAULT partitions hold rows of. Returns the number of partitions created.
CREATE OR REPLACE FUNCTION maintain_time_partitions(ahead integer, now_ts timestamptz DEFAULT now())
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  t record;
  lo timestamptz;
  created integer := 0;
BEGIN
  IF storage_mode() = 'timescaledb' THEN
    RETURN 0;
  END IF;
  FOR t IN SELECT name, step FROM time_table ORDER BY name LOOP
    FOR i IN 0..ahead LOOP
      lo := time_partition_start(now_ts + t.step * i, t.step);
      IF create_time_partition(t.name, lo) THEN created := created + 1; END IF;
    END LOOP;
    FOR lo IN EXECUTE format(
      'SELECT DISTINCT time_partition_start(at, $1) FROM %I ORDER BY 1', t.name || '_default') USING t.step
    LOOP
      IF create_time_partition(t.name, lo) THEN created := created + 1; END IF;
    END LOOP;
  END LOOP;
  RETURN created;
END
$$;

-- Retention: drops whole partitions (or chunks) that end before `older_than`.
CREATE OR REPLACE FUNCTION drop_time_partitions(tbl text, older_than timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  p record;
  dropped integer := 0;
BEGIN
  IF storage_mode() = 'timescaledb' THEN
    EXECUTE 'SELECT count(*) FROM drop_chunks($1::regclass, older_than => $2)' INTO dropped USING tbl, older_than;
    RETURN dropped;
  END IF;
  FOR p IN
    SELECT c.relname AS name,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz AS hi
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = tbl::regclass
  LOOP
    IF p.hi IS NOT NULL AND p.hi <= older_than THEN
      EXECUTE format('DROP TABLE %I', p.name);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  RETURN dropped;
END
$$;
