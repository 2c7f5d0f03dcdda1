// Remaining useful life end to end: an engine's C-MAPSS flights posted as telemetry, scored by the
// workers with the model they trained from CMAPSS_DIR, read back from the route and refreshed as more flights land.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRulModel, predictRul, type RulFlight } from '@servicetower/domain';
import { ensureRulModel, readCmapssFile, refreshDeviceRul, resolveCmapssDir } from '@servicetower/workers';
import { bearer, startHarness, waitFor, type Harness } from './support/harness.js';

const DATA = resolveCmapssDir(process.env.CMAPSS_DIR || '../shared/data/cmapss');
/** Training on the first engines of train_FD001 keeps the test quick; `npm run eval:rul` judges the full model. */
const TRAINING_ENGINES = 20;
/** FD001 test unit 10: 192 flights, then 96 more to failure (RUL_FD001.txt). */
const UNIT = 10;
const TRUE_RUL = 96;
const HELD_BACK = 20;
const DAY = 86_400_000;

const ENGINE_SENSORS = [
  { name: 'cycle', unit: 'flights', min: 1, max: 1000 },
  ...['op1', 'op2', 'op3'].map((name) => ({ name, unit: '', min: -1, max: 101 })),
  ...Array.from({ length: 21 }, (_, i) => ({ name: `s${i + 1}`, unit: '', min: 0, max: 10_000 })),
];

describe('remaining useful life of engines', () => {
  let h: Harness;
  let dir: string;
  let flights: RulFlight[];
  let reader: string;

  const put = async (url: string, payload: object) => {
    const response = await h.app.inject({ method: 'PUT', url: `/api/v1/${url}`, payload, headers: bearer(h.adminKey) });
    expect(response.statusCode, response.body).toBe(200);
  };
  const postFlights = async (deviceId: string, some: RulFlight[]) => {
    const readings = some.map((flight) => ({ at: new Date(Date.parse('2026-01-01T00:00:00Z') + flight.cycle * DAY).toISOString(), values: { cycle: flight.cycle, ...flight.values } }));
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', payload: [{ deviceId, readings }], headers: bearer(h.adminKey) });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toMatchObject({ accepted: 1, rejectedCount: 0 });
  };
  const rulOf = (deviceId: string, token = reader) => h.app.inject({ method: 'GET', url: `/api/v1/devices/${deviceId}/rul`, headers: bearer(token) });
  const storedModel = async (modelId: string) => {
    const { rows } = await h.pool.query('SELECT params FROM rul_model WHERE model_id = $1', [modelId]);
    return parseRulModel(rows[0].params);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'servicetower-cmapss-'));
    const lines = (await readFile(join(DATA, 'train_FD001.txt'), 'utf8')).split('\n').filter((line) => {
      const unit = Number(line.trim().split(/\s+/)[0]);
      return unit >= 1 && unit <= TRAINING_ENGINES;
    });
    await writeFile(join(dir, 'train_FD001.txt'), `${lines.join('\n')}\n`);
    flights = (await readCmapssFile(join(DATA, 'test_FD001.txt'))).engines.find((engine) => engine.unit === UNIT)!.flights;
    h = await startHarness({ workers: true, env: { CMAPSS_DIR: dir } });
    reader = await h.key(['read']);
    await put('regions/north', { name: 'North' });
    await put('regions/south', { name: 'South' });
    await put('outlets/bj-01', { name: 'Beijing 1', regionId: 'north', technicians: 3, lat: 39.9, lon: 116.4 });
    await put('device-models/cmapss-turbofan', { name: 'Turbofan engine (NASA C-MAPSS FD001)', sensors: ENGINE_SENSORS });
    await put('device-models/display-pro', { name: 'Commercial display', sensors: [{ name: 'panel_temp', unit: '°C', min: 20, max: 55 }] });
    await put('devices/eng-x', { modelId: 'cmapss-turbofan', outletId: 'bj-01' });
    await put('devices/eng-quiet', { modelId: 'cmapss-turbofan', outletId: 'bj-01' });
    await put('devices/dsp-1', { modelId: 'display-pro', outletId: 'bj-01' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('estimates an engine from its ingested flights as the stored model does, near its true remaining life', async () => {
    const first = flights.slice(0, -HELD_BACK);
    await postFlights('eng-x', first);
    await waitFor(async () => (await rulOf('eng-x')).statusCode === 200, 120_000, 'the first RUL estimate');
    const answer = (await rulOf('eng-x')).json();
    expect(answer).toMatchObject({ deviceId: 'eng-x', cyclesFlown: first.length, lastReadingAt: new Date(Date.parse('2026-01-01T00:00:00Z') + first.length * DAY).toISOString() });

    const model = await storedModel(answer.modelId);
    expect(model.trainedOn.engines).toBe(TRAINING_ENGINES);
    expect(answer.rulCycles).toBeCloseTo(predictRul(model, first)!, 9);
    expect(Math.abs(answer.rulCycles - (TRUE_RUL + HELD_BACK))).toBeLessThan(35);

    const { rows } = await h.pool.query('SELECT training_source, training_rows FROM rul_model');
    expect(rows).toEqual([{ training_source: join(dir, 'train_FD001.txt'), training_rows: model.trainedOn.rows }]);
  });

  it('refreshes the estimate as more flights arrive', async () => {
    const before = (await rulOf('eng-x')).json();
    await postFlights('eng-x', flights.slice(-HELD_BACK));
    await waitFor(async () => (await rulOf('eng-x')).json().cyclesFlown === flights.length, 60_000, 'the refreshed RUL estimate');
    const after = (await rulOf('eng-x')).json();
    const model = await storedModel(after.modelId);
    expect(after.modelId).toBe(before.modelId);
    expect(after.rulCycles).toBeCloseTo(predictRul(model, flights)!, 9);
    expect(Math.abs(after.rulCycles - TRUE_RUL)).toBeLessThan(35);
    expect(Date.parse(after.computedAt)).toBeGreaterThan(Date.parse(before.computedAt));
    // Scoring again without a model given uses the newest stored one, and skips devices that are not engines.
    expect(await refreshDeviceRul(h.pool, ['eng-x', 'dsp-1', 'eng-quiet'])).toBe(1);
    expect((await rulOf('eng-x')).json()).toMatchObject({ cyclesFlown: flights.length, rulCycles: after.rulCycles });
  });

  it('says why there is no estimate: unknown device, not an engine, no flights yet, or outside the key’s regions', async () => {
    const display = [{ deviceId: 'dsp-1', readings: [{ at: '2026-01-02T00:00:00Z', values: { panel_temp: 38 } }] }];
    const posted = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', payload: display, headers: bearer(h.adminKey) });
    expect(posted.statusCode, posted.body).toBe(202);
    await h.drained();
    const cases = [
      { id: 'eng-nope', message: /No device "eng-nope"/ },
      { id: 'dsp-1', message: /not an engine/ },
      { id: 'eng-quiet', message: /no remaining-life estimate yet/ },
    ];
    for (const { id, message } of cases) {
      const response = await rulOf(id);
      expect(response.statusCode).toBe(404);
      expect(response.json().message).toMatch(message);
    }
    expect((await rulOf('eng-x', await h.key(['read'], ['south']))).statusCode).toBe(404);
    expect((await rulOf('eng-x', await h.key(['read'], ['north']))).statusCode).toBe(200);
    expect((await rulOf('eng-x', await h.key(['telemetry']))).statusCode).toBe(403);
  });

  it('keeps the stored model while the training file is unchanged, and trains anew when it changes', async () => {
    const stored = (await rulOf('eng-x')).json().modelId;
    expect((await ensureRulModel(h.pool, h.config)).modelId).toBe(stored);
    const fewer = (await readFile(join(dir, 'train_FD001.txt'), 'utf8')).split('\n').filter((line) => /^[1-3] /.test(line));
    await writeFile(join(dir, 'train_FD001.txt'), `${fewer.join('\n')}\n`);
    const retrained = await ensureRulModel(h.pool, h.config);
    expect(retrained.modelId).not.toBe(stored);
    expect(retrained.model.trainedOn.engines).toBe(3);
    expect(await h.count('SELECT 1 FROM rul_model')).toBe(2);
  });
});
