// Working on alarms where they are seen (issue 6): acknowledging and resolving from a device's page, the fleet
// list following a critical alarm without a reload, and the alarm rules edited in the alarms view by an admin,
// read by everyone else. Rules and readings are made during the test through the API, as the admin.
import type { Alarm, AlarmRule, FleetDevice } from '@servicetower/domain';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BREAKING, devicesOf, putRule, reportUntil } from '../support/alarms.js';
import { api, desk, e2e, expectText, launch, screenshot, send } from '../support/browser.js';

let browser: Browser & { dispose(): Promise<void> };
/** The engineer's (or viewer's) tab, and the admin's beside it. */
const userTab = desk(() => browser);
const adminTab = desk(() => browser);

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await userTab.close();
  await adminTab.close();
  await browser?.dispose();
});

const alarmsOf = async (page: Page, query: Record<string, string>) => (await api<{ items: Alarm[] }>(page, '/api/v1/alarms', { ...query, limit: 200 })).items;
const ruleOf = async (page: Page, id: string) => (await api<{ items: AlarmRule[] }>(page, '/api/v1/alarm-rules')).items.find((r) => r.ruleId === id);
const markNoReload = (page: Page) => page.evaluate(() => Object.assign(window, { e2eNoReload: true }));
const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload === true);

describe('a device’s alarms, as an engineer', () => {
  it('are acknowledged and then resolved from the device’s page, and the API records both by the engineer', async () => {
    const admin = await adminTab.as('admin');
    const modelId = 'security-camera';
    const { sensor, threshold, value } = BREAKING[modelId]!;
    const [device] = await devicesOf(admin, modelId, 'south');
    expect(device, 'a security camera in the simulated fleet').toBeDefined();
    await putRule(admin, 'e2e-device-ack', { modelId, sensor, kind: 'limit', params: { high: threshold, holdSeconds: 0 }, severity: 'warning' });

    const engineer = await userTab.as('engineer', `/#/devices/${device!.id}`);
    await expectText(engineer.getByTestId('device-title'), `Device ${device!.id}`);
    await expect.poll(() => engineer.getByTestId('status-indicator').textContent()).toMatch(/Live updates on/);
    await markNoReload(engineer);

    // The alarm the reading raises, once the API lists it, and its buttons on the page (live, without a reload).
    let alarm: Alarm | undefined;
    await reportUntil(admin, { deviceId: device!.id, sensor, value }, async () => {
      alarm ??= (await alarmsOf(engineer, { device: device!.id, status: 'open' })).find((a) => a.ruleId === 'e2e-device-ack');
      return alarm !== undefined && (await engineer.getByTestId(`alarm-acknowledge-${alarm.alarmId}`).count()) > 0;
    });
    expect(await notReloaded(engineer)).toBe(true);
    await expectText(engineer.getByTestId('device-alarms-row-0-alarmId'), alarm!.alarmId);
    await expectText(engineer.getByTestId('device-alarms-row-0-status'), 'Open');
    await screenshot(engineer, 'device-alarms');

    await engineer.getByTestId(`alarm-acknowledge-${alarm!.alarmId}`).click();
    await expectText(engineer.getByTestId('device-alarms-row-0-status'), 'Acknowledged');
    expect(await engineer.getByTestId(`alarm-acknowledge-${alarm!.alarmId}`).count()).toBe(0);
    const acknowledged = (await alarmsOf(engineer, { device: device!.id })).find((a) => a.alarmId === alarm!.alarmId);
    expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedBy: e2e().users.engineer.username });

    await engineer.getByTestId(`alarm-resolve-${alarm!.alarmId}`).click();
    await expect.poll(() => engineer.getByTestId(`alarm-resolve-${alarm!.alarmId}`).count()).toBe(0);
    const resolved = (await alarmsOf(engineer, { device: device!.id })).find((a) => a.alarmId === alarm!.alarmId);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: e2e().users.engineer.username });
    // Resolved alarms go below the ones still to do: with none left, it is the first row again, resolved.
    await expectText(engineer.getByTestId('device-alarms-row-0-status'), 'Resolved');
    expect(await notReloaded(engineer)).toBe(true);
  });
});

describe('the fleet list', () => {
  it('shows a device turning critical when a critical alarm is raised, without a reload', async () => {
    const admin = await adminTab.as('admin');
    const modelId = 'display-pro';
    const { sensor, threshold, value } = BREAKING[modelId]!;
    const { items: fleet } = await api<{ items: FleetDevice[] }>(admin, '/api/v1/devices', { limit: 200 });
    // A display the list shows on its first screen (100 rows), healthy before the test.
    const device = fleet.slice(0, 100).find((d) => d.modelId === modelId && d.health !== 'critical');
    expect(device, 'a display that is not critical among the first 100 devices').toBeDefined();
    const id = device!.id;

    const engineer = await userTab.as('engineer', '/#/fleet');
    await expectText(engineer.getByTestId(`fleet-health-${id}`), device!.health === 'ok' ? 'OK' : 'Warning');
    await expectText(engineer.getByTestId(`fleet-critical-${id}`), String(device!.openAlarms.critical));
    await expect.poll(() => engineer.getByTestId('status-indicator').textContent()).toMatch(/Live updates on/);
    await markNoReload(engineer);

    await putRule(admin, 'e2e-fleet-live', { modelId, sensor, kind: 'limit', params: { high: threshold, holdSeconds: 0 }, severity: 'critical' });
    const started = Date.now();
    await reportUntil(admin, { deviceId: id, sensor, value }, async () => (await engineer.getByTestId(`fleet-health-${id}`).textContent())?.trim() === 'Critical');
    console.log(`[e2e] fleet row critical ${((Date.now() - started) / 1000).toFixed(1)} s after the rule was made`);
    expect(await notReloaded(engineer)).toBe(true);
    await expectText(engineer.getByTestId(`fleet-critical-${id}`), String(device!.openAlarms.critical + 1));

    // What the page shows is what the API answers now, and stays so once the list has asked again.
    const now = (await api<{ items: FleetDevice[] }>(engineer, '/api/v1/devices', { limit: 200 })).items.find((d) => d.id === id)!;
    expect(now).toMatchObject({ health: 'critical', openAlarms: { critical: device!.openAlarms.critical + 1 } });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    await expectText(engineer.getByTestId(`fleet-health-${id}`), 'Critical');
    await expectText(engineer.getByTestId(`fleet-critical-${id}`), String(now.openAlarms.critical));
    await screenshot(engineer, 'fleet-live');
  });
});

describe('alarm rules', () => {
  const RULE = 'e2e-form-rule';

  it('are created and changed by an admin through the form, and read back from the API as saved', async () => {
    const admin = await adminTab.as('admin', '/#/alarms?tab=rules');
    await admin.getByTestId('alarm-rules').waitFor();
    await admin.getByTestId('alarm-rule-new').click();
    await admin.getByTestId('alarm-rule-id').fill(RULE);
    await admin.getByTestId('alarm-rule-model').selectOption('laptop-fleet');
    await admin.getByTestId('alarm-rule-sensor').selectOption('battery_temp');
    await admin.getByTestId('alarm-rule-kind').selectOption('limit');
    await admin.getByTestId('alarm-rule-param-high').fill('70');
    await admin.getByTestId('alarm-rule-param-holdSeconds').fill('120');
    await admin.getByTestId('alarm-rule-severity').selectOption('critical');
    await admin.getByTestId('alarm-rule-enabled').uncheck();
    await admin.getByTestId('alarm-rule-submit').click();
    await expectText(admin.getByTestId('alarm-rule-saved'), `Rule ${RULE} saved: it applies to readings from now on.`);
    expect(await ruleOf(admin, RULE)).toMatchObject({
      modelId: 'laptop-fleet', sensor: 'battery_temp', kind: 'limit', params: { high: 70, holdSeconds: 120 }, severity: 'critical', enabled: false,
      createServiceOrder: false, productLine: null, escalateAfterSeconds: null,
    });

    // Changed: another kind, its own parameters only.
    await admin.getByTestId(`alarm-rule-edit-${RULE}`).click();
    expect(await admin.getByTestId('alarm-rule-id').inputValue()).toBe(RULE);
    expect(await admin.getByTestId('alarm-rule-param-high').inputValue()).toBe('70');
    await admin.getByTestId('alarm-rule-kind').selectOption('rate');
    await admin.getByTestId('alarm-rule-param-maxPerMinute').fill('2.5');
    await admin.getByTestId('alarm-rule-param-windowSeconds').fill('600');
    await admin.getByTestId('alarm-rule-escalate').fill('900');
    await admin.getByTestId('alarm-rule-submit').click();
    await expectText(admin.getByTestId('alarm-rule-saved'), `Rule ${RULE} saved: it applies to readings from now on.`);
    const changed = await ruleOf(admin, RULE);
    expect(changed).toMatchObject({ kind: 'rate', params: { maxPerMinute: 2.5, windowSeconds: 600 }, escalateAfterSeconds: 900, severity: 'critical' });
    expect(changed!.params).not.toHaveProperty('high');
    // The list shows the rule as saved.
    const row = admin.getByTestId('alarm-rules-table').locator('tbody tr').filter({ hasText: RULE });
    await expect.poll(async () => (await row.textContent()) ?? '').toContain('maxPerMinute 2.5, windowSeconds 600');
    await screenshot(admin, 'alarm-rules');
  });

  it('refused by the server show its message beside the form, and nothing changes', async () => {
    const admin = await adminTab.as('admin', '/#/alarms?tab=rules');
    const before = await ruleOf(admin, RULE);
    expect(before).toBeDefined();
    await admin.getByTestId(`alarm-rule-edit-${RULE}`).click();
    await admin.getByTestId('alarm-rule-kind').selectOption('limit');
    await admin.getByTestId('alarm-rule-param-low').fill('90');
    await admin.getByTestId('alarm-rule-param-high').fill('10');
    await admin.getByTestId('alarm-rule-param-holdSeconds').fill('0');

    // What the API says to the same body, asked by the test.
    const refused = await send<{ message: string; errors: Array<{ path: string; message: string }> }>(admin, 'PUT', `/api/v1/alarm-rules/${RULE}`, {
      modelId: 'laptop-fleet', sensor: 'battery_temp', kind: 'limit', params: { low: 90, high: 10, holdSeconds: 0 }, severity: 'critical',
      escalateAfterSeconds: 900, createServiceOrder: false, enabled: false,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('body/params/high');

    await admin.getByTestId('alarm-rule-submit').click();
    await expectText(admin.getByTestId('alarm-rule-error'), `Not saved: ${refused.body.message}`);
    await expectText(admin.getByTestId('alarm-rule-error-params.high'), refused.body.errors.find((e) => e.path === 'body/params/high')!.message);
    expect(await admin.getByTestId('alarm-rule-param-high').getAttribute('aria-invalid')).toBe('true');
    await screenshot(admin, 'alarm-rule-refused');
    expect(await ruleOf(admin, RULE)).toEqual(before);
    await admin.getByTestId('alarm-rule-cancel').click();
    await expect.poll(() => admin.getByTestId('alarm-rule-form').count()).toBe(0);
  });

  it('are read-only for a viewer: no edit controls on the rules or on a device’s alarms, and the API answers 403', async () => {
    const viewer = await userTab.as('viewer', '/#/alarms?tab=rules');
    await viewer.getByTestId('alarm-rules-read-only').waitFor();
    await expect.poll(() => viewer.getByTestId('alarm-rules-table').locator('tbody tr').filter({ hasText: RULE }).count()).toBe(1);
    expect(await viewer.locator('[data-testid="alarm-rule-new"], [data-testid^="alarm-rule-edit-"], [data-testid="alarm-rule-form"]').count()).toBe(0);
    const put = await send(viewer, 'PUT', `/api/v1/alarm-rules/${RULE}`, {
      modelId: 'laptop-fleet', sensor: 'battery_temp', kind: 'limit', params: { high: 1, holdSeconds: 0 }, severity: 'critical',
    });
    expect(put.status).toBe(403);

    // A device of the viewer's region, one with alarms if there is one: listed, without buttons; acknowledging
    // through the API is refused.
    const { items: own } = await api<{ items: FleetDevice[] }>(viewer, '/api/v1/devices', { limit: 200 });
    expect(own.every((d) => d.regionId === 'south')).toBe(true);
    const fleetFirst = [...own].sort((a, b) => Number(a.modelId === 'cmapss-turbofan') - Number(b.modelId === 'cmapss-turbofan')).slice(0, 8);
    const withAlarms = await Promise.all(fleetFirst.map(async (d) => ({ d, alarms: await alarmsOf(viewer, { device: d.id }) })));
    const shown = withAlarms.find((x) => x.alarms.length > 0) ?? withAlarms[0];
    expect(shown, 'a device in the viewer’s region').toBeDefined();
    await viewer.goto(`/#/devices/${shown!.d.id}`);
    await expectText(viewer.getByTestId('device-title'), `Device ${shown!.d.id}`);
    const listed = shown!.alarms.toSorted((a, b) => Number(a.status === 'resolved') - Number(b.status === 'resolved'));
    if (listed.length > 0) await expectText(viewer.getByTestId('device-alarms-row-0-alarmId'), listed[0]!.alarmId);
    else await viewer.getByTestId('device-alarms-empty').waitFor();
    expect(await viewer.locator('[data-testid^="alarm-acknowledge-"], [data-testid^="alarm-resolve-"]').count()).toBe(0);
    const alarmId = shown!.alarms[0]?.alarmId ?? '1';
    expect((await send(viewer, 'POST', `/api/v1/alarms/${alarmId}/acknowledge`)).status).toBe(403);
  });
});
