import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TelemetryRecord } from '@servicetower/domain';
import { createPool, telemetryWriter, type Pool } from '@servicetower/workers';
import { createTestDatabase } from './support/database.js';

const job = (records: TelemetryRecord[]) => ({ batchId: 'b', part: 0, records });
const T0 = '2026-03-01T10:00:00.000Z';
const T1 = '2026-03-01T10:01:00.000Z';

describe('telemetry group commit', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: Pool;
  beforeAll(async () => {
    database = await createTestDatabase(inject('templateDatabase'));
    pool = createPool(database.url, 4);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('stores the readings of jobs written together once each, and counts each job\'s new readings, duplicates across jobs included', async () => {
    const write = telemetryWriter(pool, 1);
    const notices = await Promise.all([
      write(job([{ deviceId: 'g-1', readings: [{ at: T0, values: { a: 1, b: 2 } }] }])), // written alone, at once
      write(job([{ deviceId: 'g-2', readings: [{ at: T0, values: { a: 3 } }] }])), // these three share the next commit
      write(job([{ deviceId: 'g-1', readings: [{ at: T0, values: { a: 1, b: 2 } }, { at: T1, values: { a: 4 } }] }])),
      write(job([{ deviceId: 'g-2', readings: [{ at: T0, values: { a: 3 } }] }])),
    ]);
    expect(notices.map((n) => n.count)).toEqual([2, 1, 1, 0]);
    expect(notices[2]).toMatchObject({ stream: 'telemetry', from: T0, to: T1 });

    const { rows } = await pool.query<{ device_id: string; sensor: string; at: Date; value: number }>(
      'SELECT device_id, sensor, at, value FROM reading ORDER BY device_id, at, sensor');
    expect(rows.map((r) => [r.device_id, r.sensor, r.at.toISOString(), r.value])).toEqual([
      ['g-1', 'a', T0, 1], ['g-1', 'b', T0, 2], ['g-1', 'a', T1, 4], ['g-2', 'a', T0, 3],
    ]);
    const seen = await pool.query<{ device_id: string; last_seen_at: Date }>('SELECT device_id, last_seen_at FROM device_seen ORDER BY 1');
    expect(seen.rows.map((r) => [r.device_id, r.last_seen_at.toISOString()])).toEqual([['g-1', T1], ['g-2', T0]]);
    const pending = await pool.query<{ device_id: string }>('SELECT DISTINCT device_id FROM reading_rollup_pending WHERE NOT rolled ORDER BY 1');
    expect(pending.rows.map((r) => r.device_id)).toEqual(['g-1', 'g-2']);
  });
});
