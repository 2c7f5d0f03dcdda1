// Telemetry alarms end to end: rules through the API, readings through the ingestion API and the workers,
// alarms read, acknowledged and resolved through the API. Each rule trips on a series built to trip it and
// stays quiet on its twin built not to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAlarms } from '@servicetower/workers';
import { bearer, seedReference, startHarness, waitFor, type Harness } from './support/harness.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const MINUTE = 60_000;
const at = (minute: number, base = T0) => new Date(base + minute * MINUTE).toISOString();
/** One reading a minute of one sensor, from `first` minutes after `base`. */
const readings = (sensor: string, values: number[], first = 0, base = T0) => values.map((value, i) => ({ at: at(first + i, base), values: { [sensor]: value } }));

type AlarmItem = { alarmId: string; ruleId: string; deviceId: string; status: string; severity: string; triggerCount: number } & Record<string, unknown>;

describe('telemetry alarms', () => {
  let h: Harness;
  let admin: string;
  let reader: string;
  const now = Date.now();

  const put = async (url: string, payload: object, token = h.adminKey) =>
    h.app.inject({ method: 'PUT', url: `/api/v1/${url}`, payload, headers: bearer(token) });
  const post = async (records: object[]) => {
    const response = await h.app.inject({ method: 'POST', url: '/api/v1/ingest/telemetry', payload: records, headers: bearer(h.adminKey) });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json().rejected).toEqual([]);
    await h.drained();
  };
  const alarms = async (query = '', token = reader): Promise<AlarmItem[]> => {
    const response = await h.app.inject({ method: 'GET', url: `/api/v1/alarms${query}`, headers: bearer(token) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  };
  const alarmOf = async (ruleId: string, deviceId: string) => (await alarms(`?device=${deviceId}`)).filter((a) => a.ruleId === ruleId);
  const act = (id: string, action: 'acknowledge' | 'resolve', token = admin) =>
    h.app.inject({ method: 'POST', url: `/api/v1/alarms/${id}/${action}`, headers: bearer(token) });

  beforeAll(async () => {
    h = await startHarness({ workers: true });
    await seedReference(h.app, h.adminKey);
    admin = await h.key(['admin']);
    reader = await h.key(['read']);
    for (const [url, body] of [
      ['device-models/boiler', { name: 'Boiler', sensors: [{ name: 'temp', unit: '°C', min: 20, max: 90 }] }],
      ['device-models/pump', { name: 'Pump', sensors: [{ name: 'flow', unit: 'l/min', min: 0, max: 100 }] }],
      ['devices/boil-1', { modelId: 'boiler', outletId: 'gz-01', customerId: 'C-7' }],
      ['devices/pump-1', { modelId: 'pump', outletId: 'bj-01' }],
      ['devices/pump-2', { modelId: 'pump', outletId: 'bj-01' }],
    ] as const) {
      const response = await put(url, body);
      expect(response.statusCode, response.body).toBe(200);
    }
    const rules = {
      's2-limit': { modelId: 'engine', sensor: 's2', kind: 'limit', params: { low: 640, high: 645, holdSeconds: 300 }, severity: 'warning', escalateAfterSeconds: 600 },
      's3-rate': { modelId: 'engine', sensor: 's3', kind: 'rate', params: { maxPerMinute: 2, windowSeconds: 300 }, severity: 'warning' },
      's4-drift': { modelId: 'engine', sensor: 's4', kind: 'drift', params: { baselineCount: 20, recentCount: 5, k: 4 }, severity: 'warning', escalateAfterSeconds: 600 },
      'boiler-hot': { modelId: 'boiler', sensor: 'temp', kind: 'limit', params: { high: 90, holdSeconds: 0 }, severity: 'critical', createServiceOrder: true, productLine: 'tv' },
      'pump-stale': { modelId: 'pump', sensor: 'flow', kind: 'stale', params: { staleSeconds: 3600 }, severity: 'warning' },
    };
    for (const [id, body] of Object.entries(rules)) {
      const response = await put(`alarm-rules/${id}`, body, admin);
      expect(response.statusCode, response.body).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('take rules only with the parameters of their kind, on a sensor the model has', async () => {
    const rule = { modelId: 'engine', sensor: 's2', kind: 'rate', params: { maxPerMinute: 2, holdSeconds: 60 }, severity: 'warning' };
    const wrongParams = await put('alarm-rules/bad', rule, admin);
    expect(wrongParams.statusCode).toBe(400);
    expect(wrongParams.json().errors).toEqual([
      { path: 'body/params/holdSeconds', message: 'is not a parameter of a rate rule, which takes maxPerMinute, windowSeconds' },
      { path: 'body/params/windowSeconds', message: 'is required for a rate rule' },
    ]);
    const negative = await put('alarm-rules/bad', { ...rule, params: { maxPerMinute: -1, windowSeconds: 60 } }, admin);
    expect(negative.statusCode).toBe(400);
    expect(negative.json().message).toContain('body/params/maxPerMinute');
    const noProductLine = await put('alarm-rules/bad', { ...rule, params: { maxPerMinute: 2, windowSeconds: 60 }, createServiceOrder: true }, admin);
    expect(noProductLine.statusCode).toBe(400);
    expect(noProductLine.json().errors[0].path).toBe('body/productLine');
    const noSensor = await put('alarm-rules/bad', { ...rule, sensor: 's9', params: { maxPerMinute: 2, windowSeconds: 60 } }, admin);
    expect(noSensor.statusCode).toBe(422);
    expect(noSensor.json().errors).toEqual([{ path: 'body/sensor', message: 'device model "engine" has no sensor "s9": add it to the model\'s sensors first' }]);
    const noModel = await put('alarm-rules/bad', { ...rule, modelId: 'rocket', params: { maxPerMinute: 2, windowSeconds: 60 } }, admin);
    expect(noModel.statusCode).toBe(422);
    expect(noModel.json().errors[0].path).toBe('body/modelId');
    expect((await put('alarm-rules/bad', { ...rule, params: { maxPerMinute: 2, windowSeconds: 60 } }, reader)).statusCode).toBe(403);
    // Only the rules stored are in the audit log, each with who put it and what.
    const audited = await h.pool.query(`SELECT actor_kind, target, detail FROM audit_log WHERE action = 'alarm-rule.put' ORDER BY audit_id`);
    expect(audited.rows.map((row) => row.target)).toEqual(['s2-limit', 's3-rate', 's4-drift', 'boiler-hot', 'pump-stale'].map((id) => `alarm-rule:${id}`));
    expect(audited.rows[0]).toMatchObject({ actor_kind: 'key', detail: { kind: 'limit', sensor: 's2', params: { high: 645 } } });

    const list = await h.app.inject({ method: 'GET', url: '/api/v1/alarm-rules?model=engine', headers: bearer(reader) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((r: { ruleId: string }) => r.ruleId)).toEqual(['s2-limit', 's3-rate', 's4-drift']);
    expect(list.json().items[0]).toMatchObject({ params: { low: 640, high: 645, holdSeconds: 300 }, escalateAfterSeconds: 600, createServiceOrder: false, enabled: true });
  });

  it('open one alarm on a limit breach held long enough, none on one shorter than the hold', async () => {
    await post([
      { deviceId: 'eng-1', readings: readings('s2', [643, 646, 647, 650, 648, 647, 646, 646]) }, // above 645 from minute 1 to 7
      { deviceId: 'eng-2', readings: readings('s2', [643, 650, 650, 650, 643]) }, // 2 minutes above
    ]);
    await waitFor(async () => (await alarmOf('s2-limit', 'eng-1')).length > 0, 10_000, 'the limit alarm');
    const [alarm] = await alarmOf('s2-limit', 'eng-1');
    expect(alarm).toMatchObject({ status: 'open', severity: 'warning', kind: 'limit', sensor: 's2', triggerCount: 1, value: 646, readingAt: at(7) });
    expect(alarm!.message).toContain('s2 has been above 645 °R for 6 min');
    expect(await alarmOf('s2-limit', 'eng-2')).toEqual([]);
  });

  it('update the open alarm when the breach goes on, never open a second', async () => {
    await post([{ deviceId: 'eng-1', readings: readings('s2', [647, 649], 8) }]);
    await post([{ deviceId: 'eng-1', readings: readings('s2', [648], 10) }]);
    await waitFor(async () => (await alarmOf('s2-limit', 'eng-1'))[0]?.triggerCount === 3, 10_000, 'the repeats');
    const open = await alarmOf('s2-limit', 'eng-1');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ triggerCount: 3, value: 648, readingAt: at(10) });
    // The same readings again change nothing.
    await post([{ deviceId: 'eng-1', readings: readings('s2', [648], 10) }]);
    expect((await alarmOf('s2-limit', 'eng-1'))[0]!.triggerCount).toBe(3);
    expect(await h.count(`SELECT 1 FROM alarm WHERE rule_id = 's2-limit' AND status <> 'resolved'`)).toBe(1);
  });

  it('open a rate alarm on a fast rise, none on a slow trend', async () => {
    await post([
      { deviceId: 'eng-1', readings: readings('s3', [1600, 1600, 1600, 1600, 1600, 1600, 1603, 1606, 1609, 1612, 1615]) },
      { deviceId: 'eng-2', readings: readings('s3', Array.from({ length: 20 }, (_, i) => 1600 + i)) },
    ]);
    await waitFor(async () => (await alarmOf('s3-rate', 'eng-1')).length > 0, 10_000, 'the rate alarm');
    expect((await alarmOf('s3-rate', 'eng-1'))[0]!.message).toMatch(/^s3 rose 15 °R in 5 min \(3 a minute, limit 2\)/);
    expect(await alarmOf('s3-rate', 'eng-2')).toEqual([]);
  });

  it('open a drift alarm when the device leaves its own baseline, none for a single outlier', async () => {
    const noise = [0.3, -0.5, 0.1, 0.6, -0.2, -0.4, 0.5, 0, -0.6, 0.2];
    const baseline = Array.from({ length: 20 }, (_, i) => 1400 + noise[i % 10]!);
    await post([
      { deviceId: 'eng-1', readings: readings('s4', [...baseline, 1403, 1404, 1403.5, 1404.2, 1403.8]) },
      { deviceId: 'eng-2', readings: readings('s4', [...baseline, 1400.2, 1400.1, 1500, 1399.9, 1400.3]) },
    ]);
    await waitFor(async () => (await alarmOf('s4-drift', 'eng-1')).length > 0, 10_000, 'the drift alarm');
    expect((await alarmOf('s4-drift', 'eng-1'))[0]!.message).toContain('s4 has drifted up');
    expect(await alarmOf('s4-drift', 'eng-2')).toEqual([]);
  });

  it('create exactly one proactive service order for a critical alarm, even when it repeats', async () => {
    await post([{ deviceId: 'boil-1', readings: readings('temp', [80, 95]) }]);
    await post([{ deviceId: 'boil-1', readings: readings('temp', [97], 2) }]);
    await waitFor(async () => (await h.count(`SELECT 1 FROM service_order WHERE channel = 'proactive'`)) > 0, 10_000, 'the proactive order');
    const [alarm] = await alarmOf('boiler-hot', 'boil-1');
    expect(alarm).toMatchObject({ severity: 'critical', triggerCount: 2, serviceOrderId: `ALM-${alarm!.alarmId}` });
    const { rows } = await h.pool.query('SELECT order_id, status, channel, device_id, outlet_id, product_line, customer_id FROM service_order');
    expect(rows).toEqual([
      { order_id: `ALM-${alarm!.alarmId}`, status: 'created', channel: 'proactive', device_id: 'boil-1', outlet_id: 'gz-01', product_line: 'tv', customer_id: 'C-7' },
    ]);
    expect(await h.count(`SELECT 1 FROM service_order_event WHERE order_id = $1`, [`ALM-${alarm!.alarmId}`])).toBe(1);
  });

  it('show a region-limited key only the alarms of devices in its regions', async () => {
    const south = await h.key(['read'], ['south']);
    const seen = await alarms('', south);
    expect(seen.map((a) => a.deviceId)).toEqual(['boil-1']);
    const [northern] = await alarmOf('s2-limit', 'eng-1');
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/alarms/${northern!.alarmId}`, headers: bearer(south) })).statusCode).toBe(404);
    expect((await alarms('?severity=critical')).map((a) => a.ruleId)).toEqual(['boiler-hot']);
  });

  it('open a stale alarm when a sensor stops reporting, and escalate alarms left unacknowledged', async () => {
    await post([{ deviceId: 'pump-1', readings: readings('flow', [40, 41], -5, now) }]);
    expect(await checkAlarms(h.pool, new Date(now))).toEqual([]);
    expect(await alarmOf('pump-stale', 'pump-1')).toEqual([]);

    const [drift] = await alarmOf('s4-drift', 'eng-1');
    expect((await act(drift!.alarmId, 'acknowledge')).statusCode).toBe(200);
    const later = new Date(now + 2 * 3600_000);
    const changed = await checkAlarms(h.pool, later);
    expect(changed.map((a) => a.ruleId).sort()).toEqual(['pump-stale', 's2-limit']);

    const [stale] = await alarmOf('pump-stale', 'pump-1');
    expect(stale).toMatchObject({ kind: 'stale', status: 'open', value: 41, readingAt: at(-4, now) });
    expect(stale!.message).toMatch(/^No flow reading for 2 h 4 min/);
    expect(await alarmOf('pump-stale', 'pump-2')).toEqual([]); // never heard from
    const [limit] = await alarmOf('s2-limit', 'eng-1');
    expect(limit).toMatchObject({ severity: 'critical', escalatedAt: later.toISOString() });
    expect((await alarmOf('s4-drift', 'eng-1'))[0]).toMatchObject({ severity: 'warning', escalatedAt: null });

    // The next check finds the same silence: no repeat, no second escalation.
    expect(await checkAlarms(h.pool, new Date(now + 3 * 3600_000))).toEqual([]);
    expect((await alarmOf('pump-stale', 'pump-1'))[0]!.triggerCount).toBe(1);
  });

  it('run the periodic check from the maintenance queue', async () => {
    await post([{ deviceId: 'pump-2', readings: readings('flow', [10], -3, now) }]);
    await h.app.queues.maintenance.add('alarm-check', { task: 'alarms', now: new Date(now + 2 * 3600_000).toISOString() });
    await waitFor(async () => (await alarmOf('pump-stale', 'pump-2')).length > 0, 10_000, 'the stale alarm of pump-2');
  });

  it('let an admin acknowledge then resolve, record who and when, and refuse any other move', async () => {
    const [alarm] = await alarmOf('s2-limit', 'eng-1');
    const id = alarm!.alarmId;
    expect((await act(id, 'acknowledge', reader)).statusCode).toBe(403);
    expect((await act('999999', 'acknowledge')).statusCode).toBe(404);

    const acknowledged = await act(id, 'acknowledge');
    expect(acknowledged.statusCode, acknowledged.body).toBe(200);
    expect(acknowledged.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'test-admin' });
    expect(Math.abs(Date.parse(acknowledged.json().acknowledgedAt) - Date.now())).toBeLessThan(60_000);
    const again = await act(id, 'acknowledge');
    expect(again.statusCode).toBe(409);
    expect(again.json().message).toMatch(new RegExp(`^Alarm ${id} is already acknowledged by test-admin at .+, so it cannot be acknowledged: it can still be resolved\\.$`));

    const resolved = await act(id, 'resolve');
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json()).toMatchObject({ status: 'resolved', resolvedBy: 'test-admin', acknowledgedBy: 'test-admin' });
    expect((await act(id, 'resolve')).statusCode).toBe(409);
    const late = await act(id, 'acknowledge');
    expect(late.statusCode).toBe(409);
    expect(late.json().message).toContain('is resolved by test-admin');

    const [stale] = await alarmOf('pump-stale', 'pump-1');
    expect((await act(stale!.alarmId, 'resolve')).json()).toMatchObject({ status: 'resolved', acknowledgedBy: null, resolvedBy: 'test-admin' });

    const detail = await h.app.inject({ method: 'GET', url: `/api/v1/alarms/${id}`, headers: bearer(reader) });
    expect(detail.json().events.map((e: { action: string; actor: string }) => `${e.action}:${e.actor}`)).toEqual([
      'opened:system', 'repeated:system', 'repeated:system', 'escalated:system', 'acknowledged:test-admin', 'resolved:test-admin',
    ]);
  });

  it('open a new alarm when a resolved one’s rule trips again', async () => {
    await post([{ deviceId: 'eng-1', readings: readings('s2', [650, 650, 650, 650, 650, 650], 20) }]);
    await waitFor(async () => (await alarmOf('s2-limit', 'eng-1')).length === 2, 10_000, 'the new alarm');
    expect((await alarmOf('s2-limit', 'eng-1')).map((a) => `${a.status}:${a.triggerCount}`)).toEqual(['open:1', 'resolved:3']);
  });
});
