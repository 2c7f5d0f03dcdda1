import type { Alarm, AlarmSeverity, AlarmStatus } from '@servicetower/domain';
import { defineStore } from 'pinia';
import { reactive, ref, shallowRef } from 'vue';
import { acknowledgeAlarm, fetchAlarms, resolveAlarm } from '../api/alarms';
import { alarmOf, applyAlarmChange } from '../lib/liveUpdates';
import type { LiveMessage } from '../lib/live';

export interface AlarmFilter {
  status: AlarmStatus | null;
  severity: AlarmSeverity | null;
  device: string | null;
}

const LIMIT = 200;

/** The alarms list: loaded for a filter, kept current by the live `alarms` topic, acknowledged and resolved from here. */
export const useAlarmsStore = defineStore('alarms', () => {
  const items = shallowRef<Alarm[]>([]);
  const filter = ref<AlarmFilter>({ status: 'open', severity: null, device: null });
  const loading = ref(false);
  const error = shallowRef<Error | null>(null);
  /** Per alarm id: an action under way, or the error of the last one. */
  const busy = reactive(new Set<string>());
  const actionErrors = reactive(new Map<string, string>());
  let controller: AbortController | null = null;

  async function load(next: AlarmFilter = filter.value, options: { quiet?: boolean } = {}): Promise<void> {
    filter.value = next;
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    if (!options.quiet) loading.value = true;
    error.value = null;
    try {
      items.value = await fetchAlarms({ ...next, limit: LIMIT }, mine.signal);
    } catch (e) {
      if (mine.signal.aborted) return;
      error.value = e instanceof Error ? e : new Error(String(e));
    } finally {
      if (controller === mine) loading.value = false;
    }
  }

  /** A message of the live `alarms` topic. */
  function onLive(message: LiveMessage): void {
    if (message.type === 'reconnected') {
      void load(filter.value, { quiet: true });
      return;
    }
    if (message.type !== 'alarm') return;
    const alarm = alarmOf(message.alarm);
    if (alarm) items.value = applyAlarmChange(items.value, alarm, filter.value, LIMIT);
  }

  async function transition(alarmId: string, action: 'acknowledge' | 'resolve'): Promise<void> {
    busy.add(alarmId);
    actionErrors.delete(alarmId);
    try {
      const alarm = await (action === 'acknowledge' ? acknowledgeAlarm(alarmId) : resolveAlarm(alarmId));
      items.value = applyAlarmChange(items.value, alarm, filter.value, LIMIT);
    } catch (e) {
      actionErrors.set(alarmId, e instanceof Error ? e.message : String(e));
    } finally {
      busy.delete(alarmId);
    }
  }

  return {
    items, filter, loading, error, busy, actionErrors, load, onLive,
    acknowledge: (id: string) => transition(id, 'acknowledge'),
    resolve: (id: string) => transition(id, 'resolve'),
  };
});
