import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrate } from '../src/db/migrate.js';
import { createEmptyDatabase } from './support/database.js';

describe('migrations on plain PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let client: pg.Client;
  beforeAll(async () => {
    database = await createEmptyDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('apply to an empty database in plain mode, with range-partitioned fact tables and DEFAULT partitions', async () => {
    const applied = await migrate(database.url);
    expect(applied.length).toBeGreaterThan(0);
    const mode = await client.query('SELECT storage_mode() AS mode');
    expect(mode.rows[0].mode).toBe('postgresql');
    const partitioned = await client.query(
      `SELECT c.relname, d.relname AS default_partition FROM pg_partitioned_table p
       JOIN pg_class c ON c.oid = p.partrelid JOIN pg_class d ON d.oid = p.partdefid ORDER BY 1`,
    );
    expect(partitioned.rows).toEqual([
      { relname: 'complaint', default_partition: 'complaint_default' },
      { relname: 'parts_request_event', default_partition: 'parts_request_event_default' },
      { relname: 'reading', default_partition: 'reading_default' },
      { relname: 'service_order_event', default_partition: 'service_order_event_default' },
    ]);
  });

  it('run again harmlessly: as a no-op, and even with their bookkeeping table gone, keeping the data', async () => {
    await client.query(`INSERT INTO region (region_id, name) VALUES ('north', 'North')`);
    await client.query(`INSERT INTO reading VALUES ('d1', 's1', '2026-01-10T00:00:00Z', 1.5)`);
    expect(await migrate(database.url)).toEqual([]);
    await client.query('DROP TABLE pgmigrations');
    const again = await migrate(database.url);
    expect(again.length).toBeGreaterThan(0);
    expect((await client.query('SELECT name FROM region')).rows).toEqual([{ name: 'North' }]);
    expect((await client.query('SELECT value FROM reading')).rows).toEqual([{ value: 1.5 }]);
  });

  it('let the maintenance job create partitions ahead and move rows parked in DEFAULT into their own partition', async () => {
    const created = await client.query(`SELECT maintain_time_partitions(2, '2026-03-15T00:00:00Z') AS n`);
    expect(created.rows[0].n).toBeGreaterThan(0);
    const placed = await client.query(`SELECT tableoid::regclass::text AS partition FROM reading`);
    expect(placed.rows).toEqual([{ partition: 'reading_p20260105' }]);
    const months = await client.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'service_order_event'::regclass ORDER BY 1`,
    );
    expect(months.rows.map((r) => r.relname)).toEqual([
      'service_order_event_default', 'service_order_event_p20260301', 'service_order_event_p20260401', 'service_order_event_p20260501',
    ]);
    const rerun = await client.query(`SELECT maintain_time_partitions(2, '2026-03-15T00:00:00Z') AS n`);
    expect(rerun.rows[0].n).toBe(0);
  });

  it('keep usernames unique whatever their case, and roles to the known ones', async () => {
    const insert = (username: string, role: string) =>
      client.query(`INSERT INTO app_user (username, display_name, role, password_hash) VALUES ($1, $1, $2, 'x')`, [username, role]);
    await insert('Alice', 'viewer');
    await expect(insert('alice', 'viewer')).rejects.toThrow(/app_user_username_key/);
    await expect(insert('bob', 'superuser')).rejects.toThrow(/app_user_role_check/);
  });

  it('drop whole reading partitions older than the retention period', async () => {
    const dropped = await client.query(`SELECT drop_time_partitions('reading', '2026-02-01T00:00:00Z') AS n`);
    expect(dropped.rows[0].n).toBe(1);
    expect((await client.query('SELECT count(*)::int AS n FROM reading')).rows).toEqual([{ n: 0 }]);
    const kept = await client.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'reading'::regclass`);
    expect(kept.rows[0].n).toBeGreaterThan(1);
  });
});
