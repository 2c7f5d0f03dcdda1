import { createI18n } from 'vue-i18n';
import { describe, expect, it, vi } from 'vitest';
import en from '../src/i18n/en';
import zhCN from '../src/i18n/zh-CN';

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
}

describe('messages', () => {
  it('have the same keys in English and Chinese', () => {
    expect(keys(zhCN as Tree).sort()).toEqual(keys(en as Tree).sort());
  });

  it('all compile in both languages (no stray @, | or braces) and fill their parameters', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const i18n = createI18n({ legacy: false, locale: 'en', messages: { en, 'zh-CN': zhCN }, missingWarn: true, fallbackWarn: true });
    const named = new Proxy({}, { get: (_t, p) => `<${String(p)}>`, has: () => true });
    for (const locale of ['en', 'zh-CN'] as const) {
      i18n.global.locale.value = locale;
      for (const key of keys(en as Tree)) {
        const text = i18n.global.t(key, named as Record<string, unknown>);
        expect(text, `${locale} ${key}`).not.toBe(key);
        expect(text, `${locale} ${key}`).not.toMatch(/\{\w+\}/);
      }
    }
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});
