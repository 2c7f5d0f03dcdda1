import { describe, expect, it } from 'vitest';
import { BASEMAP_NAME, boundingCoords, markerSize, outletMapOption, type OutletPoint } from '../src/components/charts/options/outletMap';
import { asArray, text } from './support';

const outlet = (outletId: string, lat: number, lon: number, orders: number): OutletPoint => ({
  outletId, name: outletId, region: 'north', lat, lon, orders, technicians: 4,
});
const outlets = [outlet('bj', 39.9, 116.4, 400), outlet('sh', 31.2, 121.5, 100), outlet('new', 23.1, 113.3, 0)];

describe('outlet map', () => {
  it('sizes markers by the square root of orders, so a marker’s area grows with the load', () => {
    expect(markerSize(400, 400)).toBe(36);
    expect(markerSize(100, 400)).toBe(21);
    expect(markerSize(0, 400)).toBe(6);
    expect(markerSize(5, 0)).toBe(6);
  });

  it('places outlets on the land basemap, framed on their bounding box', () => {
    const option = outletMapOption(outlets, { basemap: true, text });
    expect(option.geo).toMatchObject({ map: BASEMAP_NAME, boundingCoords: [[110.3, 42.9], [124.5, 20.1]] });
    const [series] = asArray(option.series);
    expect(series).toMatchObject({ type: 'scatter', coordinateSystem: 'geo' });
    expect((series!.data as Array<{ value: number[]; symbolSize: number }>).map((d) => [d.value, d.symbolSize])).toEqual([
      [[116.4, 39.9, 400, 4], 36], [[121.5, 31.2, 100, 4], 21], [[113.3, 23.1, 0, 4], 6],
    ]);
  });

  it('falls back to longitude and latitude axes without the basemap', () => {
    const option = outletMapOption(outlets, { basemap: false, text });
    expect(option.geo).toBeUndefined();
    expect(asArray(option.xAxis)[0]).toMatchObject({ type: 'value', name: 'map.lon', scale: true });
    expect(asArray(option.series)[0]!.coordinateSystem).toBeUndefined();
  });

  it('has no frame without outlets', () => {
    expect(boundingCoords([])).toBeUndefined();
  });
});
