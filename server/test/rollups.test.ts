// The rollups the workers keep from each order's and complaint's change agree with rollups rebuilt
// from scratch, whatever order the events arrived in; the figures refuse to answer (503) while the
// rollups are bucketed in another time zone than the business one, and answer again once rebuilt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRollups, processIngestJob } from '@servicetower/workers';
import { bearer, startHarness, type Harness } from './support/harness.js';
import { simulatedRun } from './support/simulated.js';

const ZONE = 'America/New_York';

interface RollupRow {
  key: string;
  counts: number[];
  hours: number;
}

async function rollups(h: Harness): Promise<RollupRow[]> {
  const load = await h.pool.query<{ key: string; counts: number[]; hours: number }>(
    `SELECT concat_ws(' ', grain, bucket, outlet_id, product_line) AS key,
            ARRAY[received, completed, first_time_fixes, backlog_delta, turnaround_count, waited_for_parts] AS counts, turnaround_hours AS hours
     FROM service_load_rollup
     WHERE received <> 0 OR completed <> 0 OR first_time_fixes <> 0 OR backlog_delta <> 0 OR turnaround_count <> 0 OR waited_for_parts <> 0
     ORDER BY 1`,
  );
  const complaints = await h.pool.query<{ key: string; counts: number[]; hours: number }>(
    `SELECT concat_ws(' ', 'complaints', grain, bucket, outlet_id, product_line, cause) AS key, ARRAY[complaints] AS counts, 0 AS hours
     FROM complaint_rollup WHERE complaints <> 0 ORDER BY 1`,
  );
  return [...load.rows, ...complaints.rows];
}

function expectSameRollups(actual: RollupRow[], expected: RollupRow[]) {
  expect(actual.map((row) => `${row.key} ${row.counts.join(',')}`)).toEqual(expected.map((row) => `${row.key} ${row.counts.join(',')}`));
  actual.forEach((row, i) => expect(row.hours).toBeCloseTo(expected[i]!.hours, 6));
}

describe('rollups', () => {
  let h: Harness;
  let reader: string;
  let incremental: RollupRow[];
  beforeAll(async () => {
    h = await startHarness({ workers: true, env: { BUSINESS_TIMEZONE: ZONE } });
    await simulatedRun(h, { settings: { seed: 23, months: 2, outlets: 6, devicesPerModel: 1 } });
    reader = await h.key(['read']);
    incremental = await rollups(h);
  }, 300_000);
  afterAll(() => h?.close());

  it('kept change by change equal the rollups rebuilt from the facts', async () => {
    expect(incremental.length).toBeGreaterThan(1000);
    await h.pool.query(`UPDATE rollup_state SET time_zone = 'UTC'`);
    expect(await ensureRollups(h.pool, ZONE)).toBe(true);
    expectSameRollups(await rollups(h), incremental);
  });

  it('rebuild the per-order and per-complaint facts first when they are missing, as after the rollups migration', async () => {
    await h.pool.query(`UPDATE service_order SET completions = NULL, opened = NULL, closed = NULL, home_outlet_id = NULL`);
    await h.pool.query('DELETE FROM complaint_state');
    await h.pool.query('DELETE FROM rollup_state');
    expect(await ensureRollups(h.pool, ZONE)).toBe(true);
    expectSameRollups(await rollups(h), incremental);
    expect(await ensureRollups(h.pool, ZONE)).toBe(false);
  });

  it('are left alone by a writer whose time zone is not the one they were rebuilt in (a rolling change of zone)', async () => {
    await h.pool.query(`UPDATE rollup_state SET time_zone = 'Asia/Tokyo'`);
    const event = { eventId: 'zone-1', orderId: 'ZONE-1', type: 'created', at: '2026-02-10T12:00:00Z', outletId: incremental[0]!.key.split(' ')[2]!, productLine: incremental[0]!.key.split(' ')[3]! };
    await processIngestJob(h.pool, 'service-orders', { batchId: 'zone', part: 0, records: [event as never] }, { rollupTimeZone: ZONE });
    expect(await h.count(`SELECT 1 FROM service_order WHERE order_id = 'ZONE-1'`)).toBe(1);
    await h.pool.query(`UPDATE rollup_state SET time_zone = $1`, [ZONE]);
    const kept = await rollups(h);
    expect(await ensureRollups(h.pool, 'UTC')).toBe(true); // rebuild elsewhere and back: the facts hold the new order
    expect(await ensureRollups(h.pool, ZONE)).toBe(true);
    const rebuilt = await rollups(h);
    expect(rebuilt.filter((row) => row.counts[0]! > 0).reduce((n, row) => n + (row.key.startsWith('day ') ? row.counts[0]! : 0), 0))
      .toBe(kept.filter((row) => row.counts[0]! > 0).reduce((n, row) => n + (row.key.startsWith('day ') ? row.counts[0]! : 0), 0) + 1);
  });

  it('answer 503 with Retry-After while bucketed in another time zone, and the figures again once rebuilt', async () => {
    const url = '/api/v1/kpi/service-load?from=2026-02-01&to=2026-03-01&interval=month';
    const before = await h.app.inject({ method: 'GET', url, headers: bearer(reader) });
    expect(before.statusCode).toBe(200);

    await h.pool.query(`UPDATE rollup_state SET time_zone = 'Asia/Tokyo'`);
    const stale = await h.app.inject({ method: 'GET', url, headers: bearer(reader) });
    expect(stale.statusCode).toBe(503);
    expect(stale.headers['retry-after']).toBe('5');
    expect(stale.json().message).toContain(ZONE);
    const complaints = await h.app.inject({ method: 'GET', url: url.replace('service-load', 'complaints'), headers: bearer(reader) });
    expect(complaints.statusCode).toBe(503);

    await ensureRollups(h.pool, ZONE);
    const after = await h.app.inject({ method: 'GET', url, headers: bearer(reader) });
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual(before.json());
  });
});
