import pg from 'pg';

export type Pool = pg.Pool;
export type Queryable = Pick<pg.ClientBase, 'query'>;

/**
 * JIT compiling is off for every connection: the planner's estimates for statements over many partitions
 * (a batch's orders looked up in every month) run high enough to trigger it, and compiling then costs
 * seconds where the statement itself takes tens of milliseconds. `settings` adds others (the API raises work_mem).
 */
export function createPool(connectionString: string, max = 10, settings: Record<string, string> = {}): pg.Pool {
  const options = Object.entries({ jit: 'off', ...settings }).map(([name, value]) => `-c ${name}=${value}`).join(' ');
  const pool = new pg.Pool({ connectionString, max, application_name: 'servicetower', options });
  // A client losing its server (a restart) must not crash the process: an idle one is reported on the pool, one
  // in use on itself (its query fails and the job is retried); the next checkout connects afresh.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Serialises writers of the same ids (orders, requests) until the transaction ends, so that
 * recomputing their current state always sees the other writer's committed events.
 */
export async function lockIds(db: Queryable, namespace: string, ids: readonly string[]): Promise<void> {
  await db.query(
    `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended($1 || ':' || id, 0) AS k FROM unnest($2::text[]) AS id ORDER BY 1
     ) AS keys`,
    [namespace, ids],
  );
}
