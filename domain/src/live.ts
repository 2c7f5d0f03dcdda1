import { Type, type Static } from '@sinclair/typebox';
import type { TelemetryRecord } from './streams.js';

/**
 * The live channel (`GET /api/v1/live`, a WebSocket): a client subscribes to topics and receives what
 * the workers publish after each write, relayed by whichever API instance it is connected to.
 *
 * Topics: `device:<deviceId>` (its readings, coalesced per sensor), `alarms` (alarms opened or changed),
 * `kpi` (change notices: which stream changed over which event-time range).
 */
export const LIVE_TOPIC_PATTERN = '^(device:[^\\s]{1,200}|alarms|kpi)$';

export const LiveClientMessage = Type.Object(
  {
    op: Type.Union([Type.Literal('subscribe'), Type.Literal('unsubscribe')]),
    topic: Type.String({ pattern: LIVE_TOPIC_PATTERN, description: 'device:<deviceId>, alarms or kpi' }),
  },
  { additionalProperties: false },
);
export type LiveClientMessage = Static<typeof LiveClientMessage>;

/** One sensor's readings since the last message: the latest value and the extremes, so a spike is never lost. */
export interface SensorSummary {
  /** ISO time of the latest reading. */
  at: string;
  value: number;
  min: number;
  max: number;
  count: number;
}

/** What one telemetry write brought for one device. */
export interface DeviceReadings {
  deviceId: string;
  sensors: Record<string, SensorSummary>;
}

/** Published by the workers on the readings channel after each telemetry write. */
export interface ReadingsNotice {
  devices: DeviceReadings[];
}

export type LiveServerMessage =
  | { type: 'subscribed' | 'unsubscribed'; topic: string }
  | { type: 'error'; message: string; topic?: string }
  | { type: 'readings'; topic: string; deviceId: string; sensors: Record<string, SensorSummary> }
  | { type: 'alarm'; topic: 'alarms'; alarm: Record<string, unknown> }
  | { type: 'change'; topic: 'kpi'; stream: string; from: string; to: string; count: number | null };

/** Folds `next` into `into` (same sensor): counts add, extremes widen, the later reading is the latest. */
export function mergeSensorSummary(into: SensorSummary | undefined, next: SensorSummary): SensorSummary {
  if (!into) return { ...next };
  const later = Date.parse(next.at) >= Date.parse(into.at);
  return {
    at: later ? next.at : into.at,
    value: later ? next.value : into.value,
    min: Math.min(into.min, next.min),
    max: Math.max(into.max, next.max),
    count: into.count + next.count,
  };
}

/** The per-device, per-sensor summary of a batch of telemetry records. */
export function summariseReadings(records: readonly TelemetryRecord[]): ReadingsNotice {
  const devices = new Map<string, Record<string, SensorSummary>>();
  for (const record of records) {
    const sensors = devices.get(record.deviceId) ?? {};
    devices.set(record.deviceId, sensors);
    for (const sample of record.readings) {
      for (const [sensor, value] of Object.entries(sample.values)) {
        sensors[sensor] = mergeSensorSummary(sensors[sensor], { at: sample.at, value, min: value, max: value, count: 1 });
      }
    }
  }
  return { devices: [...devices].map(([deviceId, sensors]) => ({ deviceId, sensors })) };
}
