import type {
  ComplaintRow, OpenPartsRequestRow, OrderWaitingForPartsRow, OverviewTiles, PartsWaitComplaintRow, ServiceLoadRow, Staffing, SupplyCycleRow,
} from '@servicetower/domain';
import { getJson } from './http';
import type { Interval } from '../lib/filters';

/** The query API's common filters (DESIGN.md §5): local dates, `to` exclusive. */
export type FigureQuery = {
  from: string;
  to: string;
  interval: Interval;
  region?: string | null;
  outlet?: string | null;
  productLine?: string | null;
};

export type SnapshotQuery = {
  at?: string;
  region?: string | null;
  outlet?: string | null;
  limit?: number;
};

type Rows<T> = { rows: T[] };
type Snapshot<T> = { at: string; rows: T[] };

/** GET /api/v1/kpi/overview: the landing tiles; without from and to, the last full month. */
export function fetchOverview(query: { from?: string; to?: string; region?: string | null; outlet?: string | null }, signal?: AbortSignal) {
  return getJson<OverviewTiles>('/api/v1/kpi/overview', query, signal);
}

/** GET /api/v1/kpi/service-load */
export async function fetchServiceLoad(query: FigureQuery & { groupBy?: 'region' | 'outlet' | 'productLine' }, signal?: AbortSignal) {
  return (await getJson<Rows<ServiceLoadRow>>('/api/v1/kpi/service-load', query, signal)).rows;
}

/** GET /api/v1/kpi/complaints */
export async function fetchComplaints(query: FigureQuery & { groupBy?: 'region' | 'outlet' | 'productLine' | 'cause' }, signal?: AbortSignal) {
  return (await getJson<Rows<ComplaintRow>>('/api/v1/kpi/complaints', query, signal)).rows;
}

/** GET /api/v1/kpi/parts/supply-cycle (parts requests carry no product line: it is not sent). */
export async function fetchSupplyCycle(
  query: Omit<FigureQuery, 'productLine'> & { groupBy?: 'source' | 'region' | 'outlet' | 'part'; source?: 'hq_stock' | 'hq_procured' },
  signal?: AbortSignal,
) {
  return (await getJson<Rows<SupplyCycleRow>>('/api/v1/kpi/parts/supply-cycle', query, signal)).rows;
}

/** GET /api/v1/kpi/parts/wait-complaints */
export async function fetchPartsWaitComplaints(query: FigureQuery & { groupBy?: 'region' | 'outlet' | 'productLine' }, signal?: AbortSignal) {
  return (await getJson<Rows<PartsWaitComplaintRow>>('/api/v1/kpi/parts/wait-complaints', query, signal)).rows;
}

/** GET /api/v1/kpi/parts/open-requests: oldest first. */
export function fetchOpenPartsRequests(query: SnapshotQuery, signal?: AbortSignal) {
  return getJson<Snapshot<OpenPartsRequestRow>>('/api/v1/kpi/parts/open-requests', { ...query }, signal);
}

/** GET /api/v1/kpi/orders/waiting-parts: oldest first. */
export function fetchOrdersWaitingForParts(query: SnapshotQuery, signal?: AbortSignal) {
  return getJson<Snapshot<OrderWaitingForPartsRow>>('/api/v1/kpi/orders/waiting-parts', { ...query }, signal);
}

/** GET /api/v1/kpi/staffing?month=YYYY-MM */
export function fetchStaffing(query: { month?: string; region?: string | null; outlet?: string | null }, signal?: AbortSignal) {
  return getJson<Staffing>('/api/v1/kpi/staffing', query, signal);
}
