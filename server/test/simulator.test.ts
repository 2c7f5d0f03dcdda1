// A small seeded run through the real API and workers: every event the simulator sent lands
// in the database once, whatever was sent late, shuffled or twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCmapssDir, type Backfill } from '@servicetower/simulator';
import { startHarness, type Harness } from './support/harness.js';
import { simulatedRun } from './support/simulated.js';

let h: Harness;
let run: Backfill;
beforeAll(async () => {
  h = await startHarness({ workers: true });
  run = await simulatedRun(h, { settings: { seed: 42, months: 1, outlets: 8, devicesPerModel: 2 }, cmapssDir: defaultCmapssDir(), telemetryEveryMs: 6 * 3_600_000 });
}, 300_000);
afterAll(() => h?.close());

describe('a seeded simulator run through the API and workers', () => {
  it('stores every event once: counts per stream equal the unique events sent, duplicates and late ones included', async () => {
    const deliveries = run.summary.deliveries as Record<string, { sent: number; unique: number; duplicates: number; late: number }>;
    expect(deliveries['service-orders']!.duplicates).toBeGreaterThan(0);
    expect(deliveries['service-orders']!.late).toBeGreaterThan(0);
    const stored = {
      'service-orders': await h.count('SELECT DISTINCT event_id FROM service_order_event'),
      parts: await h.count('SELECT DISTINCT event_id FROM parts_request_event'),
      complaints: await h.count('SELECT DISTINCT event_id FROM complaint'),
    };
    expect(stored).toEqual({
      'service-orders': run.events['service-orders'].length,
      parts: run.events.parts.length,
      complaints: run.events.complaints.length,
    });
    expect(await h.count('SELECT 1 FROM service_order_event')).toBe(stored['service-orders']);
    expect(await h.count('SELECT 1 FROM service_order')).toBe(new Set(run.events['service-orders'].map((e) => e.orderId)).size);
  });

  it('stores every reading once, the fleet and the NASA C-MAPSS engines alike', async () => {
    expect(await h.count('SELECT 1 FROM reading')).toBe(run.summary.readings);
    expect(await h.count(`SELECT DISTINCT device_id FROM reading WHERE device_id LIKE 'eng-%'`)).toBe(100);
    const { rows } = await h.pool.query(`SELECT value FROM reading WHERE device_id = 'eng-001' AND sensor = 's2' ORDER BY at LIMIT 1`);
    expect(rows).toEqual([{ value: 641.82 }]); // unit 1, cycle 1 of train_FD001.txt
  });

  it('leaves open orders, as the ground truth says', async () => {
    const open = await h.count(`SELECT 1 FROM service_order WHERE status NOT IN ('completed', 'closed', 'cancelled')`);
    const networkAtEnd = run.truth.atEnd.scopes.find((s) => s.scope === 'network');
    expect(open).toBeGreaterThan(0);
    expect(networkAtEnd).toBeDefined();
    expect(await h.count('SELECT 1 FROM service_order WHERE waiting_parts_since IS NOT NULL')).toBe(run.truth.atEnd.ordersWaitingForParts.length);
  });
});
