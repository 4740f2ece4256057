import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import SQLite from 'better-sqlite3';
import { openSqlite, sqliteConnection, SQLITE_CACHE_KIB, STATEMENT_CACHE, withStatementCache } from './sqlite.js';

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

describe('the statements kept prepared for Kysely', () => {
  it('prepares a query once however often it runs, and each run sees the rows of the moment', async () => {
    const db = openSqlite<{ t: { a: number } }>(':memory:');
    const conn = sqliteConnection(db);
    await sql`create table t (a integer)`.execute(db);
    const prepare = vi.spyOn(conn, 'prepare');
    const sums: number[] = [];
    for (let i = 1; i <= 5; i++) {
      await db.insertInto('t').values({ a: i }).execute();
      const rows = await db.selectFrom('t').select('a').execute();
      sums.push(rows.reduce((n, r) => n + r.a, 0));
    }
    expect(sums).toEqual([1, 3, 6, 10, 15]);
    // one insert and one select, each prepared the first time only
    expect(prepare).toHaveBeenCalledTimes(2);
    await db.destroy();
  });

  it('never hands out a statement still iterating, and drops the least recently used past its bound', () => {
    const conn = new SQLite(':memory:');
    conn.exec('create table t (a integer); insert into t values (1), (2), (3)');
    const db = withStatementCache(conn);
    const first = db.prepare('select a from t');
    const open = first.iterate([]);
    open.next();
    // the first is busy: this call gets a statement of its own, which runs whole
    const second = db.prepare('select a from t');
    expect(second).not.toBe(first);
    expect(second.all([])).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    open.return?.();
    expect(db.prepare('select a from t')).toBe(first);
    for (let i = 0; i < STATEMENT_CACHE; i++) db.prepare(`select ${i}`);
    expect(db.prepare('select a from t')).not.toBe(first);
    conn.close();
  });
});
