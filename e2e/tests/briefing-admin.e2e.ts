// The admin's views: yesterday's briefing as the API serves it, and the administration tabs listing what
// the admin routes list.
import type { Briefing } from '@servicetower/domain';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, desk, e2e, expectText, launch, screenshot } from '../support/browser.js';

let browser: Browser & { dispose(): Promise<void> };
const tab = desk(() => browser);
let page: Page;

beforeAll(async () => {
  browser = await launch();
  page = await tab.as('admin');
});
afterAll(async () => {
  await tab.close();
  await browser?.dispose();
});

const rowsOf = (table: string) => page.getByTestId(`${table}-table`).locator('tbody tr');
const list = <T>(body: T[] | { items: T[] }) => (Array.isArray(body) ? body : body.items);

describe('briefing, as an admin', () => {
  it('opens on yesterday’s briefing with every department’s summary and findings as the API has them', async () => {
    await page.getByTestId('nav-briefing').click();
    const date = e2e().briefingDate;
    await expect.poll(() => page.getByTestId('briefing-date').inputValue()).toBe(date);
    const briefing = await api<Briefing>(page, '/api/v1/briefings', { date });
    const { service, parts, quality, engineering } = briefing.departments;
    await expectText(page.getByTestId('briefing-service-summary'), service!.summary);
    await expectText(page.getByTestId('briefing-parts-summary'), parts!.summary);
    await expectText(page.getByTestId('briefing-quality-summary'), quality!.summary);
    await expectText(page.getByTestId('briefing-engineering-summary'), engineering!.summary);
    await expectText(page.getByTestId('briefing-generated'), new RegExp(`\\(${briefing.timeZone}\\)\\.$`));

    const backlog = service!.findings.backlog;
    expect(await rowsOf('briefing-backlog').count()).toBe(Math.min(10, backlog.length));
    await expectText(page.getByTestId('briefing-backlog-row-0-end'), String(backlog[0]!.end));
    await expectText(page.getByTestId('briefing-backlog-row-0-previousDay'), String(backlog[0]!.previousDay));
    const causes = quality!.findings.byCause;
    expect(await rowsOf('briefing-causes').count()).toBe(causes.length);
    await expectText(page.getByTestId('briefing-causes-row-0-complaints'), String(causes[0]!.complaints));
    const requests = parts!.findings.requests;
    if (requests.length > 0) await expectText(page.getByTestId('briefing-requests-row-0-requestId'), requests[0]!.requestId);
    await screenshot(page, 'briefing');

    // One department only: the others are not shown.
    await page.getByTestId('briefing-department-parts').click();
    await expect.poll(() => page.url()).toContain('department=parts');
    await expectText(page.getByTestId('briefing-parts-summary'), parts!.summary);
    await expect.poll(() => page.getByTestId('briefing-service').count()).toBe(0);
  });
});

describe('administration, as an admin', () => {
  it('lists the users, API keys and queues the admin API lists', async () => {
    await page.getByTestId('nav-admin').click();
    const keys = list(await api<Array<{ name: string }> | { items: Array<{ name: string }> }>(page, '/api/v1/admin/keys'));
    expect(keys.length).toBeGreaterThan(0);
    await expectText(page.getByTestId('admin-keys-row-0-name'), keys[0]!.name);
    await expect.poll(() => rowsOf('admin-keys').count()).toBe(Math.min(50, keys.length));

    await page.getByTestId('admin-tab-users').click();
    await expect.poll(() => page.url()).toContain('tab=users');
    const users = list(await api<Array<{ username: string }> | { items: Array<{ username: string }> }>(page, '/api/v1/admin/users'));
    const ours = Object.values(e2e().users).map((u) => u.username).sort();
    expect(users.map((u) => u.username).sort()).toEqual(ours);
    await expect.poll(() => rowsOf('admin-users').count()).toBe(users.length);
    await expectText(page.getByTestId('admin-users-row-0-username'), users[0]!.username);
    const shown = await rowsOf('admin-users').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent?.trim()));
    expect(shown).toEqual(users.map((u) => u.username));
    await screenshot(page, 'admin');

    await page.getByTestId('admin-tab-queues').click();
    const queues = await api<Array<{ queue: string }>>(page, '/api/v1/admin/queues');
    await expect.poll(() => rowsOf('admin-queues').count()).toBe(queues.length);
    await expectText(page.getByTestId('admin-queues-row-0-queue'), queues[0]!.queue);
    // The tab is in the URL: a reload stays on it.
    await page.reload();
    await expect.poll(() => rowsOf('admin-queues').count()).toBe(queues.length);
  });
});
