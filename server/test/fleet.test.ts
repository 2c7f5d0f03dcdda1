// The fleet list (GET /api/v1/devices): every device with its last report, unresolved alarms and
// remaining life, its health judged from them, filters by region, model and health, and paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetDevice } from '@servicetower/domain';
import { bearer, seedReference, startHarness, waitFor, type Harness } from './support/harness.js';

describe('fleet list', () => {
  let h: Harness;
  let reader: string;
  const list = async (query = '', token = reader): Promise<{ items: FleetDevice[]; next: string | null }> => {
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/devices${query}`, headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const send = async (deviceId: string, at: string, values: Record<string, number>) => {
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', headers: bearer(h.adminKey), payload: [{ deviceId, readings: [{ at, values }] }] });
    expect(response.statusCode, response.body).toBe(202);
  };

  beforeAll(async () => {
    h = await startHarness({ workers: true });
    await seedReference(h.app, h.adminKey);
    reader = await h.key(['read']);
    const put = (url: string, payload: object) => h.app.inject({ method: 'PUT', url: `/api/v1/${url}`, headers: bearer(h.adminKey), payload });
    expect((await put('device-models/pump', { name: 'Pump', sensors: [{ name: 'flow', unit: 'l/min', min: 0, max: 100 }] })).statusCode).toBe(200);
    expect((await put('devices/pump-1', { modelId: 'pump', outletId: 'bj-01' })).statusCode).toBe(200);
    const rule = { modelId: 'engine', sensor: 's2', kind: 'limit', params: { high: 645, holdSeconds: 0 }, severity: 'critical' };
    expect((await put('alarm-rules/s2-hot', rule)).statusCode).toBe(200);
  }, 60_000);
  afterAll(() => h?.close());

  it('lists every device with nothing known yet as ok, never seen', async () => {
    const { items, next } = await list();
    expect(items.map((d) => d.id)).toEqual(['eng-1', 'eng-2', 'pump-1']);
    expect(next).toBeNull();
    expect(items[0]).toEqual({
      id: 'eng-1', modelId: 'engine', outletId: 'bj-01', customerId: null, regionId: 'north',
      health: 'ok', lastSeenAt: null, openAlarms: { warning: 0, critical: 0 }, rulCycles: null,
    });
  });

  it('shows the latest report, never moved back by a late reading, and a critical alarm as critical health', async () => {
    await send('eng-1', '2026-03-01T10:00:00Z', { s2: 642 });
    await send('eng-1', '2026-03-01T09:00:00Z', { s2: 641 }); // late: last seen stays at 10:00
    await send('eng-2', '2026-03-01T11:00:00Z', { s2: 650 }); // above the rule's high limit
    await h.drained();
    await waitFor(async () => (await list('?health=critical')).items.length === 1, 15_000, 'the alarm');
    const { items } = await list();
    expect(items.find((d) => d.id === 'eng-1')).toMatchObject({ lastSeenAt: '2026-03-01T10:00:00.000Z', health: 'ok' });
    expect(items.find((d) => d.id === 'eng-2')).toMatchObject({ lastSeenAt: '2026-03-01T11:00:00.000Z', health: 'critical', openAlarms: { warning: 0, critical: 1 } });
    expect((await list('?health=ok')).items.map((d) => d.id)).toEqual(['eng-1', 'pump-1']);
  });

  it('judges an engine with little life left by its estimate', async () => {
    // An estimate as the RUL worker stores it (server/test/rul.test.ts trains and serves a real one).
    await h.pool.query(`INSERT INTO rul_model (model_id, training_source, training_sha256, training_rows, params) VALUES ('m', 'test', 'x', 1, '{}')`);
    await h.pool.query(`INSERT INTO device_rul (device_id, cycles_flown, rul_cycles, model_id, last_reading_at) VALUES ('eng-1', 180, 35, 'm', now())`);
    expect((await list()).items.find((d) => d.id === 'eng-1')).toMatchObject({ rulCycles: 35, health: 'warning' });
    await h.pool.query(`UPDATE device_rul SET rul_cycles = 12 WHERE device_id = 'eng-1'`);
    expect((await list()).items.find((d) => d.id === 'eng-1')).toMatchObject({ health: 'critical' });
  });

  it('filters by region and model, pages in id order, and keeps a region-scoped key to its regions', async () => {
    expect((await list('?region=south')).items.map((d) => d.id)).toEqual(['eng-2']);
    expect((await list('?model=pump')).items.map((d) => d.id)).toEqual(['pump-1']);
    const first = await list('?limit=2');
    expect([first.items.map((d) => d.id), first.next]).toEqual([['eng-1', 'eng-2'], 'eng-2']);
    expect((await list(`?limit=2&after=${first.next}`)).items.map((d) => d.id)).toEqual(['pump-1']);
    const south = await h.key(['read'], ['south']);
    expect((await list('', south)).items.map((d) => d.id)).toEqual(['eng-2']);
    const bad = await h.app.inject({ method: 'GET', url: '/api/v1/devices?health=dying', headers: bearer(reader) });
    expect(bad.statusCode).toBe(400);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/devices' })).statusCode).toBe(401);
  });
});
