import './echarts';

/**
 * vue-echarts with this app's ECharts parts registered, and the map registry the basemap fills: the one module
 * that brings ECharts in, so it arrives as one chunk when the first chart or the basemap asks for it.
 */
export { default } from 'vue-echarts';
export { registerMap } from 'echarts/core';
