import landUrl from 'world-atlas/land-110m.json?url';
import { BASEMAP_NAME } from './options/outletMap';

let loading: Promise<boolean> | undefined;

/**
 * Registers the land outline (Natural Earth 1:110m, from world-atlas) as an ECharts geo map, once. The file is
 * fetched as a static asset, not bundled, so it costs the landing view no JavaScript; ECharts and the TopoJSON
 * reader are imported here, when the map needs them, so the outlet map's chunk does not wait for them.
 * Resolves false when the outline cannot be had, and the outlet map falls back to plain coordinates. Land only:
 * no borders to argue over.
 */
export function loadBasemap(): Promise<boolean> {
  loading ??= (async () => {
    try {
      const [response, { registerMap }, { feature }] = await Promise.all([fetch(landUrl), import('./vchart'), import('topojson-client')]);
      if (!response.ok) return false;
      const topology = (await response.json()) as Parameters<typeof feature>[0];
      // The land object is a GeometryCollection, so feature() gives a FeatureCollection (its typings cannot tell).
      const land = feature(topology, 'land') as unknown as { type: 'FeatureCollection'; features: Array<{ properties: unknown }> };
      for (const f of land.features) f.properties = { name: 'land' };
      registerMap(BASEMAP_NAME, land as unknown as Parameters<typeof registerMap>[1]);
      return true;
    } catch {
      return false;
    }
  })();
  return loading;
}
