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

/** How long the answer to "does any API instance receive readings?" is reused. */
const LISTENERS_TTL_MS = 250;

/**
 * Publishes what each telemetry write brought, summarised per device and sensor (latest value, min, max,
 * count) — while some API instance listens: an instance subscribes to the readings channel only while one
 * of its clients watches a device, and with nobody watching the summaries would be work for nothing.
 */
export function readingsPublisher(publisher: Redis, prefix: string) {
  const channel = liveChannels(prefix).readings;
  let listened = false;
  let askedAt = -Infinity;
  return async (records: readonly TelemetryRecord[]): Promise<void> => {
    if (Date.now() - askedAt >= LISTENERS_TTL_MS) {
      const [, listeners] = (await publisher.pubsub('NUMSUB', channel)) as [string, number];
      listened = Number(listeners) > 0;
      askedAt = Date.now();
    }
    if (!listened) return;
    const notice = summariseReadings(records);
    if (notice.devices.length > 0) await publisher.publish(channel, JSON.stringify(notice));
  };
}
