/**
 * An archive on one dialect of `describeDialects`, as the CLI and the tests reach it: its data
 * directory (blobs, and SQLite's file), the CLI options that name it (`--data-dir`, plus
 * `--database` on PostgreSQL), and a way to open its store in the test.
 */
import { cp } from 'node:fs/promises';
import { openStore, type Store } from '../../src/store/index.js';
import type { DialectTarget } from './dialects.js';

export interface ArchiveOn {
  data: string;
  /** the CLI options that reach this archive */
  args: string[];
  /** PostgreSQL: the database's URL */
  url?: string;
  open(): Promise<Store>;
}

function on(data: string, url: string | undefined): ArchiveOn {
  return {
    data,
    args: ['--data-dir', data, ...(url ? ['--database', url] : [])],
    ...(url ? { url } : {}),
    open: () => openStore(data, url ? { database: { url } } : {}),
  };
}

/** A new, empty archive in `data`: SQLite's file there, or a new PostgreSQL database. */
export async function archiveOn(t: DialectTarget | { kind: 'sqlite' }, data: string): Promise<ArchiveOn> {
  return on(data, t.kind === 'postgres' ? await (t as DialectTarget).newDatabaseUrl() : undefined);
}

/** A copy of `from` in `data`: its data directory copied, and on PostgreSQL its database too. */
export async function copyArchiveOn(t: DialectTarget, from: ArchiveOn, data: string): Promise<ArchiveOn> {
  await cp(from.data, data, { recursive: true });
  return on(data, from.url ? await t.copyDatabaseUrl(from.url) : undefined);
}
