import { onScopeDispose, ref, shallowRef, toValue, watch, type WatchSource } from 'vue';

export interface Page<T> {
  items: T[];
  /** The cursor of the following page; null: this was the last. */
  next: string | null;
}

/**
 * A list the API serves page by page: the first page loaded when the values of `sources` change (compared by
 * value), `more()` appending the next, `refresh()` asking again for every page shown without the loading state
 * (live updates). The request in flight is aborted when superseded or when the view goes away.
 */
export function usePagedList<T>(loadPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>, sources: WatchSource[] = []) {
  const items = shallowRef<T[]>([]);
  const next = ref<string | null>(null);
  const loading = ref(false);
  const error = shallowRef<Error | null>(null);
  let controller: AbortController | undefined;

  async function run(work: (signal: AbortSignal) => Promise<Page<T>>, quiet: boolean): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    if (!quiet) loading.value = true;
    try {
      const page = await work(mine.signal);
      if (controller !== mine) return;
      items.value = page.items;
      next.value = page.next;
      error.value = null;
    } catch (e) {
      if (mine.signal.aborted) return;
      error.value = e instanceof Error ? e : new Error(String(e));
    } finally {
      if (controller === mine) loading.value = false;
    }
  }

  /** The first page again, from scratch. */
  const reload = () => run((signal) => loadPage(null, signal), false);

  /** The next page, appended. */
  function more(): Promise<void> {
    const cursor = next.value;
    if (cursor === null) return Promise.resolve();
    const shown = items.value;
    return run(async (signal) => {
      const page = await loadPage(cursor, signal);
      return { items: [...shown, ...page.items], next: page.next };
    }, false);
  }

  /** As many pages as are shown, asked again; what is shown stays until they are all in. */
  function refresh(): Promise<void> {
    const wanted = items.value.length;
    return run(async (signal) => {
      const all: T[] = [];
      let cursor: string | null = null;
      do {
        const page: Page<T> = await loadPage(cursor, signal);
        all.push(...page.items);
        cursor = page.next;
      } while (cursor !== null && all.length < wanted);
      return { items: all, next: cursor };
    }, true);
  }

  watch(() => JSON.stringify(sources.map((source) => toValue(source))), () => void reload(), { immediate: true });
  onScopeDispose(() => controller?.abort());
  return { items, next, loading, error, reload, more, refresh };
}
