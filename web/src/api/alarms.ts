import type { Alarm, AlarmRule, AlarmRuleBody, AlarmSeverity, AlarmStatus } from '@servicetower/domain';
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

/** GET /api/v1/alarm-rules: in id order; `model` limits them to a device model. */
export async function fetchAlarmRules(query: { model?: string | null } = {}, signal?: AbortSignal) {
  return (await getJson<{ items: AlarmRule[] }>('/api/v1/alarm-rules', query, signal)).items;
}

/**
 * PUT /api/v1/alarm-rules/:id: creates or replaces the rule (admins only). A 400 or 422 names the fields in
 * its message and lists them in `errors` ({ path: 'body/params/high', message }).
 */
export function saveAlarmRule(id: string, body: AlarmRuleBody) {
  return sendJson<AlarmRule>('PUT', `/api/v1/alarm-rules/${encodeURIComponent(id)}`, body);
}
