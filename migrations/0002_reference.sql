-- Reference data (DESIGN.md §4): upserted by id through the API.

CREATE TABLE IF NOT EXISTS region (
  region_id  text PRIMARY KEY,
  name       text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS outlet (
  outlet_id   text PRIMARY KEY,
  name        text NOT NULL,
  region_id   text NOT NULL REFERENCES region,
  technicians integer NOT NULL CHECK (technicians >= 0),
  lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon         double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS outlet_region_idx ON outlet (region_id);

CREATE TABLE IF NOT EXISTS product_line (
  product_line_id text PRIMARY KEY,
  name            text NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- target_days overrides the per-source supply-cycle target when set.
CREATE TABLE IF NOT EXISTS part (
  part_no     text PRIMARY KEY,
  name        text NOT NULL,
  source      text NOT NULL CHECK (source IN ('hq_stock', 'hq_procured')),
  unit_cost   numeric(12, 2) NOT NULL CHECK (unit_cost >= 0),
  target_days numeric(6, 2) CHECK (target_days > 0),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS device_model (
  device_model_id text PRIMARY KEY,
  name            text NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- A sensor's normal envelope is [min, max] in its unit.
CREATE TABLE IF NOT EXISTS device_model_sensor (
  device_model_id text NOT NULL REFERENCES device_model ON DELETE CASCADE,
  name            text NOT NULL,
  unit            text NOT NULL,
  min             double precision NOT NULL,
  max             double precision NOT NULL,
  PRIMARY KEY (device_model_id, name),
  CHECK (min <= max)
);

CREATE TABLE IF NOT EXISTS device (
  device_id       text PRIMARY KEY,
  device_model_id text NOT NULL REFERENCES device_model,
  outlet_id       text NOT NULL REFERENCES outlet,
  customer_id     text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS device_outlet_idx ON device (outlet_id);

-- API keys: only a SHA-256 of the secret is kept; `regions` NULL means all regions.
CREATE TABLE IF NOT EXISTS api_key (
  api_key_id  text PRIMARY KEY,
  name        text NOT NULL,
  secret_hash bytea NOT NULL,
  scopes      text[] NOT NULL,
  regions     text[],
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
