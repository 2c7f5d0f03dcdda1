import {
  backtest, forecast, outletFlag, regionFlag, staffingDelta, techniciansNeeded,
  type Figure, type Staffing, type StaffingOutletRow, type StaffingRegionRow,
} from '@servicetower/domain';
import type { Pool } from '@servicetower/workers';
import { ratio, readFigures } from './scope.js';

/**
 * Fits are pure functions of the monthly counts, and those change only when an order lands in a past
 * month: the same history asked for again (every manager opening the view, every refresh) reuses its fit
 * instead of searching the parameter grid again. Bounded; the oldest entry goes first.
 */
class FitCache<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly size: number) {}

  get(key: string, compute: () => T): T {
    const found = this.entries.get(key);
    if (found !== undefined || this.entries.has(key)) return found as T;
    const value = compute();
    if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
    return value;
  }
}

const forecasts = new FitCache<ReturnType<typeof forecast>>(20_000);
const backtests = new FitCache<ReturnType<typeof backtest>>(200);

/** The last months of history the flags rest on, and the months each outlet's backtest covers. */
const TRAILING_MONTHS = 3;
const BACKTEST_MONTHS = 12;

export interface StaffingQuery {
  timeZone: string;
  /** The month forecast, YYYY-MM. */
  month: string;
  /** The month after the last month of history, YYYY-MM: `month`, or the current month when `month` is later. */
  historyTo: string;
  /** The API key's regions; null for every region. */
  regions: string[] | null;
  region: string | null;
  outlet: string | null;
  targetOrdersPerTechnician: number;
  newOutletRatio: number;
  consolidateRatio: number;
}

interface OutletRow {
  region: string;
  outlet_id: string | null;
  technicians: number | null;
}

interface MonthRow {
  outlet_id: string;
  month: string;
  orders: number;
}

/** Every region the key may see, with its outlets (a region without outlets once, outlet_id null). */
const NETWORK_SQL = `
SELECT r.region_id AS region, o.outlet_id, o.technicians
FROM region r LEFT JOIN outlet o ON o.region_id = r.region_id
WHERE $1::text[] IS NULL OR r.region_id = ANY($1::text[])
ORDER BY r.region_id, o.outlet_id`;

/**
 * Orders received per outlet and local month before $1 (the service-load definition: an order counts once,
 * in the month of its first `created` event, at that event's outlet), from the month rollup.
 */
const MONTHS_SQL = `
SELECT r.outlet_id, to_char(r.bucket, 'YYYY-MM') AS month, sum(r.received)::int AS orders
FROM service_load_rollup r JOIN outlet o USING (outlet_id)
WHERE r.grain = 'month' AND r.bucket < $1::date AND ($2::text[] IS NULL OR o.region_id = ANY($2::text[]))
GROUP BY 1, 2
HAVING sum(r.received) > 0
ORDER BY 1, 2`;

/**
 * DESIGN.md §5 staffing recommendation. Every outlet's series runs from the first month with an order
 * anywhere the key can see to the month before `historyTo`, months without orders as 0, so all share one
 * calendar (and one forecast method); an outlet opened later starts with zeros. The network the regions
 * and outlets are compared with is everything the key can see, whatever the region and outlet filters.
 */
export async function staffing(db: Pool, query: StaffingQuery): Promise<Staffing> {
  const [network, counts] = await Promise.all([
    readFigures<OutletRow>(db, NETWORK_SQL, [query.regions]),
    readFigures<MonthRow>(db, MONTHS_SQL, [`${query.historyTo}-01`, query.regions], { rollupsIn: query.timeZone }),
  ]);
  const from = counts.reduce<string | null>((first, row) => (first === null || row.month < first ? row.month : first), null);
  const months = from === null ? [] : monthRange(from, query.historyTo);
  const trailing = Math.min(TRAILING_MONTHS, months.length);
  const horizon = monthRange(query.historyTo, query.month).length + 1;
  const noHistory = `no orders received before ${query.historyTo}`;

  const byOutlet = new Map<string, number[]>();
  const index = new Map(months.map((month, i) => [month, i]));
  for (const row of network) if (row.outlet_id !== null) byOutlet.set(row.outlet_id, months.map(() => 0));
  for (const row of counts) byOutlet.get(row.outlet_id)![index.get(row.month)!] = row.orders;
  const recentOf = (outletId: string) => byOutlet.get(outletId)!.slice(months.length - trailing).reduce((sum, n) => sum + n, 0) / trailing;

  const outlets = network.filter((row): row is OutletRow & { outlet_id: string; technicians: number } => row.outlet_id !== null);
  const networkRecent = trailing > 0 ? outlets.reduce((sum, row) => sum + recentOf(row.outlet_id), 0) : null;
  const networkAvg: Figure<number> = networkRecent === null ? { value: null, reason: noHistory } : ratio(networkRecent, outlets.length, 'no outlets');
  const compare = (value: number): Figure<number> =>
    typeof networkAvg !== 'number' ? networkAvg : ratio(value, networkAvg, `no orders received in the network in the ${trailing} months before ${query.historyTo}`);

  const inScope = (row: OutletRow) => (query.region === null || row.region === query.region) && (query.outlet === null || row.outlet_id === query.outlet);
  const shown = outlets.filter(inScope);
  const outletRows = shown.map((row): StaffingOutletRow => {
    const series = byOutlet.get(row.outlet_id)!;
    const base = { outletId: row.outlet_id, region: row.region, technicians: row.technicians };
    if (series.length === 0) {
      const none = { value: null, reason: noHistory };
      return { ...base, method: null, forecastOrders: none, techniciansNeeded: none, delta: none, recentOrdersPerMonth: none, ratioToNetwork: none, flag: null };
    }
    const next = forecasts.get(`${horizon}:${series.join(',')}`, () => forecast(series, horizon));
    const needed = techniciansNeeded(next.value, query.targetOrdersPerTechnician);
    const recent = recentOf(row.outlet_id);
    return {
      ...base,
      method: next.method,
      forecastOrders: next.value,
      techniciansNeeded: needed,
      delta: staffingDelta(needed, row.technicians),
      recentOrdersPerMonth: recent,
      ratioToNetwork: compare(recent),
      flag: typeof networkAvg === 'number' ? outletFlag(recent, networkAvg, query.consolidateRatio) : null,
    };
  });

  const regionIds = [...new Set(network.filter((row) => query.region === null || row.region === query.region).map((row) => row.region))]
    .filter((region) => query.outlet === null || shown.some((row) => row.region === region));
  const regionRows = regionIds.map((region): StaffingRegionRow => {
    const own = outlets.filter((row) => row.region === region);
    const technicians = own.reduce((sum, row) => sum + row.technicians, 0);
    const base = { region, outlets: own.length, technicians };
    if (trailing === 0) {
      const none = { value: null, reason: noHistory };
      return { ...base, recentOrdersPerMonth: none, avgOrdersPerOutlet: none, ratioToNetwork: none, flag: null };
    }
    const recent = own.reduce((sum, row) => sum + recentOf(row.outlet_id), 0);
    const avg = ratio(recent, own.length, 'no outlets in the region');
    return {
      ...base,
      recentOrdersPerMonth: recent,
      avgOrdersPerOutlet: avg,
      ratioToNetwork: typeof avg === 'number' ? compare(avg) : avg,
      flag: typeof avg === 'number' && typeof networkAvg === 'number' ? regionFlag(avg, networkAvg, query.newOutletRatio) : null,
    };
  });

  const backtested = shown.map((row) => byOutlet.get(row.outlet_id)!);
  const errors = backtests.get(backtested.map((series) => series.join(',')).join(';'), () => backtest(backtested, BACKTEST_MONTHS));
  return {
    month: query.month,
    history: { from, to: query.historyTo, months: months.length, trailingMonths: trailing },
    targetOrdersPerTechnician: query.targetOrdersPerTechnician,
    newOutletRatio: query.newOutletRatio,
    consolidateRatio: query.consolidateRatio,
    outlets: outletRows,
    regions: regionRows,
    network: {
      outlets: outlets.length,
      recentOrdersPerMonth: networkRecent === null ? { value: null, reason: noHistory } : networkRecent,
      avgOrdersPerOutlet: networkAvg,
    },
    backtest: errors === null
      ? { value: null, reason: shown.length === 0 ? 'no outlets in scope' : `fewer than 4 months of history before ${query.historyTo}` }
      : {
          ...errors,
          wape: errors.wape ?? { value: null, reason: 'no orders received in the backtest months' },
          naiveWape: errors.naiveWape ?? { value: null, reason: 'no orders received in the backtest months' },
        },
  };
}

/** The months from `from` up to `to` (exclusive), YYYY-MM. */
function monthRange(from: string, to: string): string[] {
  const months: string[] = [];
  for (let [year, month] = from.split('-').map(Number) as [number, number]; ; month++) {
    if (month > 12) [year, month] = [year + 1, 1];
    const label = `${year}-${String(month).padStart(2, '0')}`;
    if (label >= to) return months;
    months.push(label);
  }
}
