import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: the dashboard in headless Chromium against the real API and workers, seeded once
// by the global setup. Kept apart from `npm test` (the root config includes only the workspaces' tests).
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['e2e/tests/**/*.e2e.ts'],
    globalSetup: ['e2e/support/globalSetup.ts'],
    pool: 'forks',
    // One browser at a time: the machine has two cores, shared with the API, the workers and PostgreSQL.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
  },
});
