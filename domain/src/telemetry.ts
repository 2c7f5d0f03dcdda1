import { Type, type Static } from '@sinclair/typebox';
import { Figure } from './kpi.js';
import { StringEnum } from './primitives.js';

/** A device's telemetry as the query API serves it (DESIGN.md §6): series and operating cost. */

export const SERIES_MAX_POINTS = 10_000;
export const SERIES_DEFAULT_POINTS = 1000;
export const SERIES_MAX_SENSORS = 100;
/** The longest range one series or cost request may span. */
export const TELEMETRY_MAX_RANGE_DAYS = 1100;

const IsoTime = (description: string) => Type.String({ minLength: 1, maxLength: 40, description });

export const SeriesQuery = Type.Object({
  sensors: Type.Optional(Type.String({ minLength: 1, maxLength: 6600, description: 'comma-separated sensor names of the device’s model; default every sensor' })),
  from: IsoTime('first instant, ISO-8601 with an offset'),
  to: IsoTime('instant after the last one (exclusive), ISO-8601 with an offset'),
  maxPoints: Type.Integer({ minimum: 1, maximum: SERIES_MAX_POINTS, default: SERIES_DEFAULT_POINTS, description: 'at most this many points per sensor' }),
});

export const RawPoint = Type.Object({ at: Type.String(), value: Type.Number() });
export const BucketPoint = Type.Object({
  at: Type.String({ description: 'bucket start' }),
  min: Type.Number(),
  max: Type.Number(),
  mean: Type.Number(),
  count: Type.Integer({ description: 'readings in the bucket' }),
});

export const SERIES_RESOLUTIONS = ['raw', 'lttb', '10m', '1h'] as const;
export type SeriesResolution = (typeof SERIES_RESOLUTIONS)[number];

export const SensorSeries = Type.Object({
  sensor: Type.String(),
  unit: Type.String(),
  resolution: StringEnum(SERIES_RESOLUTIONS, 'raw: every reading in [from, to); lttb: raw readings sampled by largest triangles, every sampling bucket’s min and max kept; 10m, 1h: buckets merged from that rollup'),
  bucketSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'width of each bucket point (a multiple of the rollup grain); null for raw points' }),
  points: Type.Union([Type.Array(RawPoint), Type.Array(BucketPoint)]),
});

export const Series = Type.Object({
  deviceId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  maxPoints: Type.Integer(),
  series: Type.Array(SensorSeries),
});

export const CostQuery = Type.Object({
  from: IsoTime('first instant, ISO-8601 with an offset'),
  to: IsoTime('instant after the last one (exclusive), ISO-8601 with an offset'),
});

export const DeviceCost = Type.Object({
  deviceId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  operatingHours: Type.Number({ description: 'time between consecutive readings at most OPERATING_MAX_GAP_MINUTES apart' }),
  orders: Type.Integer({ description: 'service orders of the device created in the range, cancelled ones excluded' }),
  laborCost: Type.Number(),
  partsCost: Type.Number({ description: 'parts requests of those orders, not cancelled: quantity × unit cost (the part’s when the request has none)' }),
  totalCost: Type.Number(),
  costPerOperatingHour: Figure(Type.Number()),
  failures: Type.Integer({ description: 'the orders counted above: every service order on a device is a repair call' }),
  meanTimeBetweenFailuresHours: Figure(Type.Number({ description: 'operating hours ÷ failures' })),
});

export type SeriesQuery = Static<typeof SeriesQuery>;
export type RawPoint = Static<typeof RawPoint>;
export type BucketPoint = Static<typeof BucketPoint>;
export type SensorSeries = Static<typeof SensorSeries>;
export type Series = Static<typeof Series>;
export type CostQuery = Static<typeof CostQuery>;
export type DeviceCost = Static<typeof DeviceCost>;
