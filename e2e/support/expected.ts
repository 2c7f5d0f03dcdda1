// The one-line summaries the dashboard writes beside its charts, computed here from the API's answers
// (fetched by the test, as the signed-in user, with the filters the page shows). English messages.
import type {
  ComplaintRow, OpenPartsRequestRow, OrderWaitingForPartsRow, PartsWaitComplaintRow, ServiceLoadRow, Staffing, SupplyCycleRow,
} from '@servicetower/domain';
import type { Page } from 'playwright-core';
import { api } from './browser.js';
import { fmt, pct, value } from './figures.js';

export interface Period { from: string; to: string }
export interface Scope extends Period { region?: string | null; productLine?: string | null; interval?: 'day' | 'week' | 'month' }

type Named = { id: string; name: string };
const page1 = { limit: 10_000 };

export async function names(page: Page, collection: 'regions' | 'product-lines' | 'outlets'): Promise<Record<string, string>> {
  const { items } = await api<{ items: Named[] }>(page, `/api/v1/${collection}`, page1);
  return Object.fromEntries(items.map((i) => [i.id, i.name]));
}

const rows = async <T>(page: Page, path: string, query: Record<string, string | null | undefined>) =>
  (await api<{ rows: T[] }>(page, path, query)).rows;

/** The latest bucket of grouped rows: the groups' sum and the first group with the highest value. */
function latest<R extends { bucket: string; group: string | null }>(list: readonly R[], of: (row: R) => number | null) {
  const bucket = list.reduce<string | null>((max, r) => (max === null || r.bucket > max ? r.bucket : max), null);
  if (bucket === null) return null;
  let total = 0;
  let top: { group: string | null; value: number } | null = null;
  for (const row of list) {
    const v = row.bucket === bucket ? of(row) : null;
    if (v === null) continue;
    total += v;
    if (top === null || v > top.value) top = { group: row.group, value: v };
  }
  return { bucket, total, top };
}

const bucketLabel = (bucket: string, interval: Scope['interval'] = 'month') => (interval === 'month' ? bucket.slice(0, 7) : bucket.slice(0, 10));

/** Service load, region × month: "Latest month …: N orders received; top region by Orders received: R (n)." */
export async function regionMonth(page: Page, scope: Scope) {
  const list = await rows<ServiceLoadRow>(page, '/api/v1/kpi/service-load', {
    from: scope.from, to: scope.to, interval: 'month', groupBy: 'region', region: scope.region, productLine: scope.productLine,
  });
  const regions = await names(page, 'regions');
  const l = latest(list, (r) => r.ordersReceived);
  const summary = l?.top
    ? `Latest month ${l.bucket.slice(0, 7)}: ${fmt(l.total)} orders received; top region by Orders received: ${regions[l.top.group ?? ''] ?? l.top.group} (${fmt(l.top.value)}).`
    : null;
  return { rows: list, summary };
}

/** Service load by product line: "Latest month …: N orders; largest line L (s%)." */
export async function productLineMix(page: Page, scope: Scope) {
  const list = await rows<ServiceLoadRow>(page, '/api/v1/kpi/service-load', {
    from: scope.from, to: scope.to, interval: 'month', groupBy: 'productLine', region: scope.region, productLine: scope.productLine,
  });
  const lines = await names(page, 'product-lines');
  const l = latest(list, (r) => r.ordersReceived);
  const summary = l?.top
    ? `Latest month ${l.bucket.slice(0, 7)}: ${fmt(l.total)} orders; largest line ${lines[l.top.group ?? ''] ?? l.top.group} (${pct(l.total > 0 ? l.top.value / l.total : null)}).`
    : null;
  return { rows: list, summary };
}

/** Outlets of the period's latest month by orders per technician, beside the staffing recommendation. */
export async function outletRanking(page: Page, scope: Scope) {
  const list = await rows<ServiceLoadRow>(page, '/api/v1/kpi/service-load', {
    from: scope.from, to: scope.to, interval: 'month', groupBy: 'outlet', region: scope.region, productLine: scope.productLine,
  });
  const staffingMonth = scope.to.slice(0, 7);
  const staffing = await api<Staffing>(page, '/api/v1/kpi/staffing', { month: staffingMonth, region: scope.region });
  const outlets = await names(page, 'outlets');
  const bucket = list.reduce((max, r) => (r.bucket > max ? r.bucket : max), '');
  const byOutlet = new Map(staffing.outlets.map((o) => [o.outletId, o]));
  const ranked = list
    .filter((r) => r.bucket === bucket && r.group !== null)
    .map((r) => ({
      outletId: r.group!, name: outlets[r.group!] ?? r.group!, orders: r.ordersReceived, perTech: value(r.ordersPerTechnician), delta: value(byOutlet.get(r.group!)?.delta),
    }))
    .sort((a, b) => (b.perTech ?? -1) - (a.perTech ?? -1) || a.outletId.localeCompare(b.outletId));
  const top = ranked[0];
  const summary = top
    ? `${bucket.slice(0, 7)}: busiest outlet ${top.name} at ${fmt(top.perTech, 1)} orders per technician (target ${fmt(staffing.targetOrdersPerTechnician)}). ` +
      `Outlets short of staff for ${staffingMonth}: ${ranked.filter((r) => (r.delta ?? 0) > 0).length}.`
    : null;
  return { ranked, summary };
}

const SOURCES: Record<string, string> = { hq_stock: 'HQ stock', hq_procured: 'HQ procured' };

/** Supply cycle per source: "Latest …: HQ stock m days (target t, s% within); …." */
export async function supplyCycleTrend(page: Page, scope: Scope) {
  const list = await rows<SupplyCycleRow>(page, '/api/v1/kpi/parts/supply-cycle', {
    from: scope.from, to: scope.to, interval: scope.interval ?? 'month', groupBy: 'source', region: scope.region,
  });
  const bucket = list.reduce((max, r) => (r.bucket > max ? r.bucket : max), '');
  const items = list.filter((r) => r.bucket === bucket).map((r) =>
    `${SOURCES[r.group ?? ''] ?? 'All sources'} ${fmt(value(r.meanDays), 1)} days (target ${fmt(value(r.targetDays))}, ${pct(value(r.withinTargetShare))} within)`);
  return { rows: list, summary: bucket ? `Latest ${bucketLabel(bucket, scope.interval)}: ${items.join('; ')}.` : null };
}

/** Supply-cycle spread across regions in the latest bucket: the region with the longest 90th percentile. */
export async function supplyCycleSpread(page: Page, scope: Scope) {
  const list = await rows<SupplyCycleRow>(page, '/api/v1/kpi/parts/supply-cycle', {
    from: scope.from, to: scope.to, interval: scope.interval ?? 'month', groupBy: 'region', region: scope.region,
  });
  const regions = await names(page, 'regions');
  const bucket = list.reduce((max, r) => (r.bucket > max ? r.bucket : max), '');
  const slowest = list.filter((r) => r.bucket === bucket)
    .reduce<SupplyCycleRow | null>((max, r) => ((value(r.p90Days) ?? -1) > (value(max?.p90Days) ?? -1) ? r : max), null);
  return {
    summary: slowest
      ? `Slowest region ${regions[slowest.group ?? ''] ?? slowest.group}: median ${fmt(value(slowest.p50Days), 1)}, 90th percentile ${fmt(value(slowest.p90Days), 1)} days.`
      : null,
  };
}

export const openRequests = async (page: Page, region?: string | null) =>
  (await api<{ rows: OpenPartsRequestRow[] }>(page, '/api/v1/kpi/parts/open-requests', { region, limit: 10_000 })).rows;

export const waitingOrders = async (page: Page, region?: string | null) =>
  (await api<{ rows: OrderWaitingForPartsRow[] }>(page, '/api/v1/kpi/orders/waiting-parts', { region, limit: 10_000 })).rows;

/** Complaint rate by cause: the causes' rates of the latest bucket add up to its rate. */
export async function complaintsByCause(page: Page, scope: Scope) {
  const list = await rows<ComplaintRow>(page, '/api/v1/kpi/complaints', {
    from: scope.from, to: scope.to, interval: scope.interval ?? 'month', groupBy: 'cause', region: scope.region, productLine: scope.productLine,
  });
  const bucket = list.reduce((max, r) => (r.bucket > max ? r.bucket : max), '');
  const inBucket = list.filter((r) => r.bucket === bucket);
  const rates = inBucket.map((r) => value(r.ratePer100));
  const rate = rates.some((r) => r !== null) ? rates.reduce<number>((sum, r) => sum + (r ?? 0), 0) : null;
  const partsWait = value(inBucket.find((r) => r.group === 'parts_wait')?.ratePer100);
  return {
    rows: list,
    summary: bucket ? `Latest ${bucketLabel(bucket, scope.interval)}: ${fmt(rate, 2)} complaints per 100 orders; parts wait ${fmt(partsWait, 2)}.` : null,
  };
}

/** Waiting for parts and complaints, newest bucket first. */
export async function partsWaitComplaints(page: Page, scope: Scope) {
  const list = await rows<PartsWaitComplaintRow>(page, '/api/v1/kpi/parts/wait-complaints', {
    from: scope.from, to: scope.to, interval: scope.interval ?? 'month', region: scope.region, productLine: scope.productLine,
  });
  const newestFirst = [...list].sort((a, b) => b.bucket.localeCompare(a.bucket));
  const top = newestFirst[0];
  const summary = top
    ? `Latest ${bucketLabel(top.bucket, scope.interval)}: orders that waited for parts drew ${fmt(value(top.complaintRateWaitedPer100), 2)} complaints per 100, ` +
      `those that did not ${fmt(value(top.complaintRateNotWaitedPer100), 2)}.`
    : null;
  return { newestFirst, summary };
}

/** A table cell of the parts-wait table: whole numbers as they are, others to two places. */
export const cell = (v: number | null) => (v === null ? '—' : fmt(v, Number.isInteger(v) ? 0 : 2));
