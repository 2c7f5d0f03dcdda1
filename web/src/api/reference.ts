import type { DeviceModel, Outlet } from '@servicetower/domain';
import { getJson } from './http';

/** Reference items as the API lists them: the body with its id. */
export type OutletItem = Outlet & { id: string };
export interface RegionItem { id: string; name: string }
export interface ProductLineItem { id: string; name: string }
export type DeviceModelItem = DeviceModel & { id: string };
export interface DeviceItem { id: string; modelId: string; outletId: string; customerId?: string | null }

interface Page<T> { items: T[]; next: string | null }

/** Every page of a reference collection (at most 10,000 a page). */
async function listAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  do {
    const page: Page<T> = await getJson<Page<T>>(path, { limit: 10_000, after }, signal);
    items.push(...page.items);
    after = page.next;
  } while (after !== null);
  return items;
}

/** GET /api/v1/outlets */
export const fetchOutlets = (signal?: AbortSignal) => listAll<OutletItem>('/api/v1/outlets', signal);
/** GET /api/v1/regions */
export const fetchRegions = (signal?: AbortSignal) => listAll<RegionItem>('/api/v1/regions', signal);
/** GET /api/v1/product-lines */
export const fetchProductLines = (signal?: AbortSignal) => listAll<ProductLineItem>('/api/v1/product-lines', signal);

/** GET /api/v1/device-models: each with its sensors. */
export const fetchDeviceModels = (signal?: AbortSignal) => listAll<DeviceModelItem>('/api/v1/device-models', signal);

/** GET /api/v1/devices/:id (the reference item: model, outlet, customer) */
export const fetchDevice = (id: string, signal?: AbortSignal) => getJson<DeviceItem>(`/api/v1/devices/${encodeURIComponent(id)}`, undefined, signal);

/** GET /api/v1/device-models/:id: its sensors with unit and normal range. */
export const fetchDeviceModel = (id: string, signal?: AbortSignal) =>
  getJson<DeviceModelItem>(`/api/v1/device-models/${encodeURIComponent(id)}`, undefined, signal);
