// The SQLite schema the migrations make, statement for statement, as a golden file: existing
// archives were made by these migrations, so running them on PostgreSQL too must not change
// what they do on SQLite. A change here must be deliberate (UPDATE_GOLDEN=1 rewrites the file
// after review) and come with a new migration, never an edit of an old one.
import SQLite from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { expect, it } from 'vitest';
import { migrationProvider } from '../src/store/migrations/index.js';

it('migrations make the same SQLite schema as the golden file', async () => {
  const sqlite = new SQLite(':memory:');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  expect(error).toBeUndefined();
  const rows = sqlite
    .prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'kysely_%' ORDER BY type, name`)
    .all() as { type: string; name: string; sql: string | null }[];
  const text = rows.map((r) => `-- ${r.type} ${r.name}\n${r.sql ?? '(internal)'};\n`).join('\n');
  await db.destroy();
  const golden = join(import.meta.dirname, 'golden', 'sqlite-schema.sql');
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
  expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(text).toBe(readFileSync(golden, 'utf8'));
});
