// Filters change what the views show, live in the URL (a reload and the menu links keep them), and a CSV
// export holds the rows the view shows (the download captured and parsed).
import { readFile } from 'node:fs/promises';
import type { Browser, Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, e2e, expectText, launch, TIMEOUT, desk } from '../support/browser.js';
import * as expected from '../support/expected.js';
import { csvRecords, lastMonths, value } from '../support/figures.js';
import { localDate } from '../support/stack.js';

let browser: Browser & { dispose(): Promise<void> };
const tab = desk(() => browser);
const as = tab.as;
const today = () => localDate(Date.now(), e2e().timeZone);
const query = (page: Page) => Object.fromEntries(new URLSearchParams(page.url().split('?')[1] ?? ''));

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await tab.close();
  await browser?.dispose();
});


/** Clicks a CSV button and reads the file the browser saves. */
async function exportCsv(button: Locator): Promise<{ name: string; records: Array<Record<string, string>>; raw: string }> {
  const [download] = await Promise.all([button.page().waitForEvent('download', { timeout: TIMEOUT }), button.click()]) as [Download, void];
  const path = await download.path();
  const raw = await readFile(path, 'utf8');
  return { name: download.suggestedFilename(), records: csvRecords(raw), raw };
}

describe('filters', () => {
  it('change the service-load figures, stay in the URL across a reload, and travel with the menu links', async () => {
    const page = await as('manager');
    await page.goto('/#/service-load');
    const year = lastMonths(today(), 12);
    const all = await expected.regionMonth(page, year);
    await expectText(page.getByTestId('service-load-region-month-summary'), all.summary!);

    // Region: the figures become the region's.
    await page.getByTestId('filter-region').selectOption('south');
    await expect.poll(() => query(page).region).toBe('south');
    const south = await expected.regionMonth(page, { ...year, region: 'south' });
    expect(south.summary).not.toBe(all.summary);
    await expectText(page.getByTestId('service-load-region-month-summary'), south.summary!);

    // Product line and period on top of it.
    const { items: lines } = await api<{ items: Array<{ id: string }> }>(page, '/api/v1/product-lines', { limit: 100 });
    const line = lines[0]!.id;
    await page.getByTestId('filter-product-line').selectOption(line);
    await page.getByTestId('filter-preset-3m').click();
    const quarter = lastMonths(today(), 3);
    await expect.poll(() => query(page)).toMatchObject({ region: 'south', productLine: line, from: quarter.from, to: quarter.to });
    const scope = { ...quarter, region: 'south', productLine: line };
    const narrowed = await expected.regionMonth(page, scope);
    const mix = await expected.productLineMix(page, scope);
    expect(narrowed.summary).not.toBe(south.summary);
    await expectText(page.getByTestId('service-load-region-month-summary'), narrowed.summary!);
    await expectText(page.getByTestId('service-load-product-lines-summary'), mix.summary!);
    // Only the product line chosen is in the mix.
    expect(new Set(mix.rows.map((r) => r.group))).toEqual(new Set([line]));

    // A reload opens the same view with the same filters and figures.
    const url = page.url();
    await page.reload();
    expect(page.url()).toBe(url);
    await expectText(page.getByTestId('service-load-region-month-summary'), narrowed.summary!);
    await expectText(page.getByTestId('service-load-product-lines-summary'), mix.summary!);
    expect(await page.getByTestId('filter-region').inputValue()).toBe('south');
    expect(await page.getByTestId('filter-product-line').inputValue()).toBe(line);
    expect(await page.getByTestId('filter-from').inputValue()).toBe(quarter.from);
    expect(await page.getByTestId('filter-to').inputValue()).toBe(quarter.to);
    expect(await page.getByTestId('filter-preset-3m').getAttribute('aria-pressed')).toBe('true');

    // The menu carries the filters to the next view, whose figures follow them.
    await page.getByTestId('nav-parts').click();
    await expect.poll(() => page.url()).toContain('#/parts');
    expect(query(page)).toMatchObject({ region: 'south', from: quarter.from, to: quarter.to });
    await expectText(page.getByTestId('supply-cycle-trend-summary'), (await expected.supplyCycleTrend(page, { ...quarter, region: 'south' })).summary!);
    const open = await expected.openRequests(page, 'south');
    await expectText(page.getByTestId('open-requests-summary'), new RegExp(`^${open.length} open requests;`));
  });

  it('switch the complaints view to weekly buckets, kept across a reload', async () => {
    const page = await as('planner');
    await page.goto('/#/complaints');
    const year = lastMonths(today(), 12);
    await expectText(page.getByTestId('complaints-by-cause-summary'), (await expected.complaintsByCause(page, year)).summary!);
    await page.getByTestId('filter-interval').selectOption('week');
    await expect.poll(() => query(page).interval).toBe('week');
    const weekly = await expected.complaintsByCause(page, { ...year, interval: 'week' });
    expect(weekly.summary).toMatch(/^Latest \d{4}-\d{2}-\d{2}:/);
    await expectText(page.getByTestId('complaints-by-cause-summary'), weekly.summary!);
    const wait = await expected.partsWaitComplaints(page, { ...year, interval: 'week' });
    await expectText(page.getByTestId('parts-wait-complaints-row-0-bucket'), wait.newestFirst[0]!.bucket.slice(0, 10));
    await page.reload();
    await expectText(page.getByTestId('complaints-by-cause-summary'), weekly.summary!);
    expect(await page.getByTestId('filter-interval').inputValue()).toBe('week');
  });
});

describe('CSV export', () => {
  it('of the region × month chart holds the rows the chart draws, as the API answers them', async () => {
    const page = await as('manager');
    const quarter = lastMonths(today(), 3);
    await page.goto(`/#/service-load?from=${quarter.from}&to=${quarter.to}`);
    const { rows, summary } = await expected.regionMonth(page, quarter);
    await expectText(page.getByTestId('service-load-region-month-summary'), summary!);
    const csv = await exportCsv(page.getByTestId('service-load-region-month-export'));
    expect(csv.name).toMatch(/^service-load-by-region-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.raw.startsWith('\uFEFFbucket,group,groupName,ordersReceived,')).toBe(true);
    expect(csv.records).toHaveLength(rows.length);
    expect(csv.records.map((r) => [r.bucket, r.group, Number(r.ordersReceived), Number(r.backlog), r.ordersPerTechnician === '' ? null : Number(r.ordersPerTechnician)]))
      .toEqual(rows.map((r) => [r.bucket, r.group, r.ordersReceived, r.backlog, value(r.ordersPerTechnician)]));
    expect(csv.records.find((r) => r.group === 'south')?.groupName).toBe('South China');
  });

  it('of the open parts requests holds every row of the table, in its order', async () => {
    const page = await as('planner');
    await page.goto('/#/parts');
    const open = await expected.openRequests(page);
    await expectText(page.getByTestId('open-requests-row-0-requestId'), open[0]!.requestId);
    // The table shows its first rows; "show all" puts every row on screen.
    const table = page.getByTestId('open-requests-table');
    if (open.length > 10) await page.getByTestId('open-requests').getByRole('button', { name: /^Show all/ }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(open.length);
    const onScreen = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('td')?.textContent?.trim() ?? ''));

    const csv = await exportCsv(page.getByTestId('open-requests-export'));
    expect(csv.name).toMatch(/^open-parts-requests-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(Object.keys(csv.records[0] ?? {})).toEqual(['requestId', 'outletId', 'partNo', 'source', 'requestedAt', 'ageDays']);
    expect(csv.records.map((r) => r.requestId)).toEqual(onScreen);
    expect(csv.records.map((r) => [r.requestId, r.outletId, r.partNo, r.source, r.requestedAt]))
      .toEqual(open.map((r) => [r.requestId, r.outletId, r.partNo, r.source, r.requestedAt]));
  });
});
