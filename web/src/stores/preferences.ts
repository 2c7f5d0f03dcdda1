import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { i18n, LOCALES, type Locale } from '../i18n';

export type Theme = 'light' | 'dark';
const KEYS = { locale: 'servicetower.locale', theme: 'servicetower.theme' } as const;

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

function initialLocale(): Locale {
  const saved = storage()?.getItem(KEYS.locale);
  if ((LOCALES as readonly string[]).includes(saved ?? '')) return saved as Locale;
  return globalThis.navigator?.language?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

function initialTheme(): Theme {
  const saved = storage()?.getItem(KEYS.theme);
  if (saved === 'light' || saved === 'dark') return saved;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Language and theme: chosen by the user, remembered in this browser, applied to the page, the messages and the charts. */
export const usePreferencesStore = defineStore('preferences', () => {
  const locale = ref<Locale>(initialLocale());
  const theme = ref<Theme>(initialTheme());

  watch(locale, (value) => {
    i18n.global.locale.value = value;
    storage()?.setItem(KEYS.locale, value);
    if (globalThis.document) document.documentElement.lang = value;
  }, { immediate: true });

  watch(theme, (value) => {
    storage()?.setItem(KEYS.theme, value);
    if (globalThis.document) {
      document.documentElement.dataset.theme = value;
      document.documentElement.style.colorScheme = value;
    }
  }, { immediate: true });

  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
  }

  return { locale, theme, toggleTheme };
});
