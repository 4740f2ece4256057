/**
 * A console harness on one dialect of `describeDialects`: the data directory's SQLite file, or a
 * new migrated PostgreSQL database of the file's shared cluster. `h.storeArgs` then carries the
 * `--database` option, so the CLI commands a test runs reach the same archive.
 */
import { dialectKind } from '../../src/store/db.js';
import { startConsole, type ConsoleHarness } from './console.js';
import type { DialectTarget } from './dialects.js';

export async function startConsoleOn(
  t: DialectTarget,
  opts: Omit<Parameters<typeof startConsole>[0] & object, 'database'> = {},
): Promise<ConsoleHarness> {
  const h = await startConsole(t.kind === 'postgres' ? { ...opts, database: await t.newDatabaseUrl() } : opts);
  // A half that silently ran on the other database would prove nothing about this one.
  if (dialectKind(h.store.db) !== t.kind) {
    await h.close();
    throw new Error(`startConsoleOn: asked for ${t.kind}, got ${dialectKind(h.store.db)}`);
  }
  return h;
}
