import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

// Vitest runs `cores - 1` files at once by default: one at a time on a 2-core CI machine. Most
// of the slow files wait on child processes (serve, Dovecot, radosgw, Chromium, the SDK host), so
// one more file than there are cores keeps the cores busy. Tests take their own temporary
// directories and ports (port 0), so files do not see each other.
const MAX_WORKERS = availableParallelism() + 1;

/**
 * The tests' temporary directories (archives, blobs, Dovecot, PostgreSQL, radosgw, browser
 * profiles) on the machine's RAM filesystem when it has room: every SQLite commit and blob write
 * fsyncs (synchronous=FULL, invariant 2), and on a shared disk those waits were a third of the
 * slowest files' time. The calls are still made and nothing here tests power loss (a SIGKILL
 * keeps the page cache, as on disk). Left alone when TMPDIR is set, or when /dev/shm is small
 * (containers default to 64 MB).
 */
function ramTmpdir(): Record<string, string> {
  if (process.env.TMPDIR) return {};
  try {
    const fs = statfsSync('/dev/shm');
    return fs.bavail * fs.bsize >= 4 * 2 ** 30 ? { TMPDIR: '/dev/shm' } : {};
  } catch {
    return {};
  }
}

/**
 * Test files that replace a module with vi.mock (they need a module graph of their own): found
 * by reading them, so a new one cannot be left in the shared project by mistake.
 */
function mockingFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'dist') walk(path);
      } else if (e.name.endsWith('.test.ts') && /\bvi\.(?:do)?[mM]ock\(/.test(readFileSync(path, 'utf8'))) {
        out.push(path);
      }
    }
  };
  for (const root of ['src', 'test', 'web/src']) walk(root);
  return out.sort();
}
const MOCKING = mockingFiles();
const ALL = ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'];

export default defineConfig({
  test: {
    // CI machines are shared and slow; end-to-end tests that do more set their own limits.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // One PostgreSQL cluster for the whole run (test/helpers/postgres.ts says why); CLI child
    // processes from the compiled code when it is up to date (test/helpers/cli-runtime.ts); one
    // set of sandbox keys for every tenant the run generates (src/sources/sandbox/keys.ts).
    globalSetup: [
      'test/helpers/postgres-global-setup.ts',
      'test/helpers/cli-runtime-global-setup.ts',
      'test/helpers/sandbox-keys-global-setup.ts',
    ],
    pool: 'forks',
    maxWorkers: MAX_WORKERS,
    // Console accounts hashed at 2^10 instead of 2^15: hundreds of accounts are created across
    // the suite. Accepted only under NODE_ENV=test (see src/security/passwords.ts).
    env: { WXA_TEST_SCRYPT_LOG2N: '10', ...ramTmpdir() },
    projects: [
      // A worker process runs its files one after another with the modules they import kept
      // loaded: importing the archive's modules anew for each of the ~250 files was a large part
      // of the suite's CPU time. Each file is still evaluated afresh and makes its own
      // directories, ports, databases and processes.
      {
        extends: true,
        test: { name: 'shared', isolate: false, include: ALL, exclude: [...configDefaults.exclude, ...MOCKING] },
      },
      // vi.mock replaces a module for the files that import it: only in a fresh module graph.
      { extends: true, test: { name: 'isolated', isolate: true, include: MOCKING } },
    ],
  },
});
