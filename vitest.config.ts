import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // CI machines are shared and slow; end-to-end tests that do more set their own limits.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
