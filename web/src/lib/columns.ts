import type { ComplaintRow, PartsWaitComplaintRow, ServiceLoadRow, SupplyCycleRow } from '@servicetower/domain';
import { figureValue } from './figures';
import type { Column } from './table';

type T = (key: string) => string;
type GroupLabel = (group: string | null) => string;

/**
 * The columns of the figure rows, for tables and CSV exports alike. CSV headers are the API's field names
 * (nested figures flattened as the API's own CSV does), so an export reads the same in every language.
 */
export function serviceLoadColumns(t: T, groupLabel: GroupLabel): Column<ServiceLoadRow>[] {
  return [
    { key: 'bucket', header: 'bucket', label: t('serviceLoad.col.bucket'), value: (r) => r.bucket },
    { key: 'group', header: 'group', label: t('serviceLoad.col.group'), value: (r) => r.group },
    { key: 'groupName', header: 'groupName', label: t('serviceLoad.col.group'), value: (r) => groupLabel(r.group) },
    { key: 'ordersReceived', header: 'ordersReceived', label: t('metric.ordersReceived'), value: (r) => r.ordersReceived, align: 'end' },
    { key: 'ordersCompleted', header: 'ordersCompleted', label: t('metric.ordersCompleted'), value: (r) => r.ordersCompleted, align: 'end' },
    { key: 'backlog', header: 'backlog', label: t('metric.backlog'), value: (r) => r.backlog, align: 'end' },
    { key: 'avgOrdersPerOutlet', header: 'avgOrdersPerOutlet', label: t('metric.avgOrdersPerOutlet'), value: (r) => figureValue(r.avgOrdersPerOutlet), align: 'end' },
    { key: 'ordersPerTechnician', header: 'ordersPerTechnician', label: t('metric.ordersPerTechnician'), value: (r) => figureValue(r.ordersPerTechnician), align: 'end' },
    { key: 'turnaroundHoursMean', header: 'turnaroundHoursMean', label: 'turnaroundHoursMean', value: (r) => turnaround(r, 'mean'), align: 'end' },
    { key: 'turnaroundHoursP50', header: 'turnaroundHoursP50', label: t('metric.turnaroundP50'), value: (r) => turnaround(r, 'p50'), align: 'end' },
    { key: 'turnaroundHoursP90', header: 'turnaroundHoursP90', label: 'turnaroundHoursP90', value: (r) => turnaround(r, 'p90'), align: 'end' },
    { key: 'firstTimeFixRate', header: 'firstTimeFixRate', label: t('metric.firstTimeFixRate'), value: (r) => figureValue(r.firstTimeFixRate), align: 'end' },
  ];
}

function turnaround(row: ServiceLoadRow, key: 'mean' | 'p50' | 'p90'): number | null {
  const f = row.turnaroundHours;
  return 'mean' in f ? f[key] : null;
}

export function supplyCycleColumns(t: T, groupLabel: GroupLabel): Column<SupplyCycleRow>[] {
  return [
    { key: 'bucket', header: 'bucket', label: t('serviceLoad.col.bucket'), value: (r) => r.bucket },
    { key: 'group', header: 'group', label: t('serviceLoad.col.group'), value: (r) => r.group, format: (r) => groupLabel(r.group) },
    { key: 'requests', header: 'requests', label: t('parts.col.requests'), value: (r) => r.requests, align: 'end' },
    { key: 'meanDays', header: 'meanDays', label: t('parts.col.mean'), value: (r) => figureValue(r.meanDays), align: 'end' },
    { key: 'p50Days', header: 'p50Days', label: t('parts.col.p50'), value: (r) => figureValue(r.p50Days), align: 'end' },
    { key: 'p90Days', header: 'p90Days', label: t('parts.col.p90'), value: (r) => figureValue(r.p90Days), align: 'end' },
    { key: 'targetDays', header: 'targetDays', label: t('parts.col.target'), value: (r) => figureValue(r.targetDays), align: 'end' },
    { key: 'withinTargetShare', header: 'withinTargetShare', label: t('parts.col.within'), value: (r) => figureValue(r.withinTargetShare), align: 'end' },
  ];
}

export function complaintColumns(t: T, groupLabel: GroupLabel): Column<ComplaintRow>[] {
  return [
    { key: 'bucket', header: 'bucket', label: t('complaints.col.bucket'), value: (r) => r.bucket },
    { key: 'group', header: 'group', label: t('complaints.col.cause'), value: (r) => r.group, format: (r) => groupLabel(r.group) },
    { key: 'complaints', header: 'complaints', label: t('complaints.col.complaints'), value: (r) => r.complaints, align: 'end' },
    { key: 'ordersReceived', header: 'ordersReceived', label: t('complaints.col.orders'), value: (r) => r.ordersReceived, align: 'end' },
    { key: 'ratePer100', header: 'ratePer100', label: t('complaints.col.rate'), value: (r) => figureValue(r.ratePer100), align: 'end' },
    { key: 'partsWaitComplaints', header: 'partsWaitComplaints', label: t('cause.parts_wait'), value: (r) => r.partsWaitComplaints, align: 'end' },
    { key: 'partsWaitRatePer100', header: 'partsWaitRatePer100', label: t('complaints.col.partsWaitRate'), value: (r) => figureValue(r.partsWaitRatePer100), align: 'end' },
  ];
}

export function partsWaitColumns(t: T): Column<PartsWaitComplaintRow>[] {
  return [
    { key: 'bucket', header: 'bucket', label: t('complaints.col.bucket'), value: (r) => r.bucket },
    { key: 'ordersWaited', header: 'ordersWaited', label: t('complaints.col.ordersWaited'), value: (r) => r.ordersWaited, align: 'end' },
    { key: 'ordersNotWaited', header: 'ordersNotWaited', label: t('complaints.col.ordersNotWaited'), value: (r) => r.ordersNotWaited, align: 'end' },
    { key: 'complaintsWaited', header: 'complaintsWaited', label: 'complaintsWaited', value: (r) => r.complaintsWaited, align: 'end' },
    { key: 'complaintsNotWaited', header: 'complaintsNotWaited', label: 'complaintsNotWaited', value: (r) => r.complaintsNotWaited, align: 'end' },
    { key: 'complaintRateWaitedPer100', header: 'complaintRateWaitedPer100', label: t('complaints.col.rateWaited'), value: (r) => figureValue(r.complaintRateWaitedPer100), align: 'end' },
    { key: 'complaintRateNotWaitedPer100', header: 'complaintRateNotWaitedPer100', label: t('complaints.col.rateNotWaited'), value: (r) => figureValue(r.complaintRateNotWaitedPer100), align: 'end' },
    { key: 'partsWaitRatePer100', header: 'partsWaitRatePer100', label: t('complaints.col.partsWaitRate'), value: (r) => figureValue(r.partsWaitRatePer100), align: 'end' },
    { key: 'supplyCycleMeanDaysHq_stock', header: 'supplyCycleMeanDaysHq_stock', label: t('complaints.col.stock'), value: (r) => figureValue(r.supplyCycleMeanDays.hq_stock), align: 'end' },
    { key: 'supplyCycleMeanDaysHq_procured', header: 'supplyCycleMeanDaysHq_procured', label: t('complaints.col.procured'), value: (r) => figureValue(r.supplyCycleMeanDays.hq_procured), align: 'end' },
  ];
}
