import type { Alarm, FleetDevice } from '@servicetower/domain';
import { describe, expect, it } from 'vitest';
import {
  alarmOf, appendReadings, applyAlarmChange, applyAlarmToFleet, changeTouchesPeriod, openAlarmsDelta, type SensorLine,
} from '../src/lib/liveUpdates';

const alarm = (alarmId: string, patch: Partial<Alarm> = {}): Alarm => ({
  alarmId, ruleId: 'r1', deviceId: 'd1', sensor: 'temp', kind: 'limit', severity: 'warning', status: 'open',
  openedAt: '2026-03-01T00:00:00Z', lastTriggeredAt: '2026-03-01T00:00:00Z', triggerCount: 1, value: 99, readingAt: null, message: 'hot',
  acknowledgedBy: null, acknowledgedAt: null, resolvedBy: null, resolvedAt: null, escalatedAt: null, serviceOrderId: null, ...patch,
});

describe('alarms list under live changes', () => {
  it('puts a new alarm on top and replaces a listed one in place', () => {
    const list = [alarm('2'), alarm('1')];
    expect(applyAlarmChange(list, alarm('3'), { status: 'open' }).map((a) => a.alarmId)).toEqual(['3', '2', '1']);
    const changed = applyAlarmChange(list, alarm('1', { severity: 'critical' }), { status: null });
    expect(changed.map((a) => [a.alarmId, a.severity])).toEqual([['2', 'warning'], ['1', 'critical']]);
  });

  it('drops an alarm that leaves the filter: resolved while the list shows open alarms', () => {
    const list = [alarm('2'), alarm('1')];
    expect(applyAlarmChange(list, alarm('2', { status: 'resolved' }), { status: 'open' }).map((a) => a.alarmId)).toEqual(['1']);
    expect(applyAlarmChange(list, alarm('9', { deviceId: 'd2' }), { device: 'd1' })).toHaveLength(2);
  });

  it('keeps the list within its limit', () => {
    expect(applyAlarmChange([alarm('2'), alarm('1')], alarm('3'), {}, 2).map((a) => a.alarmId)).toEqual(['3', '2']);
  });

  it('reads only messages that look like alarms', () => {
    expect(alarmOf({ alarmId: '1', status: 'open', openedAt: 'x' })).not.toBeNull();
    expect(alarmOf({ alarmId: 1 })).toBeNull();
    expect(alarmOf(null)).toBeNull();
  });
});

describe('the fleet list under live alarms', () => {
  const device = (id: string, patch: Partial<FleetDevice> = {}): FleetDevice => ({
    id, modelId: 'display-pro', outletId: 'o1', customerId: null, regionId: 'south', health: 'ok', lastSeenAt: null,
    openAlarms: { warning: 0, critical: 0 }, rulCycles: null, ...patch,
  });

  it('counts a new critical alarm on its device and makes the device critical', () => {
    const fleet = [device('d1'), device('d2')];
    const next = applyAlarmToFleet(fleet, alarm('7', { deviceId: 'd2', severity: 'critical' }), undefined);
    expect(next[1]).toMatchObject({ id: 'd2', health: 'critical', openAlarms: { warning: 0, critical: 1 } });
    expect(next[0]).toBe(fleet[0]);
    expect(fleet[1]!.health).toBe('ok');
  });

  it('counts an alarm once however often it triggers or is acknowledged, and no longer once resolved', () => {
    let fleet = [device('d1')];
    fleet = applyAlarmToFleet(fleet, alarm('7', { severity: 'warning' }), undefined);
    fleet = applyAlarmToFleet(fleet, alarm('7', { severity: 'warning', triggerCount: 2 }), { status: 'open', severity: 'warning' });
    fleet = applyAlarmToFleet(fleet, alarm('7', { severity: 'warning', status: 'acknowledged' }), { status: 'open', severity: 'warning' });
    expect(fleet[0]).toMatchObject({ health: 'warning', openAlarms: { warning: 1, critical: 0 } });
    fleet = applyAlarmToFleet(fleet, alarm('7', { severity: 'warning', status: 'resolved' }), { status: 'acknowledged', severity: 'warning' });
    expect(fleet[0]).toMatchObject({ health: 'ok', openAlarms: { warning: 0, critical: 0 } });
  });

  it('moves an escalated alarm from the warnings to the critical ones', () => {
    expect(openAlarmsDelta({ status: 'open', severity: 'warning' }, alarm('7', { severity: 'critical', escalatedAt: '2026-03-01T01:00:00Z' })))
      .toEqual({ warning: -1, critical: 1 });
  });

  it('changes no count for an alarm first seen repeating or acknowledged: the list counted it when loaded', () => {
    expect(openAlarmsDelta(undefined, alarm('7', { triggerCount: 4 }))).toEqual({ warning: 0, critical: 0 });
    expect(openAlarmsDelta(undefined, alarm('7', { status: 'acknowledged' }))).toEqual({ warning: 0, critical: 0 });
    expect(openAlarmsDelta(undefined, alarm('7', { severity: 'critical', status: 'resolved' }))).toEqual({ warning: 0, critical: -1 });
  });

  it('keeps the health its remaining life gives when its alarms are resolved', () => {
    const worn = device('d1', { health: 'critical', rulCycles: 12, openAlarms: { warning: 1, critical: 0 } });
    const next = applyAlarmToFleet([worn], alarm('7', { status: 'resolved' }), { status: 'open', severity: 'warning' });
    expect(next[0]).toMatchObject({ health: 'critical', openAlarms: { warning: 0, critical: 0 } });
  });

  it('leaves devices it does not list alone', () => {
    const fleet = [device('d1')];
    expect(applyAlarmToFleet(fleet, alarm('7', { deviceId: 'elsewhere' }), undefined)).toEqual(fleet);
  });
});

describe('kpi change notices', () => {
  it('refresh a period only when their event time overlaps it', () => {
    const march = { from: '2026-03-01', to: '2026-04-01' };
    expect(changeTouchesPeriod({ from: '2026-03-10T08:00:00Z', to: '2026-03-10T09:00:00Z' }, march)).toBe(true);
    expect(changeTouchesPeriod({ from: '2026-05-10T08:00:00Z', to: '2026-05-10T09:00:00Z' }, march)).toBe(false);
    expect(changeTouchesPeriod({ from: '2026-01-10T08:00:00Z', to: '2026-01-10T09:00:00Z' }, march)).toBe(false);
    expect(changeTouchesPeriod({ from: '2026-02-28T20:00:00Z', to: '2026-02-28T21:00:00Z' }, march)).toBe(true);
    expect(changeTouchesPeriod({ from: 'x', to: 'y' }, march)).toBe(true);
  });
});

describe('readings streaming into a chart', () => {
  const line = (points: Array<[number, number]>, band: SensorLine['band'] = null): SensorLine => ({ sensor: 'temp', unit: '°C', resolution: 'raw', points, band });
  const summary = (at: string, value: number) => ({ temp: { at, value, min: value - 1, max: value + 1, count: 3 } });

  it('appends the latest value and slides the window', () => {
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const [next] = appendReadings([line([[t0, 1], [t0 + 1000, 2]])], summary('2026-03-01T00:00:02Z', 3), t0 + 500);
    expect(next!.points).toEqual([[t0 + 1000, 2], [t0 + 2000, 3]]);
  });

  it('extends the min/max band of bucketed series', () => {
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const [next] = appendReadings([line([[t0, 1]], [[t0, 0, 2]])], summary('2026-03-01T00:10:00Z', 5), 0);
    expect(next!.band).toEqual([[t0, 0, 2], [t0 + 600_000, 4, 6]]);
  });

  it('ignores readings older than what is drawn and sensors not shown', () => {
    const t0 = Date.parse('2026-03-01T00:00:00Z');
    const lines = [line([[t0, 1]])];
    expect(appendReadings(lines, summary('2026-02-28T00:00:00Z', 3), 0)[0]).toBe(lines[0]);
    expect(appendReadings(lines, { pressure: { at: '2026-03-02T00:00:00Z', value: 1, min: 1, max: 1, count: 1 } }, 0)[0]).toBe(lines[0]);
  });
});
