/**
 * A consistent copy of the live database through SQLite's online backup API (better-sqlite3's
 * `db.backup()`), taken on a connection of its own so that `serve` keeps writing meanwhile.
 * Pages are copied in large steps: a write by another process between steps makes SQLite
 * restart the copy, so fewer steps finish sooner under load.
 */
import SQLite from 'better-sqlite3';

const PAGES_PER_STEP = 1 << 20;

export async function backupDatabase(file: string, dest: string): Promise<{ totalPages: number }> {
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    const r = await db.backup(dest, { progress: () => PAGES_PER_STEP });
    return { totalPages: r.totalPages };
  } finally {
    db.close();
  }
}
