// The admin's views: yesterday's briefing as the API serves it, the administration tabs listing what the admin
// routes list, and the audit log showing an action the admin has just taken.
import { readFile } from 'node:fs/promises';
import type { AuditEntry, Briefing } from '@servicetower/domain';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, desk, e2e, expectText, launch, screenshot } from '../support/browser.js';
import { csvRecords } from '../support/figures.js';
import { localDate } from '../support/stack.js';

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

describe('the audit log, as an admin', () => {
  it('shows the API key the admin has just created, newest first as the API lists it, and exports it dated by the business day', async () => {
    await page.goto('/#/admin?tab=keys');
    const name = `e2e-audited-${Date.now().toString(36)}`;
    await page.getByTestId('admin-key-name').fill(name);
    await page.getByTestId('admin-key-submit').click();
    await page.getByTestId('admin-key-token').waitFor();
    const key = list(await api<Array<{ id: string; name: string }> | { items: Array<{ id: string; name: string }> }>(page, '/api/v1/admin/keys'))
      .find((k) => k.name === name)!;
    expect(key).toBeDefined();

    await page.getByTestId('admin-tab-audit').click();
    await expect.poll(() => page.url()).toContain('tab=audit');
    const { items } = await api<{ items: AuditEntry[] }>(page, '/api/v1/admin/audit', { limit: 100 });
    expect(items[0]).toMatchObject({
      action: 'key.create', target: `key:${key.id}`, actor: { kind: 'user', name: e2e().users.admin.username }, detail: { name },
    });
    await expectText(page.getByTestId('admin-audit-row-0-id'), items[0]!.id);
    await expectText(page.getByTestId('admin-audit-row-0-action'), 'key.create');
    await expectText(page.getByTestId('admin-audit-row-0-target'), `key:${key.id}`);
    await expectText(page.getByTestId('admin-audit-row-0-actorName'), e2e().users.admin.username);
    await expect.poll(() => rowsOf('admin-audit').count()).toBe(items.length);
    const ids = await rowsOf('admin-audit').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent?.trim()));
    expect(ids).toEqual(items.map((e) => e.id));
    await screenshot(page, 'admin-audit');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('admin-audit-export').click()]) as [Download, void];
    expect(download.suggestedFilename()).toBe(`audit-log-${localDate(Date.now(), e2e().timeZone)}.csv`);
    const records = csvRecords(await readFile(await download.path(), 'utf8'));
    expect(records.map((r) => r.id)).toEqual(items.map((e) => e.id));
    expect(records[0]).toMatchObject({ action: 'key.create', target: `key:${key.id}`, actorKind: 'user', actorName: e2e().users.admin.username });
    expect(JSON.parse(records[0]!.detail!)).toMatchObject({ name });
  });
});
