/**
 * One writer per data directory. Two processes archiving into the same directory would both
 * count the same records and race for the same temporary files, so every writing command
 * (`run`, `serve`) holds this lock for its lifetime; read-only commands never take it.
 *
 * The lock is an exclusive SQLite lock (POSIX `fcntl`, the same mechanism that guards the
 * database) on `writer.lock`, held by a transaction that stays open. The kernel releases it when
 * the process ends however it ends, SIGKILL included, so a dead holder never blocks anyone and
 * there is no lease to renew or staleness to guess. Rejected: `proper-lockfile` (a directory
 * plus an mtime lease, which a busy event loop can miss, and which a killed holder keeps for the
 * stale interval) and a pid file (pids are reused). Who holds the lock is written beside it, in
 * `writer.lock.json`, so that the process refused can name the holder.
 */
import { hostname } from 'node:os';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { ArchiverError } from '../core/errors.js';
import { ensurePrivateFile, PRIVATE_FILE_MODE } from './private-files.js';

export interface WriterHolder {
  pid: number;
  host: string;
  /** the command line that holds it, e.g. `run --once` */
  command: string;
  /** ISO time it was taken */
  since: string;
}

export interface WriterLock {
  readonly holder: WriterHolder;
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** what the holder is doing, shown to anyone refused */
  command: string;
  /** how long to wait for the current holder to finish (ms); 0 = refuse at once */
  waitMs?: number;
  pollMs?: number;
  now?: () => number;
}

export const WRITER_LOCK_FILE = 'writer.lock';
const HOLDER_FILE = 'writer.lock.json';
/** How long a held lock without a holder file is given to show who holds it (or to be let go). */
const UNRECORDED_GRACE_MS = 2_000;

/** Takes the data directory's writer lock, waiting up to `waitMs`; throws WXA_DATA_DIR_LOCKED naming the holder. */
export async function acquireWriterLock(dataDir: string, opts: AcquireOptions): Promise<WriterLock> {
  const path = join(dataDir, WRITER_LOCK_FILE);
  await ensurePrivateFile(path);
  const now = opts.now ?? Date.now;
  const deadline = now() + (opts.waitMs ?? 0);
  for (;;) {
    const conn = tryLock(path);
    if (conn) {
      const holder: WriterHolder = {
        pid: process.pid,
        host: hostname(),
        command: opts.command,
        since: new Date(now()).toISOString(),
      };
      await writeHolder(dataDir, holder);
      let held = true;
      return {
        holder,
        release: async () => {
          if (!held) return;
          held = false;
          // The holder file goes first, while the lock still guards it from the next holder.
          await unlink(join(dataDir, HOLDER_FILE)).catch(() => undefined);
          conn.close();
        },
      };
    }
    if (now() >= deadline) {
      const holder = await readHolder(dataDir);
      // No holder file while the lock is held: the holder has just taken it and is writing the
      // file, or is releasing (the file goes first). A moment tells which: it is named, or the
      // lock is free and ours. Only then is the refusal made, never for that window alone.
      if (holder || now() >= deadline + UNRECORDED_GRACE_MS) {
        throw writerLockedError(`the data directory ${dataDir}`, holder);
      }
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    await new Promise((r) => setTimeout(r, Math.min(opts.pollMs ?? 250, Math.max(1, deadline - now()))));
  }
}

/** Who holds the lock now, if anyone (for messages; the lock itself is the authority). */
export async function currentWriter(dataDir: string): Promise<WriterHolder | undefined> {
  return readHolder(dataDir);
}

function tryLock(path: string): SQLite.Database | undefined {
  // timeout 0: a held lock answers SQLITE_BUSY at once; waiting is ours, bounded and polled.
  const conn = new SQLite(path, { timeout: 0 });
  try {
    conn.pragma('locking_mode = EXCLUSIVE');
    conn.exec('BEGIN EXCLUSIVE');
    return conn;
  } catch (err) {
    conn.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw err;
  }
}

async function writeHolder(dataDir: string, holder: WriterHolder): Promise<void> {
  const tmp = join(dataDir, `${HOLDER_FILE}.${process.pid}`);
  await writeFile(tmp, JSON.stringify(holder) + '\n', { mode: PRIVATE_FILE_MODE });
  await rename(tmp, join(dataDir, HOLDER_FILE));
}

async function readHolder(dataDir: string): Promise<WriterHolder | undefined> {
  try {
    return JSON.parse(await readFile(join(dataDir, HOLDER_FILE), 'utf8')) as WriterHolder;
  } catch {
    return undefined;
  }
}

/** WXA_DATA_DIR_LOCKED: `what` (the data directory, or the archive database) is held by `h`. */
export function writerLockedError(what: string, h: WriterHolder | undefined): ArchiverError {
  const who = h
    ? `process ${h.pid} on ${h.host} (\`${h.command}\`, since ${h.since})`
    : 'another process (it has not recorded itself yet)';
  return new ArchiverError(
    'WXA_DATA_DIR_LOCKED',
    `${what} is being written by ${who}; only one writer may use it at a time. ` +
      'Wait for it to finish, pass --wait SECONDS to wait for it, or stop it',
  );
}
