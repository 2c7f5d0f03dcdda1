-- Telemetry alarms (DESIGN.md §6): rules per device model and sensor, the alarms they raise per device,
-- and an audit trail of who did what to each alarm. Every statement is idempotent.

CREATE TABLE IF NOT EXISTS alarm_rule (
  rule_id                text PRIMARY KEY,
  device_model_id        text NOT NULL REFERENCES device_model,
  sensor                 text NOT NULL,
  kind                   text NOT NULL CHECK (kind IN ('limit', 'rate', 'drift', 'stale')),
  params                 jsonb NOT NULL,
  severity               text NOT NULL CHECK (severity IN ('warning', 'critical')),
  escalate_after_seconds integer CHECK (escalate_after_seconds > 0),
  create_service_order   boolean NOT NULL DEFAULT false,
  -- The product line of the proactive service orders the rule creates.
  product_line           text,
  enabled                boolean NOT NULL DEFAULT true,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK (NOT create_service_order OR product_line IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS alarm_rule_model_idx ON alarm_rule (device_model_id) WHERE enabled;

-- opened_at and last_triggered_at are wall-clock times of the system; reading_at is the event time
-- of the reading that last tripped the rule (for staleness: the last reading heard).
CREATE TABLE IF NOT EXISTS alarm (
  alarm_id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule_id                text NOT NULL REFERENCES alarm_rule ON DELETE CASCADE,
  device_id              text NOT NULL,
  sensor                 text NOT NULL,
  kind                   text NOT NULL,
  severity               text NOT NULL CHECK (severity IN ('warning', 'critical')),
  status                 text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  opened_at              timestamptz NOT NULL DEFAULT now(),
  last_triggered_at      timestamptz NOT NULL DEFAULT now(),
  trigger_count          integer NOT NULL DEFAULT 1,
  value                  double precision,
  reading_at             timestamptz,
  message                text NOT NULL,
  acknowledged_by        text,
  acknowledged_at        timestamptz,
  resolved_by            text,
  resolved_at            timestamptz,
  escalated_at           timestamptz,
  service_order_id       text,
  -- Set once the proactive order's created event is in the service-orders queue.
  service_order_queued_at timestamptz
);
-- One open (or acknowledged) alarm per rule and device: a repeat updates it.
CREATE UNIQUE INDEX IF NOT EXISTS alarm_open_idx ON alarm (rule_id, device_id) WHERE status <> 'resolved';
CREATE INDEX IF NOT EXISTS alarm_device_idx ON alarm (device_id, opened_at);
CREATE INDEX IF NOT EXISTS alarm_status_idx ON alarm (status, opened_at);
CREATE INDEX IF NOT EXISTS alarm_order_pending_idx ON alarm (alarm_id)
  WHERE service_order_id IS NOT NULL AND service_order_queued_at IS NULL;

CREATE TABLE IF NOT EXISTS alarm_event (
  alarm_event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alarm_id       bigint NOT NULL REFERENCES alarm ON DELETE CASCADE,
  at             timestamptz NOT NULL DEFAULT now(),
  action         text NOT NULL CHECK (action IN ('opened', 'repeated', 'escalated', 'service_order', 'acknowledged', 'resolved')),
  actor          text NOT NULL,
  detail         jsonb
);
CREATE INDEX IF NOT EXISTS alarm_event_alarm_idx ON alarm_event (alarm_id, at);
