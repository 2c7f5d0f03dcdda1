import { effectScope, nextTick, ref } from 'vue';
import { describe, expect, it, vi } from 'vitest';
import { useResource } from '../src/composables/useResource';

const flush = async () => {
  await nextTick();
  await new Promise((resolve) => setTimeout(resolve, 0));
};

describe('useResource', () => {
  it('loads at once, and again only when the sources’ values change', async () => {
    const filters = ref({ from: '2026-01-01', region: 'north' });
    const loader = vi.fn(async () => `rows for ${filters.value.region}`);
    const scope = effectScope();
    const resource = scope.run(() => useResource(loader, [filters]))!;
    await flush();
    expect(resource.data.value).toBe('rows for north');
    filters.value = { from: '2026-01-01', region: 'north' };
    await flush();
    expect(loader).toHaveBeenCalledTimes(1);
    filters.value = { from: '2026-01-01', region: 'east' };
    await flush();
    expect(loader).toHaveBeenCalledTimes(2);
    expect(resource.data.value).toBe('rows for east');
    scope.stop();
  });

  it('keeps only the latest answer, aborting the request it supersedes and the one in flight when the view goes', async () => {
    const signals: AbortSignal[] = [];
    const resolvers: Array<(v: string) => void> = [];
    const loader = (signal: AbortSignal) => new Promise<string>((resolve) => {
      signals.push(signal);
      resolvers.push(resolve);
    });
    const scope = effectScope();
    const resource = scope.run(() => useResource(loader))!;
    void resource.reload();
    resolvers[1]!('second');
    resolvers[0]!('first');
    await flush();
    expect(signals[0]!.aborted).toBe(true);
    expect(resource.data.value).toBe('second');
    expect(resource.loading.value).toBe(false);
    void resource.reload();
    scope.stop();
    expect(signals[2]!.aborted).toBe(true);
  });

  it('keeps what is shown when a quiet reload fails, and clears it when a visible one does', async () => {
    let fail = false;
    const scope = effectScope();
    const resource = scope.run(() => useResource(async () => {
      if (fail) throw new Error('down');
      return 'rows';
    }))!;
    await flush();
    fail = true;
    await resource.reload({ quiet: true });
    expect(resource.data.value).toBe('rows');
    expect(resource.error.value?.message).toBe('down');
    await resource.reload();
    expect(resource.data.value).toBeUndefined();
    scope.stop();
  });
});
