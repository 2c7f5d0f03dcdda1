import type { Alarm } from '@servicetower/domain';
import { reactive } from 'vue';
import { acknowledgeAlarm, resolveAlarm } from '../api/alarms';

/**
 * Acknowledging and resolving alarms wherever they are listed: per alarm id, whether an action is under way and
 * the message of the last one that failed (a 409 says who got there first). `changed` receives the alarm as
 * the API answers it, for the list to show its new state at once.
 */
export function useAlarmActions(changed: (alarm: Alarm) => void) {
  const busy = reactive(new Set<string>());
  const errors = reactive(new Map<string, string>());

  async function transition(alarmId: string, action: 'acknowledge' | 'resolve'): Promise<void> {
    busy.add(alarmId);
    errors.delete(alarmId);
    try {
      changed(await (action === 'acknowledge' ? acknowledgeAlarm(alarmId) : resolveAlarm(alarmId)));
    } catch (e) {
      errors.set(alarmId, e instanceof Error ? e.message : String(e));
    } finally {
      busy.delete(alarmId);
    }
  }

  return {
    busy,
    errors,
    acknowledge: (alarmId: string) => transition(alarmId, 'acknowledge'),
    resolve: (alarmId: string) => transition(alarmId, 'resolve'),
  };
}

export type AlarmActions = ReturnType<typeof useAlarmActions>;
