import { computed } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { hasExplicitPeriod, parseFilters, withFilters, type FILTER_KEYS, type Filters, type QueryLike } from '../lib/filters';
import { today, type PeriodPreset } from '../lib/period';

type FilterChanges = Partial<Record<(typeof FILTER_KEYS)[number], string | null>>;

/**
 * The view's filters, read from and written to the URL query (replace, not push: a filter change is not a
 * page the back button should step through). `defaultPreset` is the period when the URL names none.
 */
export function useFilters(defaultPreset: PeriodPreset = '12m') {
  const route = useRoute();
  const router = useRouter();
  const todayDate = today();
  const query = computed(() => route.query as QueryLike);
  const filters = computed<Filters>(() => parseFilters(query.value, todayDate, defaultPreset));
  const explicitPeriod = computed(() => hasExplicitPeriod(query.value));

  function update(changes: FilterChanges): void {
    void router.replace({ query: withFilters(query.value, changes) });
  }

  /** A view's own query keys (a tab, a metric), kept in the URL the same way. */
  function setParam(key: string, value: string | null): void {
    const next = withFilters(query.value, {});
    if (value === null || value === '') delete next[key];
    else next[key] = value;
    void router.replace({ query: next });
  }

  function param(key: string): string | null {
    const v = route.query[key];
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === 'string' && first !== '' ? first : null;
  }

  return { filters, explicitPeriod, today: todayDate, defaultPreset, update, setParam, param };
}

export type FiltersApi = ReturnType<typeof useFilters>;
