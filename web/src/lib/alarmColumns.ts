import type { Alarm } from '@servicetower/domain';
import type { CsvColumn } from './csv';

/** The CSV export of an alarm list: every field of the API's alarm, under its own name. */
export function alarmColumns(): CsvColumn<Alarm>[] {
  const fields: Array<keyof Alarm> = [
    'alarmId', 'ruleId', 'deviceId', 'sensor', 'kind', 'severity', 'status', 'openedAt', 'lastTriggeredAt', 'triggerCount', 'value', 'readingAt',
    'message', 'acknowledgedBy', 'acknowledgedAt', 'resolvedBy', 'resolvedAt', 'escalatedAt', 'serviceOrderId',
  ];
  return fields.map((field) => ({ header: field, value: (a: Alarm) => a[field] }));
}
