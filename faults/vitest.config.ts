import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// npm run test:faults: the fault suite alone, one file, its own PostgreSQL and Redis (see docs/faults.md).
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['faults/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 180_000,
  },
});
