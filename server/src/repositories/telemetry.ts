import {
  bucketWidth, lttb, LTTB_MIN_POINTS, type DeviceCost, type RawPoint, type SensorSeries, type Series, type SeriesPoint,
} from '@servicetower/domain';
import { inTransaction, type Pool } from '@servicetower/workers';
import { ratio } from './kpi/scope.js';

/**
 * A device's telemetry for the query API: downsampled series and operating cost.
 *
 * How a series is answered, per sensor, for [from, to) and maxPoints N:
 * 1. The rollup grain is 10m when the requested sensors' 10-minute rows over the range stay within
 *    ROLLUP_ROW_BUDGET, else 1h (30 days of 20 sensors: 14,400 hourly rows). Its rows are merged in
 *    SQL into buckets of the smallest multiple of the grain that gives at most N buckets, aligned on
 *    `from` floored to the grain (so the first bucket may start before `from`, the last end after `to`).
 *    Buckets not rolled up yet (reading_rollup_pending, plain PostgreSQL) are taken from the raw readings.
 * 2. Their counts tell how many raw readings the sensor has there (at least as many as in [from, to)):
 *    at most N: every raw reading ('raw'); at most LTTB_FACTOR × N, and within the request's raw
 *    budget: the raw readings sampled by extremes-keeping LTTB ('lttb'); else the buckets ('10m', '1h').
 * Either way at most N points, and every minimum and maximum is in them.
 */
const ROLLUP_ROW_BUDGET = 20_000;
const RAW_ROW_BUDGET = 60_000;
const LTTB_FACTOR = 10;
const GRAINS = { '10m': 600_000, '1h': 3_600_000 } as const;
type Grain = keyof typeof GRAINS;

export interface SeriesDevice {
  deviceId: string;
  modelId: string;
  /** The model's sensors, by name. */
  sensors: Map<string, string>;
}

/** The device and its model's sensors (name → unit), or null when there is none the key may see. */
export async function findSeriesDevice(db: Pool, deviceId: string, regions: string[] | null): Promise<SeriesDevice | null> {
  const { rows } = await db.query<{ model_id: string; sensors: Array<{ name: string; unit: string }> }>(
    `SELECT d.device_model_id AS model_id,
            coalesce((SELECT json_agg(json_build_object('name', s.name, 'unit', s.unit) ORDER BY s.name)
                      FROM device_model_sensor s WHERE s.device_model_id = d.device_model_id), '[]') AS sensors
     FROM device d JOIN outlet o ON o.outlet_id = d.outlet_id
     WHERE d.device_id = $1::text AND ($2::text[] IS NULL OR o.region_id = ANY($2::text[]))`,
    [deviceId, regions],
  );
  const row = rows[0];
  return row ? { deviceId, modelId: row.model_id, sensors: new Map(row.sensors.map((s) => [s.name, s.unit])) } : null;
}

export interface SeriesRequest {
  deviceId: string;
  sensors: Array<{ name: string; unit: string }>;
  from: Date;
  to: Date;
  maxPoints: number;
}

/** One sensor's buckets: how many readings they hold, and their points as JSON text in the response's shape. */
interface BucketsRow {
  sensor: string;
  readings: number;
  points: string;
}

/** A sensor's series as read: bucket points stay the JSON text PostgreSQL wrote (see seriesJson). */
export type ReadSensorSeries = Omit<SensorSeries, 'points'> & ({ points: RawPoint[] } | { pointsJson: string });

/**
 * The response body as JSON text. Bucket points are spliced in as PostgreSQL wrote them: 30 days of 20
 * sensors are 14,400 points, and parsing them into objects only to write them out again took longer than
 * reading them.
 */
export function seriesJson(head: Omit<Series, 'series'>, series: readonly ReadSensorSeries[]): string {
  const items = series.map((item) => {
    const { points, pointsJson, ...meta } = item as ReadSensorSeries & { points?: RawPoint[]; pointsJson?: string };
    return `${JSON.stringify(meta).slice(0, -1)},"points":${pointsJson ?? JSON.stringify(points)}}`;
  });
  return `${JSON.stringify(head).slice(0, -1)},"series":[${items.join(',')}]}`;
}

export async function readSeries(db: Pool, request: SeriesRequest): Promise<ReadSensorSeries[]> {
  const { deviceId, sensors, from, to, maxPoints } = request;
  const names = sensors.map((s) => s.name);
  const span = to.getTime() - from.getTime();
  const grain: Grain = Math.ceil(span / GRAINS['10m']) * names.length <= ROLLUP_ROW_BUDGET ? '10m' : '1h';
  const grainMs = GRAINS[grain];
  const origin = new Date(Math.floor(from.getTime() / grainMs) * grainMs);
  const end = new Date(Math.ceil(to.getTime() / grainMs) * grainMs);
  const width = bucketWidth(from.getTime(), to.getTime(), maxPoints, grainMs);

  return inTransaction(db, async (client) => {
    // One row per sensor with its points as JSON text (BucketPoint: at, min, max, mean, count), never parsed here;
    // written by concatenation, which costs PostgreSQL a third of json_build_object's time (numbers print as JSON does).
    // Buckets as wide as the grain are the rollup's rows themselves; wider ones merge them.
    const merged = width === grainMs
      ? 'SELECT sensor, bucket AS at, min, max, sum, count FROM rollup'
      : `SELECT sensor, date_bin(make_interval(secs => $5::float8 / 1000), bucket, $3::timestamptz) AS at,
                min(min) AS min, max(max) AS max, sum(sum) AS sum, sum(count)::bigint AS count
         FROM rollup GROUP BY 1, 2`;
    const { rows: bucketRows } = await client.query<BucketsRow>(
      `WITH ${effectiveRollup(grain)}
       SELECT sensor, sum(count)::float8 AS readings,
              '[' || string_agg('{"at":"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '","min":' || min
                                || ',"max":' || max || ',"mean":' || (sum / count) || ',"count":' || count || '}', ',' ORDER BY at) || ']' AS points
       FROM (${merged}) merged
       GROUP BY sensor`,
      width === grainMs ? [deviceId, names, origin, end] : [deviceId, names, origin, end, width],
    );
    const buckets = new Map<string, BucketsRow>(bucketRows.map((row) => [row.sensor, row]));

    const lttbLimit = Math.min(LTTB_FACTOR * maxPoints, Math.floor(RAW_ROW_BUDGET / names.length));
    const readings = (name: string) => buckets.get(name)?.readings ?? 0;
    const rawNames = names.filter((name) => readings(name) <= maxPoints || (maxPoints >= LTTB_MIN_POINTS && readings(name) <= lttbLimit));
    const raw = new Map<string, SeriesPoint[]>(rawNames.map((name) => [name, []]));
    if (rawNames.length > 0) {
      const { rows } = await client.query<{ sensor: string; at: Date; value: number }>(
        `SELECT sensor, at, value FROM reading
         WHERE device_id = $1::text AND sensor = ANY($2::text[]) AND at >= $3::timestamptz AND at < $4::timestamptz
         ORDER BY sensor, at`,
        [deviceId, rawNames, from, to],
      );
      for (const row of rows) raw.get(row.sensor)!.push({ at: row.at.getTime(), value: row.value });
    }

    return sensors.map(({ name, unit }): ReadSensorSeries => {
      const points = raw.get(name);
      if (points === undefined) return { sensor: name, unit, resolution: grain, bucketSeconds: width / 1000, pointsJson: buckets.get(name)?.points ?? '[]' };
      const sampled = points.length <= maxPoints ? points : lttb(points, maxPoints);
      const resolution = sampled === points ? 'raw' : 'lttb';
      return { sensor: name, unit, resolution, bucketSeconds: null, points: sampled.map((p): RawPoint => ({ at: new Date(p.at).toISOString(), value: p.value })) };
    });
  });
}

/**
 * CTEs ending in `rollup (sensor, bucket, min, max, sum, count)`: the device's rows of the grain for
 * sensors $2 in [$3, $4), 10-minute buckets not rolled up yet taken from the raw readings and, for
 * the 1h grain, hours with a pending bucket from their 10-minute rows.
 */
function effectiveRollup(grain: Grain): string {
  const pending = `pending AS (
    SELECT bucket, rolled FROM reading_rollup_pending WHERE device_id = $1::text AND bucket >= $3::timestamptz AND bucket < $4::timestamptz
  ),
  fresh AS (
    SELECT s.sensor, p.bucket, a.min, a.max, a.sum, a.count
    FROM pending p CROSS JOIN unnest($2::text[]) AS s(sensor)
    CROSS JOIN LATERAL (
      SELECT min(r.value) AS min, max(r.value) AS max, sum(r.value) AS sum, count(*) AS count FROM reading r
      WHERE r.device_id = $1::text AND r.sensor = s.sensor AND r.at >= p.bucket AND r.at < p.bucket + interval '10 minutes'
    ) a
    WHERE NOT p.rolled AND a.count > 0
  )`;
  const kept = (source: string, skip: string) => `SELECT sensor, bucket, min, max, sum, count FROM ${source}`
    + ` WHERE device_id = $1::text AND sensor = ANY($2::text[]) AND ${skip}`;
  if (grain === '10m') {
    return `${pending}, rollup AS (
      ${kept('reading_10m m', 'bucket >= $3::timestamptz AND bucket < $4::timestamptz AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.bucket = m.bucket AND NOT p.rolled)')}
      UNION ALL SELECT * FROM fresh)`;
  }
  return `${pending},
  dirty AS (SELECT DISTINCT date_bin('1 hour', bucket, timestamptz '2000-01-03 00:00+00') AS hour FROM pending),
  rollup AS (
    ${kept('reading_1h h', 'bucket >= $3::timestamptz AND bucket < $4::timestamptz AND NOT EXISTS (SELECT 1 FROM dirty d WHERE d.hour = h.bucket)')}
    UNION ALL
    SELECT s.sensor, m.bucket, m.min, m.max, m.sum, m.count
    FROM dirty d CROSS JOIN unnest($2::text[]) AS s(sensor)
    CROSS JOIN LATERAL (
      SELECT bucket, min, max, sum, count FROM reading_10m
      WHERE device_id = $1::text AND sensor = s.sensor AND bucket >= d.hour AND bucket < d.hour + interval '1 hour'
      OFFSET 0 -- keeps this an index range scan per hour and sensor, never the device's whole history
    ) m
    WHERE NOT EXISTS (SELECT 1 FROM pending p WHERE p.bucket = m.bucket AND NOT p.rolled)
    UNION ALL SELECT * FROM fresh)`;
}

export interface CostRequest {
  deviceId: string;
  /** The device model's sensors. */
  sensors: string[];
  from: Date;
  to: Date;
  /** Reports at most this many minutes apart count as operating time between them. */
  maxGapMinutes: number;
}

/**
 * Operating hours: the device's readings (any sensor) in time order, 10-minute bucket by bucket
 * (first and last reading time of each, clipped to [from, to)); the time between two consecutive
 * readings counts when they are at most maxGapMinutes (≥ 10) apart, a longer gap counts as switched
 * off. Orders: the device's service orders created in [from, to), cancelled ones excluded; each is a
 * failure (a repair call) for the mean time between failures. Parts: their parts requests not
 * cancelled, quantity × the request's unit cost, else the part's.
 */
export async function deviceCost(db: Pool, request: CostRequest): Promise<DeviceCost> {
  const { deviceId, sensors, from, to, maxGapMinutes } = request;
  const origin = new Date(Math.floor(from.getTime() / GRAINS['10m']) * GRAINS['10m']);
  const { rows } = await db.query<{ hours: number; orders: number; labor: number; parts: number }>(
    `WITH pending AS (
       SELECT bucket FROM reading_rollup_pending
       WHERE device_id = $1::text AND bucket >= $3::timestamptz AND bucket < $4::timestamptz AND NOT rolled
     ),
     spans AS (
       SELECT bucket, min(first_at) AS first_at, max(last_at) AS last_at FROM reading_10m m
       WHERE device_id = $1::text AND sensor = ANY($2::text[]) AND bucket >= $3::timestamptz AND bucket < $4::timestamptz
         AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.bucket = m.bucket)
       GROUP BY bucket
       UNION ALL
       SELECT p.bucket, min(a.first_at), max(a.last_at) FROM pending p CROSS JOIN unnest($2::text[]) AS s(sensor)
       CROSS JOIN LATERAL (
         SELECT min(r.at) AS first_at, max(r.at) AS last_at FROM reading r
         WHERE r.device_id = $1::text AND r.sensor = s.sensor AND r.at >= p.bucket AND r.at < p.bucket + interval '10 minutes'
       ) a
       WHERE a.first_at IS NOT NULL
       GROUP BY p.bucket
     ),
     clipped AS (
       SELECT bucket, greatest(first_at, $5::timestamptz) AS first_at, least(last_at, $4::timestamptz) AS last_at FROM spans
       WHERE last_at >= $5::timestamptz AND first_at < $4::timestamptz
     ),
     runs AS (
       SELECT last_at - first_at AS inside, first_at - lag(last_at) OVER (ORDER BY bucket) AS gap FROM clipped
     ),
     orders AS (
       SELECT order_id, coalesce(labor_cost, 0) AS labor FROM service_order
       WHERE device_id = $1::text AND created_at >= $5::timestamptz AND created_at < $4::timestamptz AND status <> 'cancelled'
     )
     SELECT (SELECT coalesce(sum(extract(epoch FROM inside) + CASE WHEN gap <= make_interval(mins => $6::int) THEN extract(epoch FROM gap) ELSE 0 END), 0)
             FROM runs)::float8 / 3600 AS hours,
            (SELECT count(*) FROM orders)::int AS orders,
            (SELECT coalesce(sum(labor), 0) FROM orders)::float8 AS labor,
            (SELECT coalesce(sum(r.quantity * coalesce(r.unit_cost, p.unit_cost, 0)), 0)
             FROM parts_request r JOIN orders o ON o.order_id = r.order_id LEFT JOIN part p ON p.part_no = r.part_no
             WHERE r.status <> 'cancelled')::float8 AS parts`,
    [deviceId, sensors, origin, to, from, maxGapMinutes],
  );
  const { hours, orders, labor, parts } = rows[0]!;
  const cents = (x: number) => Math.round(x * 100) / 100;
  const total = cents(labor + parts);
  const noHours = hours > 0 ? '' : 'the device reported no operating time in the range (no telemetry, or reports further apart than OPERATING_MAX_GAP_MINUTES)';
  return {
    deviceId,
    from: from.toISOString(),
    to: to.toISOString(),
    operatingHours: hours,
    orders,
    laborCost: cents(labor),
    partsCost: cents(parts),
    totalCost: total,
    costPerOperatingHour: ratio(total, hours, noHours),
    failures: orders,
    meanTimeBetweenFailuresHours: hours > 0 ? ratio(hours, orders, 'no failures (service orders) in the range') : { value: null, reason: noHours },
  };
}
