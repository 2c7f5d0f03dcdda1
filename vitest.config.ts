import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{domain,server,workers,simulator,web}/test/**/*.test.ts'],
    globalSetup: ['server/test/support/globalSetup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
