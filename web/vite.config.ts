import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type UserConfig } from 'vite';

// In development the API runs separately (npm run start:api); in production it serves web/dist itself.
const api = 'http://127.0.0.1:8080';

const config: UserConfig = {
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  // Compile-time flags: only vue-i18n's Composition API ships (no legacy API), and no devtools hooks in production.
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  // ECharts, tree-shaken to the parts registered in src/components/charts/echarts.ts, is one ~690 kB chunk (~230 kB
  // gzipped) loaded on first use; the budget that matters is the landing view's gzipped JavaScript (≤ 350 KB),
  // see web/README.md.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/api': { target: api, ws: true },
      '/healthz': api,
      '/readyz': api,
      '/docs': api,
    },
  },
};

export default defineConfig(({ command }) => {
  // A build is always the production one: a NODE_ENV left set by the caller (vitest sets `test`) would otherwise
  // bundle Vue's development build, about 40 kB gzipped more.
  if (command === 'build') process.env.NODE_ENV = 'production';
  return config;
});
