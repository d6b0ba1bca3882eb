import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // every temporary file of the run in one folder, removed at the end (test/global-setup.ts)
    globalSetup: ['test/global-setup.ts'],
  },
});
