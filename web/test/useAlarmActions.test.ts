import type { Alarm } from '@servicetower/domain';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../src/api/http';

const api = vi.hoisted(() => ({ acknowledgeAlarm: vi.fn(), resolveAlarm: vi.fn(), fetchAlarms: vi.fn(), fetchAlarmRules: vi.fn(), saveAlarmRule: vi.fn() }));
vi.mock('../src/api/alarms', () => api);

const { useAlarmActions } = await import('../src/composables/useAlarmActions');

const alarm = (status: Alarm['status']): Alarm => ({
  alarmId: '42', ruleId: 'r1', deviceId: 'd1', sensor: 'temp', kind: 'limit', severity: 'critical', status,
  openedAt: '2026-03-01T00:00:00Z', lastTriggeredAt: '2026-03-01T00:00:00Z', triggerCount: 1, value: 99, readingAt: null, message: 'hot',
  acknowledgedBy: status === 'open' ? null : 'li', acknowledgedAt: null, resolvedBy: null, resolvedAt: null, escalatedAt: null, serviceOrderId: null,
});

describe('acknowledging and resolving alarms', () => {
  beforeEach(() => vi.resetAllMocks());

  it('hands the API’s answer to the list, and marks the alarm busy until it is in', async () => {
    let answer!: (a: Alarm) => void;
    api.acknowledgeAlarm.mockReturnValue(new Promise<Alarm>((resolve) => (answer = resolve)));
    const changed = vi.fn();
    const actions = useAlarmActions(changed);
    const done = actions.acknowledge('42');
    expect(api.acknowledgeAlarm).toHaveBeenCalledWith('42');
    expect(actions.busy.has('42')).toBe(true);
    answer(alarm('acknowledged'));
    await done;
    expect(changed).toHaveBeenCalledWith(expect.objectContaining({ alarmId: '42', status: 'acknowledged' }));
    expect(actions.busy.has('42')).toBe(false);
  });

  it('keeps the server’s reason when it refuses, and clears it on the next try', async () => {
    api.resolveAlarm.mockRejectedValueOnce(new ApiError(409, 'Alarm 42 is resolved by li at 2026-03-01T01:00:00Z, so it cannot be resolved: nothing is left to do.'));
    const changed = vi.fn();
    const actions = useAlarmActions(changed);
    await actions.resolve('42');
    expect(changed).not.toHaveBeenCalled();
    expect(actions.errors.get('42')).toMatch(/^Alarm 42 is resolved by li/);
    api.resolveAlarm.mockResolvedValueOnce(alarm('resolved'));
    await actions.resolve('42');
    expect(actions.errors.has('42')).toBe(false);
    expect(changed).toHaveBeenCalledTimes(1);
  });
});
