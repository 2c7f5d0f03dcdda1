-- The daily briefing (DESIGN.md §1): per local day of the business time zone and department,
-- the findings the workers wrote, and the log of every webhook delivery attempt.
-- Every statement is idempotent so that re-running the migrations is harmless.

CREATE TABLE IF NOT EXISTS briefing (
  date       date NOT NULL,
  department text NOT NULL CHECK (department IN ('service', 'parts', 'quality', 'engineering')),
  time_zone  text NOT NULL,
  summary    text NOT NULL,
  findings   jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (date, department)
);

-- One row per attempt, failed ones included: the receiver's owner reads why it did not arrive.
CREATE TABLE IF NOT EXISTS briefing_delivery (
  delivery_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  date        date NOT NULL,
  url         text NOT NULL,
  attempt     integer NOT NULL CHECK (attempt >= 1),
  outcome     text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
  http_status integer,
  error       text,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS briefing_delivery_date_idx ON briefing_delivery (date, at);
