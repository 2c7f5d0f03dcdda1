import type { Figure, OverviewTiles } from '@servicetower/domain';
import type { Pool } from '@servicetower/workers';
import { complaintRates } from './complaints.js';
import { openPartsRequests, ordersWaitingForParts, supplyCycle } from './parts.js';
import { ratio, type KpiQuery } from './scope.js';
import { serviceLoad } from './serviceLoad.js';

/**
 * The landing tiles: every figure over the period, the lists counted at its end. A period of whole months
 * is read from the month rows (a year: 12 buckets instead of 365); any other from the day rows.
 */
export async function overview(db: Pool, query: Omit<KpiQuery, 'interval' | 'groupBy'>): Promise<OverviewTiles> {
  const wholeMonths = query.from.endsWith('-01') && query.to.endsWith('-01');
  const period = { ...query, interval: wholeMonths ? ('month' as const) : ('day' as const), groupBy: null };
  const end = await periodEnd(db, query.to, query.timeZone);
  const snapshot = { timeZone: query.timeZone, at: end, region: query.region, outlet: query.outlet, regions: query.regions, limit: 1_000_000 };
  const [load, complaints, hqStock, hqProcured, open, waiting] = await Promise.all([
    serviceLoad(db, period, { turnaround: false }),
    complaintRates(db, period),
    supplyCycle(db, { ...period, source: 'hq_stock' }, { percentiles: false }),
    supplyCycle(db, { ...period, source: 'hq_procured' }, { percentiles: false }),
    openPartsRequests(db, snapshot),
    ordersWaitingForParts(db, snapshot),
  ]);
  const received = load.reduce((sum, row) => sum + row.ordersReceived, 0);
  const total = complaints.reduce((sum, row) => sum + row.complaints, 0);
  const partsWait = complaints.reduce((sum, row) => sum + row.partsWaitComplaints, 0);
  return {
    from: query.from,
    to: query.to,
    ordersReceived: received,
    backlog: load.at(-1)?.backlog ?? 0,
    complaintRatePer100: ratio(total, received, 'no orders received', 100),
    partsWaitRatePer100: ratio(partsWait, received, 'no orders received', 100),
    supplyCycleMeanDays: { hq_stock: weightedMean(hqStock), hq_procured: weightedMean(hqProcured) },
    openPartsRequests: open.length,
    ordersWaitingForParts: waiting.length,
  };
}

/** The mean over the period from the buckets' means, each weighted by its requests. */
function weightedMean(rows: ReadonlyArray<{ requests: number; meanDays: Figure<number> }>): Figure<number> {
  let requests = 0;
  let days = 0;
  for (const row of rows) {
    if (typeof row.meanDays !== 'number') continue;
    requests += row.requests;
    days += row.meanDays * row.requests;
  }
  return ratio(days, requests, 'no requests received');
}

/** Local midnight starting `to` in the business time zone, or now when that is still to come. */
async function periodEnd(db: Pool, to: string, timeZone: string): Promise<Date> {
  const { rows } = await db.query<{ end: Date }>('SELECT least($1::date::timestamp AT TIME ZONE $2::text, now()) AS end', [to, timeZone]);
  return rows[0]!.end;
}
