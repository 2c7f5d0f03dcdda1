import type { Alarm, AlarmStatus, FleetDevice, Health, SensorSummary } from '@servicetower/domain';

/**
 * How live messages change what a view shows: pure functions, so the rules (which alarm stays in a
 * filtered list, which change notice touches a period, how readings extend a chart) are tested alone.
 */

/** A kpi change notice's event-time range overlaps the period [from, to) of local dates (a day of slack for time zones). */
export function changeTouchesPeriod(change: { from: string; to: string }, period: { from?: string; to?: string }): boolean {
  if (period.from === undefined || period.to === undefined) return true;
  const changeFrom = Date.parse(change.from);
  const changeTo = Date.parse(change.to);
  if (Number.isNaN(changeFrom) || Number.isNaN(changeTo)) return true;
  const start = Date.parse(`${period.from}T00:00:00Z`) - 86_400_000;
  const end = Date.parse(`${period.to}T00:00:00Z`) + 86_400_000;
  return changeTo >= start && changeFrom < end;
}

/** The alarm of a live message, when it looks like one. */
export function alarmOf(value: unknown): Alarm | null {
  if (typeof value !== 'object' || value === null) return null;
  const a = value as Partial<Alarm>;
  return typeof a.alarmId === 'string' && typeof a.status === 'string' && typeof a.openedAt === 'string' ? (a as Alarm) : null;
}

/**
 * The list after an alarm was opened or changed: replaced in place when listed, added at the top when new,
 * and dropped when it no longer matches the list's filters (e.g. resolved while the list shows open alarms).
 */
export function applyAlarmChange(
  list: readonly Alarm[],
  alarm: Alarm,
  filter: { status?: AlarmStatus | null; severity?: Alarm['severity'] | null; device?: string | null },
  limit = Infinity,
): Alarm[] {
  const matches = (!filter.status || alarm.status === filter.status)
    && (!filter.severity || alarm.severity === filter.severity)
    && (!filter.device || alarm.deviceId === filter.device);
  const index = list.findIndex((a) => a.alarmId === alarm.alarmId);
  if (index >= 0) {
    const next = [...list];
    if (matches) next[index] = alarm;
    else next.splice(index, 1);
    return next;
  }
  return matches ? [alarm, ...list].slice(0, limit) : [...list];
}

/** What the fleet list remembers of an alarm it saw change: enough to undo its count when it changes again. */
export type AlarmState = Pick<Alarm, 'status' | 'severity'>;
type AlarmCounts = FleetDevice['openAlarms'];

/**
 * How an alarm's change moves its device's unresolved alarms (open or acknowledged), by severity. `before` is its
 * state when last seen; unseen, a first trigger is a new alarm and a resolution ends one counted when the list
 * was loaded, while anything else (a repeat, an acknowledgement) changes no count.
 */
export function openAlarmsDelta(before: AlarmState | undefined, after: Alarm): AlarmCounts {
  const delta: AlarmCounts = { warning: 0, critical: 0 };
  const unresolved = (a: AlarmState) => a.status !== 'resolved';
  if (before) {
    if (unresolved(before)) delta[before.severity] -= 1;
    if (unresolved(after)) delta[after.severity] += 1;
  } else if (after.status === 'resolved') {
    delta[after.severity] -= 1;
  } else if (after.status === 'open' && after.triggerCount === 1 && after.escalatedAt === null) {
    delta[after.severity] += 1;
  }
  return delta;
}

const RANK: Record<Health, number> = { ok: 0, warning: 1, critical: 2 };
const healthOfAlarms = (counts: AlarmCounts): Health => (counts.critical > 0 ? 'critical' : counts.warning > 0 ? 'warning' : 'ok');

/**
 * The fleet list after an alarm changed: its device's unresolved counts and health updated in place. Health
 * the alarms did not explain (a short remaining life, judged by limits only the server knows) is kept as a
 * floor; devices not listed are left to the next reload.
 */
export function applyAlarmToFleet(devices: readonly FleetDevice[], alarm: Alarm, before: AlarmState | undefined): FleetDevice[] {
  const index = devices.findIndex((d) => d.id === alarm.deviceId);
  const delta = openAlarmsDelta(before, alarm);
  if (index < 0 || (delta.warning === 0 && delta.critical === 0)) return [...devices];
  const device = devices[index]!;
  const openAlarms = {
    warning: Math.max(0, device.openAlarms.warning + delta.warning),
    critical: Math.max(0, device.openAlarms.critical + delta.critical),
  };
  const lifeFloor = RANK[device.health] > RANK[healthOfAlarms(device.openAlarms)] ? device.health : 'ok';
  const byAlarms = healthOfAlarms(openAlarms);
  const next = [...devices];
  next[index] = { ...device, openAlarms, health: RANK[byAlarms] >= RANK[lifeFloor] ? byAlarms : lifeFloor };
  return next;
}

/** A sensor's line as the device charts draw it: [epoch ms, value] points, and for bucketed series [ms, min, max]. */
export interface SensorLine {
  sensor: string;
  unit: string;
  resolution: string;
  points: Array<[number, number]>;
  band: Array<[number, number, number]> | null;
}

/** Readings arriving over the live channel extend each shown sensor's line; points before `windowStart` drop off. */
export function appendReadings(lines: readonly SensorLine[], sensors: Record<string, SensorSummary>, windowStart: number): SensorLine[] {
  return lines.map((line) => {
    const summary = sensors[line.sensor];
    const at = summary ? Date.parse(summary.at) : Number.NaN;
    const last = line.points.at(-1);
    const fresh = summary !== undefined && !Number.isNaN(at) && (last === undefined || at > last[0]);
    if (!fresh && (line.points[0]?.[0] ?? Infinity) >= windowStart) return line;
    const points = line.points.filter((p) => p[0] >= windowStart);
    const band = line.band?.filter((p) => p[0] >= windowStart) ?? null;
    if (fresh) {
      points.push([at, summary.value]);
      band?.push([at, summary.min, summary.max]);
    }
    return { ...line, points, band };
  });
}
