import type { DeviceCost, DeviceRul, Series } from '@servicetower/domain';
import { getJson } from './http';

const device = (id: string) => `/api/v1/devices/${encodeURIComponent(id)}`;

/** GET /api/v1/devices/:id/series: at most maxPoints points per sensor over [from, to) (ISO instants). */
export function fetchSeries(id: string, query: { sensors?: string[]; from: string; to: string; maxPoints?: number }, signal?: AbortSignal) {
  const { sensors, ...rest } = query;
  return getJson<Series>(`${device(id)}/series`, { ...rest, sensors: sensors?.join(',') }, signal);
}

/** GET /api/v1/devices/:id/cost: operating hours, service cost and cost per operating hour over [from, to). */
export function fetchDeviceCost(id: string, query: { from: string; to: string }, signal?: AbortSignal) {
  return getJson<DeviceCost>(`${device(id)}/cost`, query, signal);
}

/** GET /api/v1/devices/:id/rul: an engine's remaining useful life (404 for other devices or before the first estimate). */
export function fetchDeviceRul(id: string, signal?: AbortSignal) {
  return getJson<DeviceRul>(`${device(id)}/rul`, undefined, signal);
}
