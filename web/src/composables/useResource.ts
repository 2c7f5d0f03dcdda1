import { onScopeDispose, ref, shallowRef, toValue, watch, type Ref, type ShallowRef, type WatchSource } from 'vue';

export interface Resource<T> {
  data: ShallowRef<T | undefined>;
  error: ShallowRef<Error | undefined>;
  loading: Ref<boolean>;
  /** Loads again; `quiet` keeps what is shown until the new answer is in (live refreshes). */
  reload: (options?: { quiet?: boolean }) => Promise<void>;
}

/**
 * Data a view loads from the API: loading, error and data states, reloaded when the values of `sources`
 * change (compared by value, so a query object rebuilt with the same filters asks nothing again), the
 * request in flight aborted when it is superseded or the view goes away.
 */
export function useResource<T>(loader: (signal: AbortSignal) => Promise<T>, sources: WatchSource[] = []): Resource<T> {
  const data = shallowRef<T>();
  const error = shallowRef<Error>();
  const loading = ref(false);
  let controller: AbortController | undefined;

  async function reload(options: { quiet?: boolean } = {}): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    if (!options.quiet) loading.value = true;
    try {
      const value = await loader(mine.signal);
      if (controller !== mine) return;
      data.value = value;
      error.value = undefined;
    } catch (e) {
      if (mine.signal.aborted) return;
      error.value = e instanceof Error ? e : new Error(String(e));
      if (!options.quiet) data.value = undefined;
    } finally {
      if (controller === mine) loading.value = false;
    }
  }

  watch(() => JSON.stringify(sources.map((source) => toValue(source))), () => void reload(), { immediate: true });
  onScopeDispose(() => controller?.abort());
  return { data, error, loading, reload };
}
