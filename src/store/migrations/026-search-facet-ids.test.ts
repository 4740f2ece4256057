// The facets of an existing index are copied into interned values: every (field, value) pair
// once, every item still under each of its values, and the old table gone.
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from './index.js';

describe('migration 026-search-facet-ids', () => {
  it('keeps every facet of every indexed item', async () => {
    const sqlite = new SQLite(':memory:');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('021-search-fts-tuning')).error).toBeUndefined();
    const add = sqlite.prepare('INSERT INTO search_facets (field, value, row_id) VALUES (?, ?, ?)');
    const old: [string, string, number][] = [
      ['from', 'zhangsan', 1024],
      ['mailbox', 'zhang.san@example.com', 1024],
      ['to', 'zhangsan', 2048],
      ['from', 'lisi', 2048],
      ['mailbox', 'zhang.san@example.com', 2048],
      ['conversation', '理财群', 2048],
    ];
    for (const f of old) add.run(...f);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const rows = sqlite
      .prepare(
        `SELECT v.field, v.value, r.row_id FROM search_facet_rows r
         JOIN search_facet_values v ON v.id = r.facet_id ORDER BY r.row_id, v.field, v.value`,
      )
      .raw()
      .all();
    expect(rows).toEqual([...old].sort((a, b) => a[2] - b[2] || a[0].localeCompare(b[0]) || a[1].localeCompare(b[1])));
    expect(sqlite.prepare('SELECT count(*) FROM search_facet_values').pluck().get()).toBe(5);
    expect(sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'search_facets'").all()).toEqual([]);
    await db.destroy();
  });
});
