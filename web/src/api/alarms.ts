import type { Alarm, AlarmSeverity, AlarmStatus } from '@servicetower/domain';
import { getJson, sendJson } from './http';

/** GET /api/v1/alarms: newest first. */
export async function fetchAlarms(query: { status?: AlarmStatus | null; severity?: AlarmSeverity | null; device?: string | null; limit?: number }, signal?: AbortSignal) {
  return (await getJson<{ items: Alarm[] }>('/api/v1/alarms', query, signal)).items;
}

/** POST /api/v1/alarms/:id/acknowledge: 409 when it is already acknowledged or resolved. */
export function acknowledgeAlarm(id: string) {
  return sendJson<Alarm>('POST', `/api/v1/alarms/${encodeURIComponent(id)}/acknowledge`);
}

/** POST /api/v1/alarms/:id/resolve: 409 when it is already resolved. */
export function resolveAlarm(id: string) {
  return sendJson<Alarm>('POST', `/api/v1/alarms/${encodeURIComponent(id)}/resolve`);
}
