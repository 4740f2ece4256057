/**
 * A console harness on one dialect of `describeDialects`: the data directory's SQLite file, or a
 * new migrated PostgreSQL database of the file's shared cluster. `h.storeArgs` then carries the
 * `--database` option, so the CLI commands a test runs reach the same archive.
 */
import { startConsole, type ConsoleHarness } from './console.js';
import type { DialectTarget } from './dialects.js';

export async function startConsoleOn(
  t: DialectTarget,
  opts: Omit<Parameters<typeof startConsole>[0] & object, 'database'> = {},
): Promise<ConsoleHarness> {
  return startConsole(t.kind === 'postgres' ? { ...opts, database: await t.newDatabaseUrl() } : opts);
}
