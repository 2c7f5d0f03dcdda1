import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { fetchOutlets, fetchProductLines, fetchRegions, type OutletItem, type ProductLineItem, type RegionItem } from '../api/reference';

/**
 * Regions, product lines and outlets: the filters' choices and the names charts show instead of ids.
 * Loaded once per session; a failure leaves ids on screen rather than blocking a view.
 */
export const useReferenceStore = defineStore('reference', () => {
  const regions = shallowRef<RegionItem[]>([]);
  const productLines = shallowRef<ProductLineItem[]>([]);
  const outlets = shallowRef<OutletItem[]>([]);
  const error = shallowRef<Error | null>(null);
  /** Settled once, successfully or not: views stop showing "loading" and show ids when names are missing. */
  const loaded = ref(false);
  let loading: Promise<void> | null = null;

  function load(): Promise<void> {
    loading ??= Promise.all([fetchRegions(), fetchProductLines(), fetchOutlets()])
      .then(([r, p, o]) => {
        regions.value = r;
        productLines.value = p;
        outlets.value = o;
        error.value = null;
        loaded.value = true;
      })
      .catch((e: unknown) => {
        error.value = e instanceof Error ? e : new Error(String(e));
        loaded.value = true;
        loading = null;
      });
    return loading;
  }

  const names = (items: ReadonlyArray<{ id: string; name: string }>) => Object.fromEntries(items.map((i) => [i.id, i.name]));
  const regionNames = computed(() => names(regions.value));
  const productLineNames = computed(() => names(productLines.value));
  const outletNames = computed(() => names(outlets.value));

  function reset(): void {
    loading = null;
    loaded.value = false;
    regions.value = [];
    productLines.value = [];
    outlets.value = [];
  }

  return { regions, productLines, outlets, error, loaded, regionNames, productLineNames, outletNames, load, reset };
});
