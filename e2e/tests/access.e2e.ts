// Signing in through the form as each role, what each role may open and call, a region-limited viewer
// seeing only its region, and signing out. One browser tab, as on a shared desk: each person signs out
// through the header and the next signs in on the form, so nothing of one may stay behind for the next.
import type { OverviewTiles } from '@servicetower/domain';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, desk, e2e, expectText, launch, screenshot } from '../support/browser.js';
import { fmt, value } from '../support/figures.js';

let browser: Browser & { dispose(): Promise<void> };
const tab = desk(() => browser);
const turn = tab.as;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await tab.open('/#/parts');
});
afterAll(async () => {
  await tab.close();
  await browser?.dispose();
});

/** A request from the page itself, with the session cookie the browser holds. */
const fetchStatus = (page: Page, path: string, method = 'GET', body?: unknown) =>
  page.evaluate(async ({ path, method, body }) => {
    const response = await fetch(path, {
      method, credentials: 'same-origin',
      headers: method === 'GET' ? {} : { 'content-type': 'application/json', 'x-requested-with': 'fetch' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return response.status;
  }, { path, method, body });

const NAV = ['overview', 'service-load', 'parts', 'complaints', 'fleet', 'alarms', 'briefing'];

describe('signing in', () => {
  it('refuses a wrong password on the form and stays there', async () => {
    await page.getByTestId('signin-form').waitFor();
    await page.getByTestId('signin-username').fill(e2e().users.manager.username);
    await page.getByTestId('signin-password').fill('not the password at all');
    await page.getByTestId('signin-submit').click();
    await expectText(page.getByTestId('signin-error'), /.+/);
    expect(page.url()).toContain('#/signin');
    expect(await fetchStatus(page, '/api/v1/kpi/overview')).toBe(401);
    await screenshot(page, 'signin');
  });

  it('as the admin through the form: back on the page asked for, with Administration in the menu, its pages and API open', async () => {
    await turn('admin', '/#/complaints');
    await expect.poll(() => page.url()).toContain('#/complaints');
    const session = await api<{ user: { username: string; role: string; regions: string[] | null } }>(page, '/api/v1/session');
    expect(session.user).toMatchObject({ username: e2e().users.admin.username, role: 'admin', regions: null });
    for (const name of NAV) await page.getByTestId(`nav-${name}`).waitFor();
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('admin-keys-table').waitFor();
    expect(await fetchStatus(page, '/api/v1/admin/users')).toBe(200);
  });

  it.each(['manager', 'planner', 'engineer', 'viewer'] as const)(
    'as %s through the form: back on the page asked for, without Administration; its page sends to “forbidden”, its API answers 403',
    async (key) => {
      const user = e2e().users[key];
      await turn(key, '/#/complaints');
      // The sign-in came back to the page that sent there.
      await expect.poll(() => page.url()).toContain('#/complaints');
      const session = await api<{ user: { username: string; role: string; regions: string[] | null } }>(page, '/api/v1/session');
      expect(session.user).toMatchObject({ username: user.username, role: user.role, regions: user.regions });
      for (const name of NAV) await page.getByTestId(`nav-${name}`).waitFor();
      expect(await page.getByTestId('nav-admin').count()).toBe(0);

      await page.goto('/#/admin?tab=users');
      await page.getByTestId('forbidden').waitFor();
      await expect.poll(() => page.url()).toContain('#/forbidden');
      expect(await page.getByTestId('admin-users').count()).toBe(0);
      if (key === 'viewer') await screenshot(page, 'forbidden');

      expect(await fetchStatus(page, '/api/v1/admin/users')).toBe(403);
      expect(await fetchStatus(page, '/api/v1/admin/keys')).toBe(403);
      expect(await fetchStatus(page, '/api/v1/admin/queues')).toBe(403);
      expect(await fetchStatus(page, '/api/v1/admin/users', 'POST', { username: `e2e-intruder-${key}`, role: 'admin', password: 'long enough password' })).toBe(403);
      expect(await fetchStatus(page, '/api/v1/alarm-rules/e2e-intruder', 'PUT', {
        modelId: 'display-pro', sensor: 'panel_temp', kind: 'limit', params: { high: 1, holdSeconds: 0 }, severity: 'critical',
      })).toBe(403);
      // Still signed in and reading: the 403s were about the rights, not the session.
      expect(await fetchStatus(page, '/api/v1/kpi/overview')).toBe(200);
    },
  );
});

describe('a viewer limited to one region', () => {
  it('sees the overview of that region only, may not acknowledge alarms, and may not read the network-wide briefing', async () => {
    const viewer = e2e().users.viewer;
    expect(viewer.regions).toEqual(['south']);
    // What a user of the whole network is told about that region, and about the network.
    await turn('manager', '/#/');
    const southOnly = await api<OverviewTiles>(page, '/api/v1/kpi/overview', { region: 'south' });
    const network = await api<OverviewTiles>(page, '/api/v1/kpi/overview');
    await expectText(page.getByTestId('outlet-map-summary'), new RegExp(`^${e2e().seeded.outlets} outlets; `));

    // The viewer, next at the same tab, gets the region's figures as the network's own, less than the network's.
    await turn('viewer', '/#/');
    const own = await api<OverviewTiles>(page, '/api/v1/kpi/overview');
    expect(own).toEqual(southOnly);
    expect(own.ordersReceived).toBeLessThan(network.ordersReceived);
    await expectText(page.getByTestId('tile-ordersReceived-value'), fmt(own.ordersReceived));
    await expectText(page.getByTestId('tile-complaintRatePer100-value'), fmt(value(own.complaintRatePer100), 2));
    await expectText(page.getByTestId('tile-openPartsRequests-value'), fmt(own.openPartsRequests));
    // Another region's figures stay out of reach, whatever the URL asks: nothing is counted there.
    const north = await api<OverviewTiles>(page, '/api/v1/kpi/overview', { region: 'north' });
    expect([north.ordersReceived, north.openPartsRequests, north.ordersWaitingForParts]).toEqual([0, 0, 0]);
    // The map holds the region's outlets only.
    const { items: outlets } = await api<{ items: Array<{ regionId: string }> }>(page, '/api/v1/outlets', { limit: 10_000 });
    const south = outlets.filter((o) => o.regionId === 'south').length;
    expect(south).toBeGreaterThan(0);
    await expectText(page.getByTestId('outlet-map-summary'), new RegExp(`^${south} outlets; busiest: `));
    await screenshot(page, 'overview-region-limited');

    await page.getByTestId('nav-alarms').click();
    await page.getByTestId('alarms-read-only').waitFor();
    expect(await page.locator('[data-testid^="alarm-acknowledge-"], [data-testid^="alarm-resolve-"]').count()).toBe(0);

    await page.getByTestId('nav-briefing').click();
    await page.getByTestId('briefing-error').waitFor();
    expect(await fetchStatus(page, `/api/v1/briefings?date=${e2e().briefingDate}`)).toBe(403);
  });
});

describe('signing out', () => {
  it('ends the session: the form again, and the API answers 401', async () => {
    await turn('engineer', '/#/alarms');
    await tab.signOut();
    expect(await fetchStatus(page, '/api/v1/session')).toBe(401);
    await page.goto('/#/fleet');
    await page.getByTestId('signin-form').waitFor();
  });
});
