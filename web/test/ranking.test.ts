import type { ServiceLoadRow, Staffing } from '@servicetower/domain';
import { describe, expect, it } from 'vitest';
import { ageHistogram, rankOutlets } from '../src/lib/ranking';

const load = (bucket: string, group: string, orders: number, perTech: number | null): ServiceLoadRow => ({
  bucket, group, ordersReceived: orders, ordersCompleted: 0, backlog: 0,
  avgOrdersPerOutlet: orders, ordersPerTechnician: perTech === null ? { value: null, reason: 'no technicians' } : perTech,
  turnaroundHours: { value: null, reason: 'none' }, firstTimeFixRate: { value: null, reason: 'none' },
});

const staffing = {
  month: '2026-04', targetOrdersPerTechnician: 60,
  outlets: [
    { outletId: 'a', region: 'north', technicians: 2, method: 'holt', forecastOrders: 150, techniciansNeeded: 3, delta: 1, recentOrdersPerMonth: 140, ratioToNetwork: 1.2, flag: null },
    { outletId: 'b', region: 'east', technicians: 4, method: 'holt', forecastOrders: 40, techniciansNeeded: 1, delta: -3, recentOrdersPerMonth: 40, ratioToNetwork: 0.4, flag: 'consolidate' },
  ],
} as unknown as Staffing;

describe('outlets ranked by orders per technician', () => {
  it('ranks the latest month, busiest first, with each outlet’s staffing row', () => {
    const rows = [load('2026-02-01', 'a', 10, 99), load('2026-03-01', 'a', 140, 70), load('2026-03-01', 'b', 40, 10), load('2026-03-01', 'c', 5, null)];
    const ranked = rankOutlets(rows, staffing, { a: 'Beijing 1' });
    expect(ranked.map((r) => r.outletId)).toEqual(['a', 'b', 'c']);
    expect(ranked[0]).toMatchObject({ name: 'Beijing 1', month: '2026-03', ordersPerTechnician: 70, techniciansNeeded: 3, delta: 1, region: 'north' });
    expect(ranked[1]).toMatchObject({ flag: 'consolidate', delta: -3 });
    expect(ranked[2]).toMatchObject({ ordersPerTechnician: null, technicians: null });
  });

  it('is empty without rows', () => {
    expect(rankOutlets([], staffing)).toEqual([]);
  });
});

describe('open requests by age', () => {
  it('counts each source per age bucket, the last bucket open-ended', () => {
    const buckets = ageHistogram([
      { ageDays: 0.5, source: 'hq_stock' }, { ageDays: 3, source: 'hq_stock' }, { ageDays: 3.9, source: 'hq_procured' },
      { ageDays: 29, source: 'hq_stock' }, { ageDays: 45, source: 'hq_procured' },
    ]);
    expect(buckets.map((b) => b.label)).toEqual(['0–2', '2–4', '4–7', '7–14', '14–30', '30+']);
    expect(buckets.map((b) => b.counts)).toEqual([
      { hq_stock: 1 }, { hq_stock: 1, hq_procured: 1 }, {}, {}, { hq_stock: 1 }, { hq_procured: 1 },
    ]);
  });
});
