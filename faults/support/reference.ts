import { SENSORS } from './load.js';

/** The reference data the loads refer to: a region, two outlets, a product line, a part, a device model and the devices. */
export async function seedReference(url: string, key: string, devices: readonly string[], model = 'f-model', sensors: readonly string[] = SENSORS): Promise<void> {
  const puts: [string, object][] = [
    ['regions/f-north', { name: 'Faults north' }],
    ['outlets/f-out-1', { name: 'Faults outlet 1', regionId: 'f-north', technicians: 5, lat: 39.9, lon: 116.4 }],
    ['outlets/f-out-2', { name: 'Faults outlet 2', regionId: 'f-north', technicians: 3, lat: 31.2, lon: 121.5 }],
    ['product-lines/f-tv', { name: 'Faults TV' }],
    ['parts/F-P1', { name: 'Faults panel', source: 'hq_stock', unitCost: 100 }],
    [`device-models/${model}`, { name: 'Faults sensor box', sensors: sensors.map((name) => ({ name, unit: 'u', min: 0, max: 1000 })) }],
    ...devices.map((id, i): [string, object] => [`devices/${id}`, { modelId: model, outletId: i % 2 ? 'f-out-2' : 'f-out-1' }]),
  ];
  await put(url, key, puts);
}

/** PUTs each [path, body] under /api/v1/, in order. */
export async function put(url: string, key: string, puts: [string, object][]): Promise<void> {
  for (const [path, body] of puts) {
    const response = await fetch(`${url}/api/v1/${path}`, {
      method: 'PUT', body: JSON.stringify(body), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
    if (!response.ok) throw new Error(`PUT /api/v1/${path} answered ${response.status} ${await response.text()}`);
  }
}
