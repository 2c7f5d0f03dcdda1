import type { Alarm, AlarmStatus, SensorSummary } from '@servicetower/domain';

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
