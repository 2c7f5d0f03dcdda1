-- Remaining useful life of engines (DESIGN.md §6): the models trained from run-to-failure history
-- (C-MAPSS), and each engine's latest estimate, refreshed by the workers as its flights arrive.
-- Every statement is idempotent so that re-running the migrations is harmless.

-- params is the whole model as JSON (domain/src/rul/model.ts). The id derives from the training file's
-- hash and the training recipe, so a changed file or recipe trains a new model.
CREATE TABLE IF NOT EXISTS rul_model (
  model_id         text PRIMARY KEY,
  trained_at       timestamptz NOT NULL DEFAULT now(),
  training_source  text NOT NULL,
  training_sha256  text NOT NULL,
  training_rows    integer NOT NULL CHECK (training_rows > 0),
  training_seconds double precision,
  params           jsonb NOT NULL,
  rmse_note        text
);

CREATE TABLE IF NOT EXISTS device_rul (
  device_id       text PRIMARY KEY REFERENCES device ON DELETE CASCADE,
  cycles_flown    integer NOT NULL,
  rul_cycles      double precision NOT NULL,
  model_id        text NOT NULL REFERENCES rul_model ON DELETE CASCADE,
  last_reading_at timestamptz NOT NULL,
  computed_at     timestamptz NOT NULL DEFAULT now()
);
