import { effectScope, nextTick, ref } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import { usePagedList, type Page } from '../src/composables/usePagedList';

const flush = async () => {
  await nextTick();
  await new Promise((resolve) => setTimeout(resolve, 0));
};

/** Ten items 0…9 served `size` at a time, the cursor being the last item of a page. */
function pages(size: number, items = Array.from({ length: 10 }, (_, i) => i)) {
  return vi.fn(async (cursor: string | null): Promise<Page<number>> => {
    const start = cursor === null ? 0 : Number(cursor) + 1;
    const page = items.slice(start, start + size);
    return { items: page, next: start + size < items.length ? String(page.at(-1)) : null };
  });
}

describe('usePagedList', () => {
  it('loads the first page, appends the next on demand, and starts again when the filters change', async () => {
    const region = ref('north');
    const load = pages(4);
    const scope = effectScope();
    const list = scope.run(() => usePagedList(load, [region]))!;
    await flush();
    expect(list.items.value).toEqual([0, 1, 2, 3]);
    expect(list.next.value).toBe('3');
    await list.more();
    expect(list.items.value).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    region.value = 'east';
    await flush();
    expect(list.items.value).toEqual([0, 1, 2, 3]);
    expect(load).toHaveBeenLastCalledWith(null, expect.any(AbortSignal));
    scope.stop();
  });

  it('refreshes every page shown, quietly: what is shown stays while the pages come in', async () => {
    const load = pages(4);
    const scope = effectScope();
    const list = scope.run(() => usePagedList(load))!;
    await flush();
    await list.more();
    list.items.value = [0, 1, 2, 99, 4, 5, 6, 7];
    const refreshing = list.refresh();
    expect(list.loading.value).toBe(false);
    expect(list.items.value[3]).toBe(99);
    await refreshing;
    expect(list.items.value).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(list.next.value).toBe('7');
    scope.stop();
  });

  it('keeps the rows shown and reports the error when a page fails', async () => {
    let fail = false;
    const scope = effectScope();
    const list = scope.run(() => usePagedList(async (cursor) => {
      if (fail) throw new Error('The API answered 503');
      return { items: [cursor === null ? 1 : 2], next: cursor === null ? 'a' : null };
    }))!;
    await flush();
    fail = true;
    await list.more();
    expect(list.items.value).toEqual([1]);
    expect(list.error.value?.message).toBe('The API answered 503');
    scope.stop();
  });
});
