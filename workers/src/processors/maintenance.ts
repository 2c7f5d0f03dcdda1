import type { Logger } from 'pino';
import type { Config, QueuePayloads } from '@servicetower/domain';
import type { Pool } from '../db.js';
import { dropOldReadings, maintainTimePartitions } from '../repositories/partitions.js';

/** The hourly housekeeping job: partitions ahead (plain PostgreSQL) and telemetry retention. */
export async function runMaintenance(pool: Pool, config: Config, job: QueuePayloads['maintenance'], log: Logger) {
  switch (job.task) {
    case 'partitions': {
      const created = await maintainTimePartitions(pool, config.PARTITIONS_AHEAD);
      const dropped = await dropOldReadings(pool, config.READING_RETENTION_DAYS);
      if (created + dropped > 0) log.info({ created, dropped }, 'time partitions maintained');
      return { created, dropped };
    }
  }
}
