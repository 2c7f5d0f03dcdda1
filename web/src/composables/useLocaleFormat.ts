import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import type { ChartText } from '../components/charts/options/common';
import { formatNumber } from '../lib/format';

/** Messages and number formats in the chosen language, for templates and for the chart option builders (`text`). */
export function useLocaleFormat() {
  const { t, locale } = useI18n();
  const text = computed<ChartText>(() => {
    const current = locale.value;
    return {
      t: (key, named) => t(key, named ?? {}),
      number: (value, digits = 0) => formatNumber(value, current, digits),
    };
  });
  const fmt = (value: number | null | undefined, digits = 0) => formatNumber(value, locale.value, digits);
  return { text, t, locale, fmt };
}
