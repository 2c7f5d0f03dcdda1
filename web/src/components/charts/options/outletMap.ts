import { baseOption, type ChartOption, type ChartText } from './common';

/** The geo map the basemap module registers with ECharts. */
export const BASEMAP_NAME = 'st-land';

export interface OutletPoint {
  outletId: string;
  name: string;
  region: string;
  lat: number;
  lon: number;
  orders: number;
  technicians: number;
}

const MIN_SIZE = 6;
const MAX_SIZE = 36;

/** Marker size by load: area proportional to orders, so a outlet twice as busy looks twice as big. */
export function markerSize(orders: number, maxOrders: number): number {
  if (maxOrders <= 0 || orders <= 0) return MIN_SIZE;
  return Math.round(MIN_SIZE + (MAX_SIZE - MIN_SIZE) * Math.sqrt(orders / maxOrders));
}

/** The outlets' bounding box, padded, as ECharts geo boundingCoords: [[west, north], [east, south]]. */
export function boundingCoords(points: ReadonlyArray<{ lat: number; lon: number }>, padDegrees = 3): [[number, number], [number, number]] | undefined {
  if (points.length === 0) return undefined;
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  return [
    [Math.max(-180, Math.min(...lons) - padDegrees), Math.min(90, Math.max(...lats) + padDegrees)],
    [Math.min(180, Math.max(...lons) + padDegrees), Math.max(-90, Math.min(...lats) - padDegrees)],
  ];
}

/**
 * Outlets at their coordinates, sized by orders received. On the land basemap when it is registered,
 * else on plain longitude/latitude axes, so the chart never waits on the map file.
 */
export function outletMapOption(points: readonly OutletPoint[], options: { basemap: boolean; text: ChartText }): ChartOption {
  const { basemap, text } = options;
  const max = Math.max(0, ...points.map((p) => p.orders));
  const data = points.map((p) => ({
    name: p.name,
    value: [p.lon, p.lat, p.orders, p.technicians],
    symbolSize: markerSize(p.orders, max),
  }));
  const tooltip = {
    trigger: 'item' as const,
    confine: true,
    formatter: (params: unknown) => {
      const { name, value } = params as { name: string; value: [number, number, number, number] };
      const perTech = value[3] > 0 ? text.number(value[2] / value[3], 1) : '—';
      return `${escapeHtml(name)}<br/>${text.t('map.tooltip', { orders: text.number(value[2]), technicians: value[3], perTech })}`;
    },
  };
  const series = {
    type: 'scatter' as const,
    name: text.t('metric.ordersReceived'),
    data,
    large: points.length > 2000,
    itemStyle: { opacity: 0.75, borderColor: '#fff', borderWidth: 1 },
    encode: { tooltip: [2] },
  };
  if (basemap) {
    return {
      ...baseOption(),
      tooltip,
      geo: {
        map: BASEMAP_NAME,
        roam: true,
        silent: true,
        boundingCoords: boundingCoords(points),
        itemStyle: { areaColor: 'rgba(128,128,128,0.18)', borderColor: 'rgba(128,128,128,0.5)' },
      },
      series: [{ ...series, coordinateSystem: 'geo' }],
    };
  }
  return {
    ...baseOption(),
    tooltip,
    xAxis: { type: 'value', name: text.t('map.lon'), scale: true },
    yAxis: { type: 'value', name: text.t('map.lat'), scale: true },
    series: [series],
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
