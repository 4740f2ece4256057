import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // CI machines are shared and slow; end-to-end tests that do more set their own limits.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // Console accounts hashed at 2^10 instead of 2^15: hundreds of accounts are created across
    // the suite. Accepted only under NODE_ENV=test (see src/security/passwords.ts).
    env: { WXA_TEST_SCRYPT_LOG2N: '10' },
  },
});
