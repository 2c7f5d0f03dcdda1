import type { ComplaintRow, PartsWaitComplaintRow } from '@servicetower/domain';
import { describe, expect, it } from 'vitest';
import { complaintRateByCauseOption, partsWaitComplaintsOption } from '../src/components/charts/options/complaints';
import { asArray, text } from './support';

const none = { value: null, reason: 'no orders received' };

describe('complaint rate by cause', () => {
  it('draws one line per cause of complaints per 100 orders, gaps where no orders were received', () => {
    const row = (bucket: string, group: string, rate: number | null): ComplaintRow => ({
      bucket, group, complaints: 1, ordersReceived: 10, ratePer100: rate ?? none, partsWaitComplaints: 0, partsWaitRatePer100: 0,
    });
    const option = complaintRateByCauseOption([row('2026-01-01', 'parts_wait', 2.345), row('2026-02-01', 'parts_wait', null), row('2026-02-01', 'other', 1)], text);
    const series = asArray(option.series);
    expect(series.map((s) => [s.name, s.data])).toEqual([['cause.other', [null, 1]], ['cause.parts_wait', [2.35, null]]]);
    expect(asArray(option.yAxis)[0]).toMatchObject({ name: 'unit.per100' });
  });
});

describe('waiting for parts and complaints', () => {
  it('puts complaint rates on the left axis and the supply cycle per source on the right, in bucket order', () => {
    const row = (bucket: string, waited: number, notWaited: number, stock: number): PartsWaitComplaintRow => ({
      bucket, group: null, ordersWaited: 10, ordersNotWaited: 90, complaintsWaited: 1, complaintsNotWaited: 1,
      complaintRateWaitedPer100: waited, complaintRateNotWaitedPer100: notWaited, partsWaitRatePer100: 0.5,
      supplyCycleMeanDays: { hq_stock: stock, hq_procured: none },
    });
    const option = partsWaitComplaintsOption([row('2026-02-01', 8, 1, 7), row('2026-01-01', 12, 1.5, 14)], text);
    expect(asArray(option.xAxis)[0]).toMatchObject({ data: ['2026-01-01', '2026-02-01'] });
    const series = asArray(option.series);
    expect(series[0]!.data).toEqual([12, 8]);
    expect(series[1]!.data).toEqual([1.5, 1]);
    expect(series[3]).toMatchObject({ yAxisIndex: 1, data: [14, 7] });
    expect(series[4]).toMatchObject({ yAxisIndex: 1, data: [null, null] });
    expect(asArray(option.yAxis)).toHaveLength(2);
  });
});
