import { onScopeDispose } from 'vue';

/**
 * Coalesces bursts of live notices into one reload: the first notice schedules it `delayMs` later and the
 * ones arriving meanwhile ride along, so a busy stream refreshes a view at most every few seconds.
 */
export function useDebouncedReload(reload: () => unknown, delayMs = 3000): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  onScopeDispose(() => clearTimeout(timer));
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void reload();
    }, delayMs);
  };
}
