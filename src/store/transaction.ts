/**
 * Store transactions that keep the cause of a failure. When SQLite meets a full disk it rolls
 * the transaction back itself, so the ROLLBACK that follows fails with "cannot rollback - no
 * transaction is active", and a plain `db.transaction().execute()` throws that instead of the
 * cause. Here the first error is kept, a failing ROLLBACK is ignored (there is nothing left to
 * undo), and a full disk becomes WXA_DISK_FULL naming the file, so an operator reads what
 * happened and where.
 */
import { sql, type Transaction } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import { injectedFault } from '../core/fault-points.js';
import { trackedTransaction } from './committed-cache.js';
import type { Db } from './db.js';
import type { Database } from './schema.js';

/** The database file of each opened Db, to name it in messages. */
const files = new WeakMap<object, string>();

export function registerDatabaseFile(db: Db, file: string): void {
  files.set(db, file);
}

/** The Db each open transaction of `transact` belongs to (SQLite's statement hot paths need its connection). */
const owners = new WeakMap<object, Db>();

export function transactionOwner(tx: Transaction<Database>): Db | undefined {
  return owners.get(tx);
}

/** Runs `fn` in one transaction; on failure rolls back and throws the original error (disk full made explicit). */
export async function transact<T>(db: Db, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return trackedTransaction(db, () => transactUntracked(db, fn));
}

async function transactUntracked<T>(db: Db, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  const tx = await db.startTransaction().execute();
  owners.set(tx, db);
  try {
    const result = await fn(tx);
    const injected = injectedFault('commit', files.get(db));
    if (injected) {
      // What SQLite does on SQLITE_FULL: the transaction is already rolled back when the error arrives.
      if (injected.code === 'SQLITE_FULL') await sql`ROLLBACK`.execute(tx);
      throw injected;
    }
    await tx.commit().execute();
    return result;
  } catch (err) {
    await tx
      .rollback()
      .execute()
      .catch(() => undefined);
    throw diskFull(err, files.get(db)) ?? err;
  }
}

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** WXA_DISK_FULL for an error that means the disk (or quota) is full, naming the path; undefined otherwise. */
export function diskFull(err: unknown, fallbackPath?: string): ArchiverError | undefined {
  if (err instanceof ArchiverError) return err.code === 'WXA_DISK_FULL' ? err : undefined;
  const e = err as { code?: unknown; path?: unknown } | null;
  if (!e || typeof e.code !== 'string' || !DISK_FULL_CODES.has(e.code)) return undefined;
  const path = typeof e.path === 'string' ? e.path : fallbackPath;
  const what = e.code === 'EDQUOT' ? 'disk quota' : 'disk';
  return new ArchiverError(
    'WXA_DISK_FULL',
    `the ${what} holding ${path ?? 'the data directory'} is full (${e.code}); nothing of the failed batch was ` +
      'kept and everything before it is committed. Free space there, then run again: the run resumes where it stopped',
    { cause: err },
  );
}
