import type { Server } from 'node:http';
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import {
  alarmsJobId, briefingJobId, dailyCronPattern, previousLocalDay, STREAM_NAMES, type Alarm, type Config, type IngestJob, type QueuePayloads, type StreamName,
} from '@servicetower/domain';
import { createPool } from './db.js';
import { liveChannels, readingsPublisher } from './live.js';
import { createWorkerMetrics, serveMetrics } from './metrics.js';
import { alarmsJobFor, checkAlarms, evaluateAlarms, queueProactiveOrders } from './processors/alarms.js';
import { briefingDeliveryJobs, deliverBriefing, writeBriefing } from './processors/briefing.js';
import { processIngestJob, telemetryWriter } from './processors/ingest.js';
import { runMaintenance } from './processors/maintenance.js';
import { processRulJob, queueRulRefresh } from './processors/rul.js';
import { followUpChecker } from './repositories/followUps.js';
import { flushDueReadingRollups } from './repositories/readingRollups.js';
import { ensureRollups } from './repositories/rollups.js';
import { changesChannel, closeQueues, createBlockingConnection, createQueues } from './queues.js';

export interface RunningWorkers {
  metricsPort: number;
  /** Stops taking jobs, lets the ones in flight finish, then closes every connection. */
  close(): Promise<void>;
}

const MAINTENANCE_EVERY_MS = 3600_000;
const ALARM_CHECK_EVERY_MS = 60_000;
/** Telemetry rollups are flushed this often, off the ingestion path (readers cover what is pending from the raw readings). */
const ROLLUP_FLUSH_EVERY_MS = 60_000;
/** Telemetry jobs taken at once per telemetry writer (WORKER_CONCURRENCY writers): the group commits' room to fill. */
const TELEMETRY_JOBS_PER_WRITER = 4;

/** Starts a BullMQ worker per queue, the maintenance schedule and the metrics endpoint. */
export async function startWorkers(config: Config, log: Logger): Promise<RunningWorkers> {
  const pool = createPool(config.DATABASE_URL, config.WORKER_CONCURRENCY * (STREAM_NAMES.length + 1) + 3);
  const connection = createBlockingConnection(config.REDIS_URL);
  const publisher = createBlockingConnection(config.REDIS_URL);
  const queues = createQueues(connection, config.QUEUE_PREFIX);
  const metrics = createWorkerMetrics();
  if (await ensureRollups(pool, config.BUSINESS_TIMEZONE)) log.info({ timeZone: config.BUSINESS_TIMEZONE }, 'rollups rebuilt for the business time zone');
  const writeOptions = { rollupTimeZone: config.BUSINESS_TIMEZONE };
  const followUpsOf = followUpChecker(pool);
  const publishReadings = readingsPublisher(publisher, config.QUEUE_PREFIX);
  const writeTelemetry = telemetryWriter(pool, config.WORKER_CONCURRENCY);
  const channel = changesChannel(config.QUEUE_PREFIX);
  const options = {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: Math.max(1000, Math.floor(config.WORKER_LOCK_MS / 2)),
    // A job whose worker dies is handed back; only after five such deaths is it parked as failed.
    maxStalledCount: 5,
  };

  const ingestWorker = <S extends StreamName>(stream: S) =>
    new Worker<IngestJob<S>>(
      stream,
      async (job: Job<IngestJob<S>>) => {
        const timer = metrics.jobDuration.startTimer({ queue: stream });
        const notice = stream === 'telemetry'
          ? await writeTelemetry(job.data as IngestJob<'telemetry'>)
          : await processIngestJob(pool, stream, job.data, writeOptions);
        timer();
        metrics.stored.inc({ stream }, notice.count);
        metrics.jobLatency.observe({ queue: stream }, (Date.now() - job.timestamp) / 1000);
        await publisher.publish(channel, JSON.stringify(notice));
        if (stream === 'telemetry') {
          const records = job.data.records as IngestJob<'telemetry'>['records'];
          await publishReadings(records);
          const needs = await followUpsOf([...new Set(records.map((r) => r.deviceId))]);
          if (needs.alarms) await queues.alarms.add('alarms', alarmsJobFor(records, notice), { jobId: alarmsJobId(job.id!) });
          if (needs.rul) await queueRulRefresh(queues.rul, job.id!, records);
        }
        return notice.count;
      },
      // Telemetry takes more jobs at once than it has writers, so that the writers' group commits can fill.
      stream === 'telemetry' ? { ...options, concurrency: config.WORKER_CONCURRENCY * TELEMETRY_JOBS_PER_WRITER } : options,
    );

  // Alarms that opened or changed: their proactive orders queued, then announced on pub/sub.
  const alarmsChanged = async (alarms: Alarm[]) => {
    await queueProactiveOrders(pool, queues['service-orders']);
    for (const alarm of alarms) await publisher.publish(liveChannels(config.QUEUE_PREFIX).alarms, JSON.stringify(alarm));
    return alarms.length;
  };

  const workers: Worker[] = [
    ...STREAM_NAMES.map((stream) => ingestWorker(stream)),
    new Worker<QueuePayloads['alarms']>('alarms', async (job) => alarmsChanged(await evaluateAlarms(pool, job.data)), options),
    // One at a time: the first job may train the model (tens of seconds, yielding between trees); scoring takes milliseconds.
    new Worker<QueuePayloads['rul']>('rul', (job) => processRulJob(pool, config, job.data, log), { ...options, concurrency: 1 }),
    new Worker<QueuePayloads['maintenance']>(
      'maintenance',
      async (job) => {
        if (job.data.task === 'alarms') return alarmsChanged(await checkAlarms(pool, job.data.now ? new Date(job.data.now) : new Date()));
        if (job.data.task === 'rollups') return flushDueReadingRollups(pool);
        if (job.data.task !== 'briefing') return runMaintenance(pool, config, job.data, log);
        // The daily tick: one briefing job per local day, however often the tick fires.
        const date = previousLocalDay(config.BUSINESS_TIMEZONE);
        await queues.briefing.add('briefing', { date }, { jobId: briefingJobId(date) });
        return { date };
      },
      { ...options, concurrency: 1 },
    ),
    new Worker<QueuePayloads['briefing']>(
      'briefing',
      async (job) => {
        const briefing = await writeBriefing(pool, config, job.data);
        await queues['briefing-delivery'].addBulk(await briefingDeliveryJobs(pool, config, briefing));
        return { date: briefing.date, generatedAt: briefing.generatedAt };
      },
      { ...options, concurrency: 1 },
    ),
    new Worker<QueuePayloads['briefing-delivery']>(
      'briefing-delivery',
      (job) => deliverBriefing(pool, config, job.data, job.attemptsMade + 1),
      options,
    ),
  ];
  for (const worker of workers) {
    worker.on('completed', (job) => metrics.jobs.inc({ queue: job.queueName, outcome: 'completed' }));
    worker.on('failed', (job, error) => {
      metrics.jobs.inc({ queue: worker.name, outcome: 'failed' });
      log.warn({ queue: worker.name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, 'job failed');
    });
    worker.on('error', (error) => log.error({ queue: worker.name, err: error.message }, 'worker error'));
  }

  await queues.maintenance.upsertJobScheduler(
    'partitions',
    { every: MAINTENANCE_EVERY_MS },
    { name: 'partitions', data: { task: 'partitions' } },
  );
  await queues.maintenance.upsertJobScheduler(
    'reading-rollups',
    { every: ROLLUP_FLUSH_EVERY_MS },
    { name: 'reading-rollups', data: { task: 'rollups' } },
  );
  await queues.maintenance.upsertJobScheduler(
    'alarm-check',
    { every: ALARM_CHECK_EVERY_MS },
    { name: 'alarm-check', data: { task: 'alarms' } },
  );
  await queues.maintenance.upsertJobScheduler(
    'daily-briefing',
    { pattern: dailyCronPattern(config.BRIEFING_LOCAL_TIME), tz: config.BUSINESS_TIMEZONE },
    { name: 'daily-briefing', data: { task: 'briefing' } },
  );

  let metricsServer: Server | undefined;
  let metricsPort = -1;
  if (config.WORKER_METRICS_PORT >= 0) {
    metricsServer = await serveMetrics(metrics.registry, config.WORKER_METRICS_PORT, config.HOST);
    const address = metricsServer.address();
    metricsPort = typeof address === 'object' && address ? address.port : -1;
  }
  log.info({ queues: workers.map((w) => w.name), metricsPort }, 'workers started');

  return {
    metricsPort,
    async close() {
      await Promise.all(workers.map((worker) => worker.close()));
      await closeQueues(queues);
      metricsServer?.close();
      await Promise.all([connection.quit(), publisher.quit()]).catch(() => {});
      await pool.end();
    },
  };
}
