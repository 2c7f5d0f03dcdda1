import { beforeAll, describe, expect, it } from 'vitest';
import { planDeliveries, summariseDeliveries } from '../src/delivery.js';
import { generateHistory } from '../src/history.js';
import { generateNetwork } from '../src/network.js';
import { Random } from '../src/random.js';
import { defaultSettings } from '../src/settings.js';
import { coalesce } from '../src/upload.js';
import type { Delivery, EventLog, SimulationSettings } from '../src/types.js';

const HOUR = 3_600_000;
const STREAMS = ['service-orders', 'parts', 'complaints'] as const;

/** A quarter of the default network over a year: some 250,000 events. */
const settings = defaultSettings(Date.parse('2025-06-15T10:00:00+08:00'), { outlets: 20 });
let events: EventLog;

beforeAll(() => {
  const rng = new Random(7);
  events = generateHistory(generateNetwork(settings, rng.child('network')), settings, rng.child('history')).events;
});

function plan(delivery: Partial<SimulationSettings['delivery']> = {}, batchSize = 200, windowMs?: number): Delivery[] {
  const knobs = { ...settings, delivery: { ...settings.delivery, ...delivery } };
  return planDeliveries(events, knobs, new Random(11), batchSize, windowMs);
}

const idOf = (record: Delivery['records'][number]) => ('eventId' in record ? record.eventId : record.deviceId);
const atOf = (record: Delivery['records'][number]) => Date.parse('at' in record ? record.at : '');

describe('planned deliveries', () => {
  let deliveries: Delivery[];
  beforeAll(() => {
    deliveries = plan();
  });

  it('are the same for the same seed', () => {
    const fingerprint = (list: Delivery[]) => list.map((d) => `${d.stream}@${d.sendAt}:${d.records.map(idOf).join(',')}`).join('\n');
    expect(fingerprint(plan())).toBe(fingerprint(deliveries));
  });

  it('go out in time order, one stream per batch, at most batchSize records, none before its event', () => {
    const problems: string[] = [];
    deliveries.forEach((d, i) => {
      if (i > 0 && (deliveries[i - 1] as Delivery).sendAt > d.sendAt) problems.push(`${i}: out of time order`);
      if (d.records.length < 1 || d.records.length > 200) problems.push(`${i}: ${d.records.length} records`);
      for (const record of d.records) {
        if (!('eventId' in record) || !(d.stream in events)) problems.push(`${i}: not an event of ${d.stream}`);
        else if (atOf(record) > d.sendAt) problems.push(`${record.eventId} sent before it happened`);
      }
    });
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('deliver every event at least once', () => {
    const summary = summariseDeliveries(deliveries);
    for (const stream of STREAMS) {
      const sent = new Set(deliveries.filter((d) => d.stream === stream).flatMap((d) => d.records.map(idOf)));
      expect(sent.size).toBe(events[stream].length);
      expect(events[stream].every((e) => sent.has(e.eventId))).toBe(true);
      expect(summary[stream].unique).toBe(events[stream].length);
      expect(summary[stream].sent).toBe(deliveries.filter((d) => d.stream === stream).reduce((n, d) => n + d.records.length, 0));
    }
    expect(summary.telemetry).toEqual({ sent: 0, unique: 0, duplicates: 0, late: 0 });
  });

  it('send the duplicate and late shares set, within 0.005 and 0.01', () => {
    const summary = summariseDeliveries(deliveries);
    const total = (key: 'unique' | 'duplicates' | 'late') => STREAMS.reduce((n, s) => n + summary[s][key], 0);
    expect(Math.abs(total('duplicates') / total('unique') - settings.delivery.duplicateShare)).toBeLessThan(0.005);
    expect(Math.abs(total('late') / total('unique') - settings.delivery.lateShare)).toBeLessThan(0.01);
    expect(summary['service-orders'].late).toBeGreaterThan(0);
    expect(summary.parts.duplicates).toBeGreaterThan(0);
  });

  it('send late events at most lateMaxHours after they happened', () => {
    const lateness = deliveries.flatMap((d) => d.records.map((r) => d.sendAt - atOf(r)));
    // A duplicate of a late event may follow it by up to half an hour.
    expect(lateness.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(settings.delivery.lateMaxHours * HOUR + 30 * 60_000);
    expect(lateness.filter((l) => l > 24 * HOUR).length).toBeGreaterThan(0);
  });

  it('shuffle about the share of batches set', () => {
    const several = deliveries.filter((d) => new Set(d.records.map(atOf)).size >= 4);
    const unordered = several.filter((d) => d.records.some((r, i) => i > 0 && atOf(r) < atOf(d.records[i - 1] as typeof r)));
    // A batch holding a late event is out of event order too; four distinct times are shuffled back into order rarely.
    expect(unordered.length / several.length).toBeGreaterThan(settings.delivery.outOfOrderShare * 0.8);
    expect(unordered.length / several.length).toBeLessThan(settings.delivery.outOfOrderShare + settings.delivery.lateShare * 4 + 0.05);
  });
});

describe('a clean source', () => {
  it('sends each event once, on time and in order, batched by the window', () => {
    const deliveries = plan({ duplicateShare: 0, lateShare: 0, outOfOrderShare: 0 }, 1000, HOUR);
    const summary = summariseDeliveries(deliveries);
    for (const stream of STREAMS) expect(summary[stream]).toEqual({ sent: events[stream].length, unique: events[stream].length, duplicates: 0, late: 0 });
    for (const d of deliveries) {
      const times = d.records.map(atOf);
      expect(times.every((t, i) => i === 0 || (times[i - 1] as number) <= t)).toBe(true);
      expect(Math.floor((times[0] as number) / HOUR)).toBe(Math.floor(d.sendAt / HOUR));
    }
    expect(deliveries.length).toBeLessThan(plan({ duplicateShare: 0, lateShare: 0, outOfOrderShare: 0 }, 1000).length / 5);
  });

  it('refuses a window longer than an hour, which would make on-time events look late', () => {
    expect(() => plan({}, 100, 2 * HOUR)).toThrow(/at most an hour/);
  });
});

describe('coalesce', () => {
  it('merges each stream’s deliveries into requests of at most the batch size, keeping every record in order', () => {
    const d = (stream: 'parts' | 'complaints', sendAt: number, ids: string[]) =>
      ({ stream, sendAt, records: ids.map((eventId) => ({ eventId })) }) as unknown as Delivery;
    const deliveries = [d('parts', 1, ['a', 'b']), d('complaints', 2, ['x']), d('parts', 3, ['c']), d('parts', 4, ['d', 'e']), d('complaints', 5, ['y'])];
    const merged = coalesce(deliveries, 3);
    const ids = (stream: string) => merged.filter((m) => m.stream === stream).map((m) => m.records.map((r) => (r as { eventId: string }).eventId));
    expect(ids('parts')).toEqual([['a', 'b', 'c'], ['d', 'e']]);
    expect(ids('complaints')).toEqual([['x', 'y']]);
    expect(deliveries[0]!.records).toHaveLength(2);
  });
});
