import { STREAM_NAMES, type StreamName, type StreamRecord } from '@servicetower/domain';
import { sortByTime } from './history.js';
import type { Random } from './random.js';
import type { Delivery, EventLog, SimulationSettings } from './types.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** A resend after a lost acknowledgement comes within half an hour, as a client's retries do. */
const DUPLICATE_WITHIN = 30 * MINUTE;

type EventStream = keyof EventLog;
const EVENT_STREAMS: readonly EventStream[] = ['service-orders', 'parts', 'complaints'];

/**
 * How a source would send the log: each event at its own time, gathered per stream into batches
 * of the same window (at most `batchSize` records). A share of events goes out late, up to
 * `lateMaxHours` after, so into a later batch; a share is sent twice; a share of batches is shuffled.
 * The window stays at most an hour, so that an event sent on time never looks late.
 */
export function planDeliveries(events: EventLog, settings: SimulationSettings, rng: Random, batchSize: number, windowMs = MINUTE): Delivery[] {
  if (!(batchSize >= 1)) throw new Error(`batchSize must be at least 1, got ${batchSize}`);
  if (!(windowMs > 0 && windowMs <= HOUR)) throw new Error(`windowMs must be more than 0 and at most an hour, got ${windowMs}`);
  const deliveries = EVENT_STREAMS.flatMap((stream) => planStream(stream, events[stream], settings, rng.child(`delivery:${stream}`), batchSize, windowMs));
  // Stable: batches of the same instant keep the stream order.
  return deliveries.sort((a, b) => a.sendAt - b.sendAt);
}

function planStream(
  stream: EventStream, records: ReadonlyArray<StreamRecord[EventStream]>, settings: SimulationSettings, random: Random, batchSize: number, windowMs: number,
): Delivery[] {
  const { duplicateShare, lateShare, lateMaxHours, outOfOrderShare } = settings.delivery;
  const sends: Array<{ at: number; record: StreamRecord[EventStream] }> = [];
  for (const record of records) {
    const at = Date.parse(record.at);
    const late = random.bernoulli(lateShare);
    const sendAt = late ? toSecond(at + random.uniform(HOUR + 1000, Math.max(HOUR + 1000, lateMaxHours * HOUR))) : at;
    sends.push({ at: sendAt, record });
    if (random.bernoulli(duplicateShare)) sends.push({ at: toSecond(sendAt + random.uniform(0, DUPLICATE_WITHIN)), record });
  }

  const deliveries: Delivery[] = [];
  let batch: Array<StreamRecord[EventStream]> = [];
  let window = Number.NaN;
  let sendAt = 0;
  const flush = () => {
    if (random.bernoulli(outOfOrderShare)) random.shuffle(batch);
    deliveries.push({ stream, sendAt, records: batch });
    batch = [];
  };
  for (const send of sortByTime(sends.map((s) => s.at), sends)) {
    const sendWindow = Math.floor(send.at / windowMs);
    if (batch.length > 0 && (sendWindow !== window || batch.length >= batchSize)) flush();
    window = sendWindow;
    sendAt = send.at;
    batch.push(send.record);
  }
  if (batch.length > 0) flush();
  return deliveries;
}

/** Sends happen on whole seconds, like the events' own times. */
function toSecond(at: number): number {
  return Math.round(at / 1000) * 1000;
}

export interface DeliverySummary {
  /** Records sent, counting every copy. */
  sent: number;
  /** Distinct records (by eventId; telemetry by device and first reading). */
  unique: number;
  duplicates: number;
  /** Distinct records first sent more than an hour after their own time. */
  late: number;
}

/** What a plan sends, per stream: the figures the receiving side must reconcile with. */
export function summariseDeliveries(deliveries: readonly Delivery[]): Record<StreamName, DeliverySummary> {
  const summaries = Object.fromEntries(STREAM_NAMES.map((stream) => [stream, { sent: 0, unique: 0, duplicates: 0, late: 0 }])) as Record<StreamName, DeliverySummary>;
  const seen = new Map<StreamName, Set<string>>(STREAM_NAMES.map((stream) => [stream, new Set()]));
  // In sending order, the first copy of a record seen is the one that arrived first.
  const inOrder = [...deliveries].sort((a, b) => a.sendAt - b.sendAt);
  for (const { stream, sendAt, records } of inOrder) {
    const summary = summaries[stream];
    const keys = seen.get(stream) as Set<string>;
    summary.sent += records.length;
    for (const record of records) {
      const at = 'eventId' in record ? record.at : record.readings[0]?.at ?? '';
      const key = 'eventId' in record ? record.eventId : `${record.deviceId}@${at}`;
      if (keys.has(key)) continue;
      keys.add(key);
      if (sendAt - Date.parse(at) > HOUR) summary.late += 1;
    }
    summary.unique = keys.size;
    summary.duplicates = summary.sent - summary.unique;
  }
  return summaries;
}
