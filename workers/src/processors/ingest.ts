import type { ChangeNotice, IngestJob, StreamName, StreamRecord, TelemetryRecord } from '@servicetower/domain';
import { GroupCommit } from '../groupCommit.js';
import { inTransaction, lockIds, type Pool, type Queryable } from '../db.js';
import { insertComplaints, refreshComplaints } from '../repositories/complaints.js';
import { insertPartsRequestEvents, refreshPartsRequests } from '../repositories/partsRequests.js';
import { countReadings, insertReadings, markDevicesSeen } from '../repositories/readings.js';
import { insertServiceOrderEvents, refreshServiceOrders } from '../repositories/serviceOrders.js';

/** The business time zone the rollups are kept in (rollup_state); null leaves the rollups alone. */
export interface WriteOptions {
  rollupTimeZone: string | null;
}

type Writer<S extends StreamName> = (db: Queryable, records: StreamRecord[S][], options: WriteOptions) => Promise<number>;

/** How each stream is written; every writer is idempotent, so a retried job changes nothing. */
const writers: { [S in StreamName]: Writer<S> } = {
  'service-orders': async (db, events, { rollupTimeZone }) => {
    await lockIds(db, 'service_order', events.map((e) => e.orderId));
    const stored = await insertServiceOrderEvents(db, events);
    await refreshServiceOrders(db, [...new Set(stored)], rollupTimeZone);
    return stored.length;
  },
  parts: async (db, events) => {
    await lockIds(db, 'parts_request', events.map((e) => e.requestId));
    const stored = await insertPartsRequestEvents(db, events);
    await refreshPartsRequests(db, [...new Set(stored)]);
    return stored.length;
  },
  complaints: async (db, complaints, { rollupTimeZone }) => {
    await lockIds(db, 'complaint', complaints.map((c) => c.complaintId));
    const stored = await insertComplaints(db, complaints);
    await refreshComplaints(db, [...new Set(stored)], rollupTimeZone);
    return stored.length;
  },
  telemetry: async (db, records) => (await writeTelemetry(db, [records]))[0]!,
};

/** The readings of several telemetry jobs, in one transaction; how many of each job's readings were new. */
async function writeTelemetry(db: Queryable, jobs: TelemetryRecord[][]): Promise<number[]> {
  const stored = await insertReadings(db, jobs);
  await markDevicesSeen(db, jobs.flat());
  return stored;
}

/**
 * Telemetry jobs are written by group commit (groupCommit.ts): jobs that arrive while a transaction runs share
 * the next one, so under load one COPY and one commit carry several jobs' readings.
 */
export function telemetryWriter(pool: Pool, parallel: number) {
  const group = new GroupCommit<TelemetryRecord[], number>(
    (jobs) => inTransaction(pool, (client) => writeTelemetry(client, jobs)),
    { parallel, maxWeight: MAX_READINGS_PER_COMMIT, weigh: countReadings },
  );
  return async (job: IngestJob<'telemetry'>): Promise<ChangeNotice> => ({
    stream: 'telemetry', count: await group.submit(job.records), ...timeRange(job.records),
  });
}

/** Readings per group commit at most: enough to pay the fixed costs once for many jobs, small enough to keep a transaction short. */
const MAX_READINGS_PER_COMMIT = 20_000;

/** Writes one ingestion job in one transaction and describes what it changed. */
export async function processIngestJob<S extends StreamName>(pool: Pool, stream: S, job: IngestJob<S>, options: WriteOptions): Promise<ChangeNotice> {
  const write = writers[stream] as Writer<S>;
  const stored = await inTransaction(pool, (client) => write(client, job.records, options));
  return { stream, count: stored, ...timeRange(job.records) };
}

function timeRange(records: readonly StreamRecord[StreamName][]): { from: string; to: string } {
  let from = Infinity;
  let to = -Infinity;
  const see = (at: string) => {
    const t = Date.parse(at);
    if (t < from) from = t;
    if (t > to) to = t;
  };
  for (const record of records) {
    if ('readings' in record) for (const sample of record.readings) see(sample.at);
    else see(record.at);
  }
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}
