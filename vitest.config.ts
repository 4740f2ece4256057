import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Vitest runs `cores - 1` files at once by default: one at a time on a 2-core CI machine. Most
// of the slow files wait on child processes (serve, Dovecot, radosgw, Chromium, the SDK host), so
// one more file than there are cores keeps the cores busy. Tests take their own temporary
// directories and ports (port 0), so files do not see each other.
const MAX_WORKERS = availableParallelism() + 1;

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // CI machines are shared and slow; end-to-end tests that do more set their own limits.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: MAX_WORKERS,
    // Console accounts hashed at 2^10 instead of 2^15: hundreds of accounts are created across
    // the suite. Accepted only under NODE_ENV=test (see src/security/passwords.ts).
    env: { WXA_TEST_SCRYPT_LOG2N: '10' },
  },
});
