import type { ChartText } from '../src/components/charts/options/common';

/** Chart text that shows keys and their parameters, so tests assert which words a chart asks for. */
export const text: ChartText = {
  t: (key, named) => (named && Object.keys(named).length > 0 ? `${key}(${Object.entries(named).map(([k, v]) => `${k}=${String(v)}`).join(',')})` : key),
  number: (value, digits = 0) => value.toFixed(digits),
};

/** ECharts options keep series and axes as one object or an array: tests read both the same way. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
