-- The orders received in a period with their ids, so that the parts-wait cohorts (orders received in a bucket,
-- joined to the complaints naming them) are read from the index alone; it replaces the index without the id.
CREATE INDEX IF NOT EXISTS service_order_received_cohort_idx ON service_order (created_at)
  INCLUDE (order_id, home_outlet_id, home_product_line, waited_for_parts) WHERE created_at IS NOT NULL;
DROP INDEX IF EXISTS service_order_received_idx;
