import type { RouteLocationRaw } from 'vue-router';
import type { CsvColumn } from './csv';

/**
 * One column of a table, and of its CSV export: `header` is the CSV header (the API's field name, the same
 * in every language), `label` what the table heading says, `value` the raw cell (numbers stay numbers in
 * the CSV), `format` what the table shows, `to` makes the cell a link, `csv: false` keeps a column of buttons
 * out of the export.
 */
export interface Column<Row> extends CsvColumn<Row> {
  key: string;
  label: string;
  format?: (row: Row) => string;
  align?: 'start' | 'end';
  to?: (row: Row) => RouteLocationRaw;
  csv?: false;
}

/** The columns a CSV export of the table holds. */
export function csvColumnsOf<Row>(columns: ReadonlyArray<Column<Row>>): Array<Column<Row>> {
  return columns.filter((c) => c.csv !== false);
}
