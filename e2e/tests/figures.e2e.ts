// The figure views — overview, service load, parts, complaints — each signed in as the role that uses it,
// showing the numbers the API answers for the same filters (summaries, tiles, table cells), charts drawn.
import type { OverviewTiles, ServiceLoadRow } from '@servicetower/domain';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, e2e, expectChartDrawn, expectText, launch, screenshot, desk } from '../support/browser.js';
import * as expected from '../support/expected.js';
import { addMonths, fmt, lastMonths, value } from '../support/figures.js';
import { localDate } from '../support/stack.js';

let browser: Browser & { dispose(): Promise<void> };
const tab = desk(() => browser);
const as = tab.as;
const today = () => localDate(Date.now(), e2e().timeZone);

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await tab.close();
  await browser?.dispose();
});


describe('overview, as a service manager', () => {
  it('shows the last full month’s tiles and the outlet map as the API answers them', async () => {
    const page = await as('manager');
    const tiles = await api<OverviewTiles>(page, '/api/v1/kpi/overview');
    // Without a period in the URL: the last full month in the business time zone.
    expect(tiles.from).toBe(addMonths(today(), -1));
    expect(tiles.to).toBe(`${today().slice(0, 7)}-01`);
    expect(tiles.ordersReceived).toBeGreaterThan(0);

    const tile = (name: string) => page.getByTestId(`tile-${name}-value`);
    await expectText(tile('ordersReceived'), fmt(tiles.ordersReceived));
    await expectText(tile('backlog'), fmt(tiles.backlog));
    await expectText(tile('complaintRatePer100'), fmt(value(tiles.complaintRatePer100), 2));
    await expectText(tile('partsWaitRatePer100'), fmt(value(tiles.partsWaitRatePer100), 2));
    await expectText(tile('supplyCycleHqStock'), fmt(value(tiles.supplyCycleMeanDays.hq_stock), 1));
    await expectText(tile('supplyCycleHqProcured'), fmt(value(tiles.supplyCycleMeanDays.hq_procured), 1));
    await expectText(tile('openPartsRequests'), fmt(tiles.openPartsRequests));
    await expectText(tile('ordersWaitingForParts'), fmt(tiles.ordersWaitingForParts));
    await expectText(page.getByTestId('overview-period'), new RegExp(`^Period ${tiles.from} to ${tiles.to} \\(exclusive\\)`));

    // The map: every outlet, the busiest by orders received in the same period.
    const byOutlet = await api<{ rows: ServiceLoadRow[] }>(page, '/api/v1/kpi/service-load', { from: tiles.from, to: tiles.to, interval: 'month', groupBy: 'outlet' });
    const { items: outlets } = await api<{ items: Array<{ id: string; name: string }> }>(page, '/api/v1/outlets', { limit: 10_000 });
    const orders = new Map<string, number>();
    for (const row of byOutlet.rows) orders.set(row.group!, (orders.get(row.group!) ?? 0) + row.ordersReceived);
    const busiest = outlets.reduce<{ name: string; n: number } | null>((top, o) => {
      const n = orders.get(o.id) ?? 0;
      return top === null || n > top.n ? { name: o.name, n } : top;
    }, null)!;
    expect([...orders.values()].reduce((a, b) => a + b, 0)).toBe(tiles.ordersReceived);
    await expectText(page.getByTestId('outlet-map-summary'), `${outlets.length} outlets; busiest: ${busiest.name} with ${fmt(busiest.n)} orders.`);
    await expectChartDrawn(page.getByTestId('outlet-map'));
    await screenshot(page, 'overview');
  });
});

describe('service load, as a service manager', () => {
  it('shows region × month, the product-line mix and the outlet ranking of the last 12 months', async () => {
    const page = await as('manager');
    await page.getByTestId('nav-service-load').click();
    const scope = lastMonths(today(), 12);
    await expect.poll(() => page.getByTestId('filter-from').inputValue()).toBe(scope.from);
    expect(await page.getByTestId('filter-to').inputValue()).toBe(scope.to);

    const region = await expected.regionMonth(page, scope);
    expect(region.summary).not.toBeNull();
    await expectText(page.getByTestId('service-load-region-month-summary'), region.summary!);
    const mix = await expected.productLineMix(page, scope);
    await expectText(page.getByTestId('service-load-product-lines-summary'), mix.summary!);
    const ranking = await expected.outletRanking(page, scope);
    await expectText(page.getByTestId('outlet-ranking-summary'), ranking.summary!);
    const top = ranking.ranked[0]!;
    await expectText(page.getByTestId('outlet-ranking-row-0-outlet'), top.name);
    await expectText(page.getByTestId('outlet-ranking-row-0-orders'), fmt(top.orders));
    await expectText(page.getByTestId('outlet-ranking-row-0-perTech'), fmt(top.perTech, 1));
    expect(await page.getByTestId('outlet-ranking-table').locator('tbody tr').count()).toBe(Math.min(15, ranking.ranked.length));

    for (const panel of ['service-load-region-month', 'service-load-product-lines', 'outlet-ranking']) await expectChartDrawn(page.getByTestId(panel));
    await screenshot(page, 'service-load');
  });
});

describe('parts, as a parts planner', () => {
  it('shows the supply cycle per source and region, open requests and orders waiting for parts', async () => {
    const page = await as('planner');
    await page.getByTestId('nav-parts').click();
    const scope = lastMonths(today(), 12);
    await expectText(page.getByTestId('supply-cycle-trend-summary'), (await expected.supplyCycleTrend(page, scope)).summary!);
    await expectText(page.getByTestId('supply-cycle-spread-summary'), (await expected.supplyCycleSpread(page, scope)).summary!);

    const open = await expected.openRequests(page);
    expect(open.length).toBeGreaterThan(0);
    // Ages grow while the test runs: the count is exact, the oldest age within a tenth of a day.
    await expectText(page.getByTestId('open-requests-summary'), /open requests; oldest/);
    const ageSummary = await page.getByTestId('open-requests-summary').textContent();
    const [, count, age] = /^([\d,]+) open requests; oldest ([\d,.]+) days\.$/.exec(ageSummary ?? '') ?? [];
    expect(count).toBe(fmt(open.length));
    expect(Math.abs(Number(age) - Math.max(...open.map((r) => r.ageDays)))).toBeLessThanOrEqual(0.11);
    await expectText(page.getByTestId('open-requests-row-0-requestId'), open[0]!.requestId);
    expect(await page.getByTestId('open-requests-table').locator('tbody tr').count()).toBe(Math.min(10, open.length));

    const waiting = await expected.waitingOrders(page);
    await expectText(page.getByTestId('waiting-orders-summary'), new RegExp(`^${fmt(waiting.length)} orders waiting; longest [\\d.]+ days\\.$`));
    await expectText(page.getByTestId('waiting-orders-row-0-orderId'), waiting[0]!.orderId);

    for (const panel of ['supply-cycle-trend', 'supply-cycle-spread', 'open-requests']) await expectChartDrawn(page.getByTestId(panel));
    await screenshot(page, 'parts');
  });
});

describe('complaints, as a parts planner', () => {
  it('shows the complaint rate by cause and the parts-wait comparison, newest bucket first', async () => {
    const page = await as('planner');
    await page.getByTestId('nav-complaints').click();
    const scope = lastMonths(today(), 12);
    await expectText(page.getByTestId('complaints-by-cause-summary'), (await expected.complaintsByCause(page, scope)).summary!);
    const wait = await expected.partsWaitComplaints(page, scope);
    await expectText(page.getByTestId('parts-wait-complaints-summary'), wait.summary!);
    const newest = wait.newestFirst[0]!;
    await expectText(page.getByTestId('parts-wait-complaints-row-0-bucket'), newest.bucket.slice(0, 7));
    await expectText(page.getByTestId('parts-wait-complaints-row-0-ordersWaited'), expected.cell(newest.ordersWaited));
    await expectText(page.getByTestId('parts-wait-complaints-row-0-ordersNotWaited'), expected.cell(newest.ordersNotWaited));
    await expectText(page.getByTestId('parts-wait-complaints-row-0-complaintRateWaitedPer100'), expected.cell(value(newest.complaintRateWaitedPer100)));
    await expectText(page.getByTestId('parts-wait-complaints-row-0-partsWaitRatePer100'), expected.cell(value(newest.partsWaitRatePer100)));

    for (const panel of ['complaints-by-cause', 'parts-wait-complaints']) await expectChartDrawn(page.getByTestId(panel));
    await screenshot(page, 'complaints');
  });
});
