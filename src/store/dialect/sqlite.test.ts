import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite, sqliteConnection, SQLITE_CACHE_KIB } from './sqlite.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('the SQLite connection', () => {
  it("bounds its page cache to SQLite's own default instead of the 16 MB better-sqlite3 builds in", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wxa-sqlite-'));
    dirs.push(dir);
    const db = openSqlite<Record<string, never>>(join(dir, 'a.db'));
    const conn = sqliteConnection(db);
    expect(conn.pragma('cache_size', { simple: true })).toBe(-SQLITE_CACHE_KIB);
    expect(SQLITE_CACHE_KIB).toBeLessThan(16000);
    // memory-mapped I/O stays off: mapped pages of a growing file would count in the RSS
    expect(conn.pragma('mmap_size', { simple: true })).toBe(0);
    expect(conn.pragma('journal_mode', { simple: true })).toBe('wal');
    await sql`select 1`.execute(db);
    await db.destroy();
  });
});
