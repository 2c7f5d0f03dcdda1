import { summariseReadings, type TelemetryRecord } from '@servicetower/domain';
import type { Redis } from 'ioredis';
import { changesChannel } from './queues.js';

/**
 * The pub/sub channels the workers publish on after a write and every API instance relays over
 * WebSocket (DESIGN.md §3), namespaced by the queue prefix like the queues.
 */
export function liveChannels(prefix: string) {
  return { changes: changesChannel(prefix), readings: `${prefix}:readings`, alarms: `${prefix}:alarms` };
}

/** Publishes what a telemetry write brought, summarised per device and sensor (latest value, min, max, count). */
export async function publishReadings(publisher: Redis, prefix: string, records: readonly TelemetryRecord[]): Promise<void> {
  const notice = summariseReadings(records);
  if (notice.devices.length > 0) await publisher.publish(liveChannels(prefix).readings, JSON.stringify(notice));
}
