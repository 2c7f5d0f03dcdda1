import type { Queryable } from '../db.js';

/** Plain PostgreSQL: creates the coming partitions and moves rows parked in DEFAULT partitions. */
export async function maintainTimePartitions(db: Queryable, ahead: number): Promise<number> {
  const { rows } = await db.query<{ created: number }>('SELECT maintain_time_partitions($1::int) AS created', [ahead]);
  return rows[0]?.created ?? 0;
}

/** Drops raw readings older than the retention period, a whole partition or chunk at a time. */
export async function dropOldReadings(db: Queryable, retentionDays: number): Promise<number> {
  const { rows } = await db.query<{ dropped: number }>(
    `SELECT drop_time_partitions('reading', now() - make_interval(days => $1::int)) AS dropped`,
    [retentionDays],
  );
  return rows[0]?.dropped ?? 0;
}
