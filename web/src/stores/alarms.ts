import type { Alarm, AlarmSeverity, AlarmStatus } from '@servicetower/domain';
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { fetchAlarms } from '../api/alarms';
import { useAlarmActions } from '../composables/useAlarmActions';
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
  const actions = useAlarmActions((alarm) => (items.value = applyAlarmChange(items.value, alarm, filter.value, LIMIT)));
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

  return {
    items, filter, loading, error, load, onLive,
    /** Per alarm id: an action under way, or the error of the last one. */
    busy: actions.busy,
    actionErrors: actions.errors,
    acknowledge: actions.acknowledge,
    resolve: actions.resolve,
  };
});
