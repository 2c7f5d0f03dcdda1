import { use } from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomInsideComponent, DataZoomSliderComponent, GeoComponent, GridComponent, LegendScrollComponent, MarkLineComponent, TooltipComponent,
  VisualMapContinuousComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

/**
 * The only place ECharts parts are registered, once, for every chart of the app: exactly what the option
 * builders in ./options use (ChartOption there lists the same parts), so the bundle holds nothing else.
 */
use([
  CanvasRenderer,
  LineChart, BarChart, ScatterChart, HeatmapChart,
  GridComponent, TooltipComponent, LegendScrollComponent, DataZoomInsideComponent, DataZoomSliderComponent, MarkLineComponent,
  GeoComponent, VisualMapContinuousComponent,
]);
