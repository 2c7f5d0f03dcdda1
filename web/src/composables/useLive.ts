import { onScopeDispose, ref, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { recheckSession } from '../api/session';
import { LiveClient, type LiveHandler, type LiveSocket, type LiveStatus } from '../lib/live';
import { useSessionStore } from '../stores/session';

/** One live connection for the whole app; its status feeds the header's indicator. */
export const liveStatus = ref<LiveStatus>('idle');

let client: LiveClient | null = null;

export function liveClient(): LiveClient {
  client ??= new LiveClient({
    url: () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`,
    createSocket: (url) => new WebSocket(url) as unknown as LiveSocket,
    onStatus: (status) => (liveStatus.value = status),
    // A 401 here goes to the sign-in redirect (router/index.ts); else the user as they now are.
    onCredentialsEnded: () => void recheckSession().then((session) => useSessionStore().replace(session), () => {}),
  });
  return client;
}

/**
 * Listens to a live topic while the calling component lives; a null topic listens to nothing, and a
 * changed topic moves the subscription.
 */
export function useLiveTopic(topic: MaybeRefOrGetter<string | null>, handler: LiveHandler): void {
  let stop: (() => void) | null = null;
  watch(() => toValue(topic), (name) => {
    stop?.();
    stop = name === null ? null : liveClient().subscribe(name, handler);
  }, { immediate: true });
  onScopeDispose(() => stop?.());
}
