import type { ServiceLoadRow, Staffing } from '@servicetower/domain';
import { figureValue } from './figures';

/** An outlet's load in the latest month of the period beside its staffing recommendation. */
export interface OutletRank {
  outletId: string;
  name: string;
  region: string | null;
  month: string;
  ordersReceived: number;
  ordersPerTechnician: number | null;
  technicians: number | null;
  forecastOrders: number | null;
  techniciansNeeded: number | null;
  delta: number | null;
  flag: 'consolidate' | null;
}

/**
 * Outlets ranked by orders per technician in the latest bucket of `rows` (service load grouped by outlet),
 * busiest first, outlets without technicians last; each with the staffing row of the same outlet.
 */
export function rankOutlets(rows: readonly ServiceLoadRow[], staffing: Staffing | null, names: Record<string, string> = {}): OutletRank[] {
  const latest = rows.reduce<string | null>((max, r) => (max === null || r.bucket > max ? r.bucket : max), null);
  if (latest === null) return [];
  const byOutlet = new Map((staffing?.outlets ?? []).map((o) => [o.outletId, o]));
  const ranked = rows
    .filter((r) => r.bucket === latest && r.group !== null)
    .map((r): OutletRank => {
      const outletId = r.group as string;
      const s = byOutlet.get(outletId);
      return {
        outletId,
        name: names[outletId] ?? outletId,
        region: s?.region ?? null,
        month: latest.slice(0, 7),
        ordersReceived: r.ordersReceived,
        ordersPerTechnician: figureValue(r.ordersPerTechnician),
        technicians: s?.technicians ?? null,
        forecastOrders: figureValue(s?.forecastOrders),
        techniciansNeeded: figureValue(s?.techniciansNeeded),
        delta: figureValue(s?.delta),
        flag: s?.flag ?? null,
      };
    });
  return ranked.sort((a, b) => (b.ordersPerTechnician ?? -1) - (a.ordersPerTechnician ?? -1) || a.outletId.localeCompare(b.outletId));
}

/** Age buckets of open parts requests, in days: [0, 2), [2, 4), … and the last open-ended. */
export const AGE_EDGES = [2, 4, 7, 14, 30] as const;

export interface AgeBucket {
  label: string;
  counts: Record<string, number>;
}

/** How many open requests of each source fall in each age bucket. */
export function ageHistogram(rows: ReadonlyArray<{ ageDays: number; source: string }>, edges: readonly number[] = AGE_EDGES): AgeBucket[] {
  const buckets: AgeBucket[] = edges.map((edge, i) => ({ label: `${i === 0 ? 0 : edges[i - 1]}–${edge}`, counts: {} }));
  buckets.push({ label: `${edges.at(-1) ?? 0}+`, counts: {} });
  for (const row of rows) {
    const i = edges.findIndex((edge) => row.ageDays < edge);
    const bucket = buckets[i === -1 ? buckets.length - 1 : i]!;
    bucket.counts[row.source] = (bucket.counts[row.source] ?? 0) + 1;
  }
  return buckets;
}
