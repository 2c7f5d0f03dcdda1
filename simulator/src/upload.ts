import type { CollectionName, StreamName } from '@servicetower/domain';
import type { IngestClient } from './client.js';
import type { Delivery, Network } from './types.js';

/** Runs `work` over `items` with at most `concurrency` in flight, in order of start. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}

/** Upserts the network's reference data, parents before children. */
export async function uploadNetwork(client: IngestClient, network: Network, concurrency: number): Promise<number> {
  const groups: Array<[CollectionName, Array<[string, unknown]>]> = [
    ['regions', network.regions.map(({ id, ...body }) => [id, body])],
    ['product-lines', network.productLines.map(({ id, ...body }) => [id, body])],
    ['parts', network.parts.map(({ partNo, ...body }) => [partNo, body])],
    ['device-models', network.deviceModels.map(({ id, ...body }) => [id, body])],
    ['outlets', network.outlets.map(({ id, ...body }) => [id, body])],
    ['devices', network.devices.map(({ id, ...body }) => [id, body])],
  ];
  let count = 0;
  for (const [collection, items] of groups) {
    await inParallel(items, concurrency, async ([id, body]) => client.putReference(collection, id, body));
    count += items.length;
  }
  return count;
}

/**
 * Merges each stream's consecutive deliveries into requests of up to `batchSize` records, keeping
 * their order: a backfill then sends a few thousand requests instead of one per hour and stream,
 * and an event planned late still arrives after the events planned before it.
 */
export function coalesce(deliveries: readonly Delivery[], batchSize: number): Delivery[] {
  const open = new Map<StreamName, Delivery>();
  const merged: Delivery[] = [];
  for (const delivery of deliveries) {
    const current = open.get(delivery.stream);
    if (current && current.records.length + delivery.records.length <= batchSize) {
      (current.records as unknown[]).push(...delivery.records);
      continue;
    }
    const copy = { ...delivery, records: [...delivery.records] } as Delivery;
    open.set(delivery.stream, copy);
    merged.push(copy);
  }
  return merged;
}

export interface SentCounts {
  deliveries: number;
  records: Record<StreamName, number>;
  retries: number;
}

/**
 * Sends deliveries in the order planned. The Idempotency-Key names the run and the delivery,
 * so a rerun of the same seed against the same API stores nothing twice.
 */
export async function sendDeliveries(
  client: IngestClient,
  deliveries: readonly Delivery[],
  runKey: string,
  concurrency: number,
  onProgress?: (sent: number) => void,
): Promise<SentCounts> {
  const counts: SentCounts = { deliveries: 0, records: { 'service-orders': 0, parts: 0, complaints: 0, telemetry: 0 }, retries: 0 };
  await inParallel(deliveries, concurrency, async (delivery, index) => {
    const result = await client.send(delivery.stream, delivery.records, `${runKey}-${delivery.stream}-${index}`);
    counts.deliveries += 1;
    counts.records[delivery.stream] += delivery.records.length;
    counts.retries += result.retries;
    onProgress?.(counts.deliveries);
  });
  return counts;
}
