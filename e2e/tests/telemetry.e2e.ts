// The engineer's views — fleet, one device, alarms — against the API, and a critical alarm raised during the
// test (rule and telemetry posted by an admin through the API) reaching the open alarms view without a reload.
import type { Alarm, DeviceCost, FleetDevice, Series } from '@servicetower/domain';
import type { Browser, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRule, reportUntil } from '../support/alarms.js';
import { api, e2e, expectChartDrawn, expectText, launch, screenshot, TIMEOUT, desk } from '../support/browser.js';
import { fmt, value } from '../support/figures.js';

let browser: Browser & { dispose(): Promise<void> };
/** The engineer's tab, and the admin's beside it: the engineer's alarms view stays open while the admin acts. */
const engineerTab = desk(() => browser);
const adminTab = desk(() => browser);
const as = (key: 'engineer' | 'admin', path?: string) => (key === 'admin' ? adminTab : engineerTab).as(key, path);

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await engineerTab.close();
  await adminTab.close();
  await browser?.dispose();
});


const fleetSummary = (items: FleetDevice[]) =>
  `${fmt(items.length)} devices shown: ${items.filter((d) => d.health === 'critical').length} critical, ${items.filter((d) => d.health === 'warning').length} warning.`;
const alarmsSummary = (items: Alarm[]) =>
  `${items.length} alarms listed: ${items.filter((a) => a.severity === 'critical').length} critical, ${items.filter((a) => a.status === 'open').length} open.`;
const dateTime = (iso: string) => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: e2e().timeZone }).format(new Date(iso));
/** Intl puts narrow no-break spaces in times; compare text with every space as one plain space. */
const spaces = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim();

describe('fleet and device, as an engineer', () => {
  it('lists the fleet as the API does, filtered by health in the URL', async () => {
    const page = await as('engineer', '/#/fleet');
    const { items } = await api<{ items: FleetDevice[] }>(page, '/api/v1/devices', { limit: 200 });
    expect(items.length).toBe(e2e().seeded.devices);
    await expectText(page.getByTestId('fleet-summary'), fleetSummary(items));
    await expectText(page.getByTestId('fleet-row-0-id'), items[0]!.id);
    expect(await page.getByTestId('fleet-table').locator('tbody tr').count()).toBe(Math.min(100, items.length));
    await screenshot(page, 'fleet');

    await page.getByTestId('filter-health').selectOption('ok');
    await expect.poll(() => page.url()).toContain('health=ok');
    const ok = (await api<{ items: FleetDevice[] }>(page, '/api/v1/devices', { limit: 200, health: 'ok' })).items;
    await expectText(page.getByTestId('fleet-summary'), fleetSummary(ok));
    await page.reload();
    await expectText(page.getByTestId('fleet-summary'), fleetSummary(ok));
    expect(await page.getByTestId('filter-health').inputValue()).toBe('ok');
  });

  it('shows a device’s last day of readings, its cost per operating hour and why it has no remaining-life estimate', async () => {
    const page = await as('engineer', '/#/fleet');
    const { id } = e2e().telemetryDevice;
    const series = page.waitForResponse((r) => r.url().includes(`/api/v1/devices/${id}/series`), { timeout: TIMEOUT });
    const cost = page.waitForResponse((r) => r.url().includes(`/api/v1/devices/${id}/cost`), { timeout: TIMEOUT });
    await page.getByTestId('fleet-table').getByRole('link', { name: id, exact: true }).click();
    await expectText(page.getByTestId('device-title'), `Device ${id}`);
    expect(page.url()).toContain(`#/devices/${id}`);

    // The readings the page asked for (the last 24 hours by default), asked again by the test.
    const seriesUrl = new URL((await series as Response).url());
    const from = Date.parse(seriesUrl.searchParams.get('from')!);
    const to = Date.parse(seriesUrl.searchParams.get('to')!);
    expect((to - from) / 3_600_000).toBeCloseTo(24, 1);
    expect(Math.abs(to - Date.now())).toBeLessThan(5 * 60_000);
    const answer = await api<Series>(page, `${seriesUrl.pathname}${seriesUrl.search}`);
    const points = answer.series.reduce((n, s) => n + s.points.length, 0);
    expect(points).toBeGreaterThan(0);
    const first = answer.series.find((s) => s.points.length > 0)!;
    // Raw readings carry a value, bucketed ones (longer ranges) a mean: the chart draws either.
    const lastPoint = first.points.at(-1) as { at: string; value?: number; mean?: number };
    const last = { at: lastPoint.at, value: lastPoint.value ?? lastPoint.mean! };
    const resolutions = [...new Set(answer.series.map((s) => s.resolution))].join(', ');
    await expect.poll(async () => spaces(await page.getByTestId('device-series-summary').textContent()), { timeout: TIMEOUT }).toBe(spaces(
      `${answer.series.length} sensors, ${fmt(points)} points (${resolutions}); latest ${first.sensor} ${fmt(last.value, 2)}${first.unit ? ` ${first.unit}` : ''} at ${dateTime(last.at)}.`,
    ));
    await expectChartDrawn(page.getByTestId('device-series'));

    const costUrl = new URL((await cost as Response).url());
    expect((Date.parse(costUrl.searchParams.get('to')!) - Date.parse(costUrl.searchParams.get('from')!)) / 86_400_000).toBeCloseTo(90, 3);
    const costs = await api<DeviceCost>(page, `${costUrl.pathname}${costUrl.search}`);
    expect(costs.operatingHours).toBeGreaterThan(0);
    await expectText(page.getByTestId('device-cost-value'), fmt(value(costs.costPerOperatingHour), 2));
    await expectText(page.getByTestId('device-cost-detail'),
      `${fmt(costs.operatingHours, 1)} operating hours, ${costs.orders} service orders, total cost ${fmt(costs.totalCost, 2)}; ` +
      `mean time between failures ${fmt(value(costs.meanTimeBetweenFailuresHours), 1)} h.`);

    const info = await api<{ modelId: string; outletId: string }>(page, `/api/v1/devices/${id}`);
    const model = await api<{ name: string }>(page, `/api/v1/device-models/${info.modelId}`);
    const outlet = await api<{ name: string }>(page, `/api/v1/outlets/${info.outletId}`);
    await expectText(page.getByTestId('device-info'), `Model ${model.name} · outlet ${outlet.name}`);
    const rul = await page.request.get(`/api/v1/devices/${id}/rul`);
    expect(rul.status()).toBe(404);
    await expectText(page.getByTestId('device-rul-empty'), `No estimate for this device. ${(await rul.json() as { message: string }).message}`);
    await screenshot(page, 'device');
  });
});

describe('alarms', () => {
  it('a critical alarm raised by telemetry posted now appears on the open alarms view without a reload, and the engineer acknowledges it there', async () => {
    const { id: watched, modelId } = e2e().telemetryDevice;
    const engineer = await as('engineer', '/#/alarms');
    await engineer.getByTestId('filter-alarm-status').waitFor();
    const before = await api<{ items: Alarm[] }>(engineer, '/api/v1/alarms', { status: 'open', limit: 200 });
    if (before.items.length === 0) await engineer.getByTestId('alarms-empty').waitFor();
    else await expectText(engineer.getByTestId('alarms-summary'), alarmsSummary(before.items));
    await expect.poll(() => engineer.getByTestId('status-indicator').textContent()).toMatch(/Live updates on/);
    // Marks this page: a reload would lose it.
    await engineer.evaluate(() => Object.assign(window, { e2eNoReload: true }));

    // An admin adds a rule and posts a reading that breaks it, through the API with the admin's session.
    const admin = await as('admin');
    const { items: fleet } = await api<{ items: FleetDevice[] }>(admin, '/api/v1/devices', { model: modelId, limit: 200 });
    const device = fleet.find((d) => d.id !== watched)?.id ?? watched;
    await putRule(admin, 'e2e-panel-overheat', {
      modelId, sensor: 'panel_temp', kind: 'limit', params: { high: 55, holdSeconds: 0 }, severity: 'critical',
    });
    // The device keeps reporting the overheated panel every two seconds until the engineer sees the alarm.
    const firstSentAt = Date.now();
    const shown = engineer.getByTestId('alarms-row-0-deviceId');
    const { readings, lastSentAt } = await reportUntil(admin, { deviceId: device, sensor: 'panel_temp', value: 97.5 }, async () =>
      (await shown.count()) > 0 && (await shown.textContent())?.trim() === device);
    console.log(`[e2e] critical alarm on screen ${((Date.now() - firstSentAt) / 1000).toFixed(1)} s after the rule was made and the first breaking reading posted (${readings} readings, the last ${((Date.now() - lastSentAt) / 1000).toFixed(1)} s before)`);
    const after = (await api<{ items: Alarm[] }>(engineer, '/api/v1/alarms', { status: 'open', limit: 200 })).items;
    const alarm = after.find((a) => a.deviceId === device && a.ruleId === 'e2e-panel-overheat')!;
    expect(alarm).toMatchObject({ severity: 'critical', status: 'open', sensor: 'panel_temp', value: 97.5 });
    expect(after[0]!.alarmId).toBe(alarm.alarmId);
    await expectText(engineer.getByTestId('alarms-row-0-alarmId'), alarm.alarmId);
    await expectText(engineer.getByTestId('alarms-row-0-severity'), 'Critical');
    await expectText(engineer.getByTestId('alarms-row-0-sensor'), 'panel_temp');
    await expectText(engineer.getByTestId('alarms-row-0-value'), fmt(97.5, 2));
    await expectText(engineer.getByTestId('alarms-summary'), alarmsSummary(after));
    expect(await engineer.evaluate(() => (window as unknown as { e2eNoReload?: boolean }).e2eNoReload)).toBe(true);
    await screenshot(engineer, 'alarms');

    // Acknowledged from the list: it leaves the open list, and the API records who did it.
    await engineer.getByTestId(`alarm-acknowledge-${alarm.alarmId}`).click();
    await expect.poll(() => engineer.getByTestId(`alarm-acknowledge-${alarm.alarmId}`).count()).toBe(0);
    const acknowledged = (await api<{ items: Alarm[] }>(engineer, '/api/v1/alarms', { device, status: 'acknowledged', limit: 200 })).items;
    expect(acknowledged.find((a) => a.alarmId === alarm.alarmId)).toMatchObject({ status: 'acknowledged', acknowledgedBy: e2e().users.engineer.username });
  });
});
