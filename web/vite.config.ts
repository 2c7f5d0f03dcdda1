import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

// In development the API runs separately (npm run start:api); in production it serves web/dist itself.
const api = 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: {
    proxy: {
      '/api': { target: api, ws: true },
      '/healthz': api,
      '/readyz': api,
      '/docs': api,
    },
  },
});
