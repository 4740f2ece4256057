/**
 * What every writing command does before it touches the data directory: create it private,
 * warn when what is already there is readable by other local users, and take the directory's
 * writer lock (waiting up to `--wait` seconds), so that two writers never share it; with a
 * PostgreSQL database, also the database's writer lock, since other data directories (other
 * machines) may point at the same database. Read-only commands open the store without any of this.
 */
import { isArchiverError } from '../core/errors.js';
import {
  acquireDatabaseWriterLock,
  acquireWriterLock,
  describeLooseModes,
  ensurePrivateDir,
  looseModes,
  openStore,
  removeOrphanTempFiles,
  type Store,
} from '../store/index.js';
import type { Io } from './io.js';

/** Exit status of a writer refused because another holds the directory (EX_TEMPFAIL: try again later). */
export const EXIT_LOCKED = 75;

export interface WriterFlags {
  wait?: string;
}

export type WriterStore = Store;

/**
 * Opens the store for writing, or answers the exit status to return when it cannot (the
 * reason already said on stderr).
 */
export async function openWriter(
  dataDir: string,
  command: string,
  flags: WriterFlags,
  io: Io,
  storeOptions: Parameters<typeof openStore>[1] = {},
): Promise<{ store: WriterStore } | { exit: number }> {
  const wait = flags.wait === undefined ? 0 : Number(flags.wait);
  if (!Number.isFinite(wait) || wait < 0) {
    io.err(`${command}: --wait takes a number of seconds, not "${flags.wait}"\n`);
    return { exit: 2 };
  }
  await ensurePrivateDir(dataDir);
  for (const line of describeLooseModes(await looseModes(dataDir))) io.err(`warning: ${line}\n`);
  const locks: { release(): Promise<void> }[] = [];
  const releaseAll = async () => {
    for (const l of locks.splice(0).reverse()) await l.release();
  };
  let store: Store | undefined;
  try {
    locks.push(await acquireWriterLock(dataDir, { command, waitMs: wait * 1000 }));
    store = await openStore(dataDir, storeOptions);
    // After opening: the store's first opening migrates an empty database, holder row included.
    const url = storeOptions.database?.url;
    if (url) locks.push(await acquireDatabaseWriterLock(url, { command, waitMs: wait * 1000 }));
  } catch (err) {
    await store?.close();
    await releaseAll();
    if (!isArchiverError(err, 'WXA_DATA_DIR_LOCKED')) throw err;
    io.err(`${command}: ${err.message}\n`);
    return { exit: EXIT_LOCKED };
  }
  const opened = store;
  try {
    // Holding the lock, nobody else writes temporary files: those no download resumes are
    // what a killed writer left behind.
    await removeOrphanTempFiles(opened.db, opened.blobs.staging.root);
    return {
      store: {
        ...opened,
        close: async () => {
          try {
            await opened.close();
          } finally {
            await releaseAll();
          }
        },
      },
    };
  } catch (err) {
    await opened.close();
    await releaseAll();
    throw err;
  }
}
