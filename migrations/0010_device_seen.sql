-- When each device last reported, kept by the telemetry writer (one row per device a job wrote), so that
-- the fleet list does not search the readings.
CREATE TABLE IF NOT EXISTS device_seen (
  device_id    text PRIMARY KEY,
  last_seen_at timestamptz NOT NULL
);
INSERT INTO device_seen (device_id, last_seen_at)
SELECT d.device_id, s.at
FROM device d CROSS JOIN LATERAL (SELECT max(r.at) AS at FROM reading r WHERE r.device_id = d.device_id) s
WHERE s.at IS NOT NULL
ON CONFLICT (device_id) DO NOTHING;
