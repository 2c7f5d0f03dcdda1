-- Covering indexes for the figures that need every value of a period (exact percentiles of
-- turnaround and supply cycle): read from the index alone instead of visiting each row.
CREATE INDEX IF NOT EXISTS service_order_turnaround_idx ON service_order (first_completed_at)
  INCLUDE (created_at, home_outlet_id, home_product_line) WHERE created_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS parts_request_cycle_idx ON parts_request (received_at)
  INCLUDE (requested_at, source, outlet_id, part_no) WHERE received_at IS NOT NULL AND requested_at IS NOT NULL;
-- Orders received in a period, with what the parts-wait link needs of them.
CREATE INDEX IF NOT EXISTS service_order_received_idx ON service_order (created_at)
  INCLUDE (home_outlet_id, home_product_line, waited_for_parts) WHERE created_at IS NOT NULL;
-- Parts requests open now (never received nor cancelled), and those with events after a moment.
CREATE INDEX IF NOT EXISTS parts_request_unanswered_idx ON parts_request (requested_at)
  WHERE received_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX IF NOT EXISTS parts_request_last_event_idx ON parts_request (last_event_at);
