// Whether ingested records are in the database exactly as sent: every field, times as PostgreSQL reads
// the sent text, amounts as their numeric(12, 2) columns keep them (rounded to the cent).
import type pg from 'pg';
import type { StreamName } from '@servicetower/domain';

type Row = Record<string, unknown>;

const TEXT_FIELDS: Record<Exclude<StreamName, 'telemetry'>, Record<string, string>> = {
  'service-orders': {
    orderId: 'order_id', type: 'type', outletId: 'outlet_id', productLine: 'product_line', technicianId: 'technician_id',
    customerId: 'customer_id', deviceId: 'device_id', channel: 'channel', note: 'note',
  },
  parts: { requestId: 'request_id', type: 'type', outletId: 'outlet_id', partNo: 'part_no', source: 'source', orderId: 'order_id' },
  complaints: { complaintId: 'complaint_id', outletId: 'outlet_id', productLine: 'product_line', cause: 'cause', orderId: 'order_id', channel: 'channel', severity: 'severity' },
};
const TABLES = { 'service-orders': 'service_order_event', parts: 'parts_request_event', complaints: 'complaint' } as const;
const MONEY = { 'service-orders': 'labor_cost', parts: 'unit_cost', complaints: null } as const;
const MONEY_FIELD = { 'service-orders': 'laborCost', parts: 'unitCost', complaints: null } as const;

const money = (value: unknown) => (typeof value === 'number' ? String(value) : null);

/** What differs between the records and what is stored of them; empty when each is stored exactly. */
export async function storedDifferences(pool: pg.Pool, stream: StreamName, records: readonly Row[]): Promise<string[]> {
  if (records.length === 0) return [];
  return stream === 'telemetry' ? readingDifferences(pool, records) : eventDifferences(pool, stream, records);
}

async function eventDifferences(pool: pg.Pool, stream: Exclude<StreamName, 'telemetry'>, records: readonly Row[]): Promise<string[]> {
  const moneyColumn = MONEY[stream];
  const moneyField = MONEY_FIELD[stream];
  const { rows } = await pool.query<Row>(
    `SELECT e.*, x.i, e.at = x.at::timestamptz AS at_ok,
            ${moneyColumn ? `e.${moneyColumn} IS NOT DISTINCT FROM round(x.money::numeric, 2)` : 'true'} AS money_ok
     FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(id, at, money, i)
     JOIN ${TABLES[stream]} e ON e.event_id = x.id`,
    [records.map((r) => r.eventId), records.map((r) => r.at), records.map((r) => (moneyField ? money(r[moneyField]) : null))],
  );
  const byIndex = new Map(rows.map((row) => [Number(row.i) - 1, row]));
  const differences: string[] = [];
  records.forEach((record, index) => {
    const row = byIndex.get(index);
    const id = JSON.stringify(record.eventId);
    if (!row) return differences.push(`${stream} ${id}: not stored`);
    if (row.at_ok !== true) differences.push(`${stream} ${id}: at ${String(row.at)} is not ${String(record.at)}`);
    if (row.money_ok !== true) differences.push(`${stream} ${id}: ${moneyColumn} ${String(row[moneyColumn!])} is not ${String(record[moneyField!])} to the cent`);
    if (stream === 'parts' && row.quantity !== record.quantity) differences.push(`${stream} ${id}: quantity ${String(row.quantity)} is not ${String(record.quantity)}`);
    for (const [field, column] of Object.entries(TEXT_FIELDS[stream])) {
      if (row[column] !== (record[field] ?? null)) differences.push(`${stream} ${id}: ${field} ${JSON.stringify(row[column])} is not ${JSON.stringify(record[field])}`);
    }
    return undefined;
  });
  return differences;
}

async function readingDifferences(pool: pg.Pool, records: readonly Row[]): Promise<string[]> {
  const device: string[] = [];
  const sensor: string[] = [];
  const at: string[] = [];
  const value: number[] = [];
  for (const record of records) {
    for (const sample of record.readings as Array<{ at: string; values: Record<string, number> }>) {
      for (const [name, v] of Object.entries(sample.values)) {
        device.push(record.deviceId as string);
        sensor.push(name);
        at.push(sample.at);
        value.push(v);
      }
    }
  }
  const { rows } = await pool.query<{ i: string; value: number | null }>(
    `SELECT x.i, r.value FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS x(device, sensor, at, i)
     LEFT JOIN reading r ON r.device_id = x.device AND r.sensor = x.sensor AND r.at = x.at::timestamptz`,
    [device, sensor, at],
  );
  const differences: string[] = [];
  for (const row of rows) {
    const i = Number(row.i) - 1;
    if (row.value === null) differences.push(`reading ${device[i]} ${sensor[i]} ${at[i]}: not stored`);
    else if (row.value !== value[i]) differences.push(`reading ${device[i]} ${sensor[i]} ${at[i]}: ${row.value} is not ${value[i]}`);
  }
  return differences;
}

/** Rows in each table that ingestion and the write routes fill. */
export type RowCounts = Record<'service_order_event' | 'parts_request_event' | 'complaint' | 'reading', number> & Record<string, number>;

export async function rowCounts(pool: pg.Pool): Promise<RowCounts> {
  const tables = ['service_order_event', 'parts_request_event', 'complaint', 'reading', 'region', 'outlet', 'product_line', 'part',
    'device_model', 'device_model_sensor', 'device', 'alarm_rule', 'app_user', 'api_key', 'webhook', 'audit_log'];
  const { rows } = await pool.query<{ t: string; n: string }>(tables.map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`).join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.t, Number(r.n)])) as RowCounts;
}
