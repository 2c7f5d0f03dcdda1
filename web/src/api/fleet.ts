import type { FleetDevice, Health } from '@servicetower/domain';
import { getJson } from './http';

/** GET /api/v1/devices: devices in id order with health; `next` is the `after` of the following page. */
export function fetchFleet(query: { region?: string | null; model?: string | null; health?: Health | null; after?: string | null; limit?: number }, signal?: AbortSignal) {
  return getJson<{ items: FleetDevice[]; next: string | null }>('/api/v1/devices', query, signal);
}
