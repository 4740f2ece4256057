// Tags defined for every case before tags belonged to a case are copied into each existing
// case, so an item tagged with one keeps a tag its case knows; the old table goes.
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrationProvider } from './index.js';

describe('migration 015-case-tags', () => {
  it('copies every earlier tag definition into every case', async () => {
    const sqlite = new SQLite(':memory:');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrator = new Migrator({ db, provider: migrationProvider });
    expect((await migrator.migrateTo('013-verify-runs')).error).toBeUndefined();
    const addCase = sqlite.prepare(
      `INSERT INTO cases (name, description, status, created_by, created_at) VALUES (?, '', 'active', 'mia', 1)`,
    );
    addCase.run('A');
    addCase.run('B');
    const define = sqlite.prepare('INSERT INTO review_tag_definitions (name, created_by, created_at) VALUES (?, ?, ?)');
    define.run('hot', 'eve', 5);
    define.run('重点', 'eve', 6);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const rows = sqlite
      .prepare('SELECT case_id, name, created_by, created_at, retired_at FROM case_tags ORDER BY case_id, name')
      .all();
    expect(rows).toEqual([
      { case_id: 1, name: 'hot', created_by: 'eve', created_at: 5, retired_at: null },
      { case_id: 1, name: '重点', created_by: 'eve', created_at: 6, retired_at: null },
      { case_id: 2, name: 'hot', created_by: 'eve', created_at: 5, retired_at: null },
      { case_id: 2, name: '重点', created_by: 'eve', created_at: 6, retired_at: null },
    ]);
    const old = sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'review_tag_definitions'").all();
    expect(old).toEqual([]);
    // one name once per case
    expect(() =>
      sqlite.prepare(`INSERT INTO case_tags (case_id, name, created_by, created_at) VALUES (1, 'hot', 'x', 1)`).run(),
    ).toThrow(/UNIQUE/);
    await db.destroy();
  });
});
