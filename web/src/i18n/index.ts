import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

/** Both message sets are small (a few KB each), so both ship in the first load and switching is instant. */
export const i18n = createI18n({
  legacy: false,
  locale: 'en' as Locale,
  fallbackLocale: 'en',
  messages: { en, 'zh-CN': zhCN },
});
