import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type {
  DataZoomComponentOption, GeoComponentOption, GridComponentOption, LegendComponentOption, MarkLineComponentOption, TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';

/** Every option a chart of this app may use: exactly the parts registered in ../echarts.ts. */
export type ChartOption = ComposeOption<
  | LineSeriesOption | BarSeriesOption | ScatterSeriesOption | HeatmapSeriesOption
  | GridComponentOption | TooltipComponentOption | LegendComponentOption | DataZoomComponentOption | MarkLineComponentOption
  | GeoComponentOption | VisualMapComponentOption
>;

/** Words and numbers for a chart in the chosen language; tests pass a stand-in. */
export interface ChartText {
  t: (key: string, named?: Record<string, unknown>) => string;
  number: (value: number, digits?: number) => string;
}

/** Above this many points a line is sampled by largest-triangle-three-buckets when drawn. */
export const LTTB_THRESHOLD = 500;

/** The parts every chart shares: transparent background (the page's theme shows through), no title (the panel has one). */
export function baseOption(): ChartOption {
  return {
    backgroundColor: 'transparent',
    tooltip: { trigger: 'axis', confine: true },
    // Axis labels and names stay inside the chart box (ECharts 6's successor of containLabel).
    grid: { left: 8, right: 16, top: 40, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'all' },
  };
}

/** A legend that scrolls instead of wrapping over the plot when there are many series. */
export function scrollLegend(): LegendComponentOption {
  return { type: 'scroll', top: 0, left: 0, right: 0 };
}

/** Sorted distinct values. */
export function distinct<T extends string>(values: Iterable<T>): T[] {
  return [...new Set(values)].sort();
}

/** The label of a group id: its name when known, else the id ("—" for the ungrouped network). */
export function groupName(group: string | null, names: Record<string, string> | undefined): string {
  if (group === null) return '—';
  return names?.[group] ?? group;
}
