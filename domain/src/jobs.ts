import type { StreamName, StreamRecord } from './streams.js';

/** An ingestion job: a slice of one accepted batch, already validated. */
export interface IngestJob<S extends StreamName = StreamName> {
  batchId: string;
  /** Position of this slice in its batch, so a replayed batch maps to the same job ids. */
  part: number;
  records: StreamRecord[S][];
}

/** Every queue and the payload its jobs carry: producers and processors are typed from here. */
export interface QueuePayloads {
  'service-orders': IngestJob<'service-orders'>;
  parts: IngestJob<'parts'>;
  complaints: IngestJob<'complaints'>;
  telemetry: IngestJob<'telemetry'>;
  /** The hourly housekeeping, and the daily tick that enqueues the briefing (its scheduler lives here with the others). */
  maintenance: { task: 'partitions' } | { task: 'briefing' } | { task: 'alarms'; now?: string } | { task: 'rollups' };
  /** Writes the briefing of a local day (YYYY-MM-DD); no date: the day before, in the business time zone. */
  briefing: { date?: string };
  /** Posts the stored briefing of a day to one webhook. */
  'briefing-delivery': { date: string; url: string };
  /** Evaluates the alarm rules of the devices a telemetry job wrote, over its event-time range (ISO). */
  alarms: { deviceIds: string[]; from: string; to: string };
  /** Refreshes the remaining-useful-life estimate of the engines among these devices (others are skipped). */
  rul: { deviceIds: string[] };
}
export type QueueName = keyof QueuePayloads;

export const QUEUE_NAMES = ['service-orders', 'parts', 'complaints', 'telemetry', 'maintenance', 'briefing', 'briefing-delivery', 'alarms', 'rul'] as const satisfies readonly QueueName[];

/** The one place job ids are made: the same slice of the same batch always gets the same id. */
export function ingestJobId(batchId: string, part: number): string {
  return `${batchId}.${part}`;
}

/** Redis pub/sub channel on which workers announce what a write changed. */
export const CHANGES_CHANNEL = 'changes';
export interface ChangeNotice {
  stream: StreamName;
  /** Event-time range the write touched, ISO strings. */
  from: string;
  to: string;
  count: number;
}
