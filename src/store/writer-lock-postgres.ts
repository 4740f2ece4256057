/**
 * One writer per archive when the archive is a PostgreSQL database: several data directories
 * (several machines) may point at the same database, so the data directory's file lock
 * (writer-lock.ts) no longer covers it. The lock is a session-level advisory lock held on a
 * connection of its own, outside the pool: the server releases it when that session ends, so a
 * holder killed with SIGKILL (its socket closed by the kernel) or cut off from the server never
 * blocks anyone, as with the file lock. Rejected: a lease row with an expiry (a paused holder
 * can outlive its lease and write beside the next one; an advisory lock has no such window).
 * Who holds it is kept in the `settings` table, so that the process refused can name it.
 */
import { hostname } from 'node:os';
import type pg from 'pg';
import { redactUrl } from './dialect/postgres-url.js';
import { writerLockedError, type AcquireOptions, type WriterHolder, type WriterLock } from './writer-lock.js';

/** The advisory lock's name (hashed to its 64-bit key by the server); advisory locks are per database. */
const LOCK_NAME = 'wechat-archiver writer';
/** The settings row that names the holder. */
export const WRITER_HOLDER_SETTING = 'writer.holder';

/**
 * Takes the archive database's writer lock, waiting up to `waitMs`; throws WXA_DATA_DIR_LOCKED
 * naming the holder (the same refusal as the data directory's lock, so callers handle one code).
 */
export async function acquireDatabaseWriterLock(url: string, opts: AcquireOptions): Promise<WriterLock> {
  const now = opts.now ?? Date.now;
  const deadline = now() + (opts.waitMs ?? 0);
  // node-postgres loads only for an archive on PostgreSQL
  const { default: postgres } = await import('pg');
  const client = new postgres.Client({
    connectionString: url,
    application_name: 'wechat-archiver writer lock',
    keepAlive: true,
  });
  // A session the server drops releases the lock; the error must not crash the process here.
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (;;) {
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [
        LOCK_NAME,
      ]);
      if (r.rows[0]?.ok) return await held(client, opts.command, now());
      if (now() >= deadline)
        throw writerLockedError(`the archive database ${redactUrl(url)}`, await readHolder(client));
      await new Promise((res) => setTimeout(res, Math.min(opts.pollMs ?? 250, Math.max(1, deadline - now()))));
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

async function held(client: pg.Client, command: string, at: number): Promise<WriterLock> {
  const holder: WriterHolder = { pid: process.pid, host: hostname(), command, since: new Date(at).toISOString() };
  const value = JSON.stringify(holder);
  await client.query(
    `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    [WRITER_HOLDER_SETTING, value, at],
  );
  let isHeld = true;
  return {
    holder,
    release: async () => {
      if (!isHeld) return;
      isHeld = false;
      try {
        // The holder row goes first, while the lock still guards it from the next holder.
        await client.query('DELETE FROM settings WHERE key = $1 AND value = $2', [WRITER_HOLDER_SETTING, value]);
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [LOCK_NAME]);
      } finally {
        // Ending the session releases the lock even if the statements above could not run.
        await client.end().catch(() => undefined);
      }
    },
  };
}

/** Who holds the archive database's writer lock, as it recorded itself (for messages). */
async function readHolder(client: pg.Client): Promise<WriterHolder | undefined> {
  const r = await client.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [WRITER_HOLDER_SETTING]);
  try {
    return r.rows[0] ? (JSON.parse(r.rows[0].value) as WriterHolder) : undefined;
  } catch {
    return undefined;
  }
}
