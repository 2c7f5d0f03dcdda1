import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, seedReference, startHarness, type Harness } from './support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await seedReference(h.app, h.adminKey);
});
afterAll(() => h?.close());

const call = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, token = h.adminKey, headers: Record<string, string> = {}) =>
  h.app.inject({ method, url: `/api/v1/${url}`, ...(payload === undefined ? {} : { payload: payload as string }), headers: { ...bearer(token), ...headers } });

describe('reference data', () => {
  it('upserts by id and gets back what was stored', async () => {
    const created = await call('PUT', 'outlets/sh-01', { name: 'Shanghai 1', regionId: 'north', technicians: 3, lat: 31.2, lon: 121.5 });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({ id: 'sh-01', name: 'Shanghai 1', regionId: 'north', technicians: 3, lat: 31.2, lon: 121.5 });
    await call('PUT', 'outlets/sh-01', { name: 'Shanghai 1', regionId: 'north', technicians: 5, lat: 31.2, lon: 121.5 });
    const got = await call('GET', 'outlets/sh-01');
    expect(got.json().technicians).toBe(5);
    const { rows } = await h.pool.query(`SELECT technicians FROM outlet WHERE outlet_id = 'sh-01'`);
    expect(rows).toEqual([{ technicians: 5 }]);
  });

  it('replaces a device model’s sensors and keeps their units and normal ranges', async () => {
    const response = await call('PUT', 'device-models/tv-x', { name: 'TV X', sensors: [{ name: 'temp', unit: '°C', min: 10, max: 70 }] });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: 'tv-x', name: 'TV X', sensors: [{ name: 'temp', unit: '°C', min: 10, max: 70 }] });
    const swapped = await call('PUT', 'device-models/tv-x', { name: 'TV X', sensors: [{ name: 'fan', unit: 'rpm', min: 0, max: 3000 }] });
    expect(swapped.json().sensors).toEqual([{ name: 'fan', unit: 'rpm', min: 0, max: 3000 }]);
  });

  it('refuses an item whose parent does not exist, naming the field and the fix', async () => {
    const response = await call('PUT', 'outlets/x-01', { name: 'X', regionId: 'atlantis', technicians: 1, lat: 0, lon: 0 });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ path: '/regionId', message: expect.stringMatching(/"atlantis" does not exist: create it first with PUT \/api\/v1\/regions\/atlantis/) }]);
  });

  it('answers 400 naming the field for a body that breaks the schema, and 422 for a sensor range upside down', async () => {
    const bad = await call('PUT', 'parts/P-1', { name: 'Fan', source: 'hq_stock', unitCost: -3 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ path: 'body/unitCost', message: 'must be at least 0, got -3' }]);
    const upside = await call('PUT', 'device-models/m', { name: 'M', sensors: [{ name: 't', unit: 'C', min: 5, max: 1 }] });
    expect(upside.statusCode).toBe(422);
    expect(upside.json().errors[0].path).toBe('/sensors/0/max');
  });

  it('lists a collection in id order, a page at a time', async () => {
    const first = await call('GET', 'regions?limit=1');
    expect(first.json()).toEqual({ items: [{ id: 'north', name: 'North' }], next: 'north' });
    const second = await call('GET', 'regions?limit=1&after=north');
    expect(second.json().items).toEqual([{ id: 'south', name: 'South' }]);
    const missing = await call('GET', 'regions/atlantis');
    expect(missing.statusCode).toBe(404);
  });

  it('keeps a region-scoped key to its regions', async () => {
    const north = await h.key(['reference'], ['north']);
    const list = await call('GET', 'outlets', undefined, north);
    expect(list.json().items.map((o: { regionId: string }) => o.regionId)).not.toContain('south');
    expect((await call('GET', 'outlets/gz-01', undefined, north)).statusCode).toBe(404);
    const foreign = await call('PUT', 'outlets/gz-02', { name: 'GZ 2', regionId: 'south', technicians: 1, lat: 23, lon: 113 }, north);
    expect(foreign.statusCode).toBe(403);
    const takeover = await call('PUT', 'outlets/gz-01', { name: 'GZ 1', regionId: 'north', technicians: 1, lat: 23, lon: 113 }, north);
    expect(takeover.statusCode).toBe(403);
    expect(takeover.json().message).toMatch(/region "south" is outside/);
    const global = await call('PUT', 'parts/P-300', { name: 'Lens', source: 'hq_procured', unitCost: 9 }, north);
    expect(global.statusCode).toBe(403);
    const ingestOnly = await h.key(['telemetry']);
    expect((await call('GET', 'outlets', undefined, ingestOnly)).statusCode).toBe(403);
  });

  it('imports CSV, storing good rows and rejecting bad ones by line', async () => {
    const csv = ['partNo,name,source,unitCost,targetDays', 'P-401,Speaker,hq_stock,12.5,', 'P-402,Battery,hq_procured,30,5', 'P-403,Lens,warehouse,9,'].join('\n');
    const response = await call('POST', 'import/parts', csv, h.adminKey, { 'content-type': 'text/csv' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      imported: 2,
      rejected: [{ index: 2, line: 4, errors: [{ path: '/source', message: expect.stringMatching(/must be one of hq_stock, hq_procured/) }] }],
    });
    const { rows } = await h.pool.query(`SELECT part_no, unit_cost::float8 AS cost, target_days::float8 AS target FROM part WHERE part_no LIKE 'P-4%' ORDER BY 1`);
    expect(rows).toEqual([{ part_no: 'P-401', cost: 12.5, target: null }, { part_no: 'P-402', cost: 30, target: 5 }]);
  });

  it('imports device models one sensor per row, and devices that then take telemetry', async () => {
    const models = ['id,name,sensor,unit,min,max', 'cam-1,Camera,temp,°C,0,60', 'cam-1,Camera,shutter,count,0,200000'].join('\n');
    const imported = await call('POST', 'import/device-models', models, h.adminKey, { 'content-type': 'text/csv' });
    expect(imported.json()).toEqual({ imported: 1, rejected: [] });
    const devices = ['id,modelId,outletId,customerId', 'cam-a,cam-1,bj-01,cust-9', 'cam-b,cam-1,nowhere,'].join('\n');
    const result = await call('POST', 'import/devices', devices, h.adminKey, { 'content-type': 'text/csv' });
    expect(result.json()).toMatchObject({ imported: 1, rejected: [{ index: 1, line: 3, errors: [{ path: '/outletId' }] }] });
    const telemetry = await call('POST', 'ingest/telemetry', [{ deviceId: 'cam-a', readings: [{ at: '2026-01-01T00:00:00Z', values: { temp: 31, shutter: 1200 } }] }]);
    expect(telemetry.statusCode).toBe(202);
    expect(telemetry.json().accepted).toBe(1);
  });
});
