// The store's schema on PostgreSQL: the one migration list runs there, makes the same tables and
// columns as on SQLite, and several processes opening an empty database at once migrate it once.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.js';
import { openDatabase, type Db } from '../db.js';

let pg: PostgresCluster;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

async function columnsOf(db: Db, kind: 'sqlite' | 'postgres'): Promise<string[]> {
  const tables =
    kind === 'sqlite'
      ? (
          await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table'
            AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%' AND name NOT LIKE 'search_fts_%'`.execute(db)
        ).rows.map((r) => r.name)
      : (
          await sql<{ name: string }>`SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%'`.execute(db)
        ).rows.map((r) => r.name);
  const out: string[] = [];
  for (const t of tables) {
    const cols =
      kind === 'sqlite'
        ? (await sql<{ name: string }>`SELECT name FROM pragma_table_info(${t})`.execute(db)).rows
        : (
            await sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns
              WHERE table_schema = 'public' AND table_name = ${t}`.execute(db)
          ).rows;
    for (const c of cols) out.push(`${t}.${c.name}`);
  }
  return out.sort();
}

describe('the store on PostgreSQL', () => {
  it('migrates an empty database to the same tables and columns as SQLite', async () => {
    const lite = await openDatabase({ file: ':memory:' });
    const pgdb = await openDatabase({ url: await pg.createDatabase() });
    try {
      const want = (await columnsOf(lite, 'sqlite')).map((c) => (c.startsWith('search_fts.') ? 'search_fts.*' : c));
      const got = (await columnsOf(pgdb, 'postgres')).map((c) => (c.startsWith('search_fts.') ? 'search_fts.*' : c));
      // The token index is FTS5's virtual table on SQLite and (id, tokens tsvector) on PostgreSQL.
      expect([...new Set(got)]).toEqual([...new Set(want)]);
      const ids = await sql<{ data_type: string; is_identity: string }>`SELECT data_type, is_identity
        FROM information_schema.columns WHERE table_name = 'raw_records' AND column_name = 'id'`.execute(pgdb);
      expect(ids.rows).toEqual([{ data_type: 'bigint', is_identity: 'YES' }]);
      const blob = await sql<{ data_type: string }>`SELECT data_type FROM information_schema.columns
        WHERE table_name = 'blobs' AND column_name = 'data'`.execute(pgdb);
      expect(blob.rows).toEqual([{ data_type: 'bytea' }]);
    } finally {
      await lite.destroy();
      await pgdb.destroy();
    }
  });

  it('migrates once when several openers, each with its own pool, start on the same empty database at once', async () => {
    const url = await pg.createDatabase();
    const dbs = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url, pool: { max: 2 } })));
    try {
      const done = await sql<{ name: string; n: number }>`SELECT name, count(*) AS n FROM kysely_migration
        GROUP BY name ORDER BY name`.execute(dbs[0]!);
      expect(done.rows.length).toBeGreaterThan(15);
      expect(done.rows.every((r) => r.n === 1)).toBe(true);
      // every one of them sees the finished schema
      for (const db of dbs) expect(await db.selectFrom('ingest_head').select('id').execute()).toEqual([{ id: 1 }]);
    } finally {
      await Promise.all(dbs.map((d) => d.destroy()));
    }
  });

  it('orders text by bytes, as SQLite does, even in a database whose default collation is en-US', async () => {
    const db = await openDatabase({ url: await pg.createDatabase(undefined, { icuLocale: 'en-US' }) });
    try {
      for (const [k, v] of [
        ['b', '1'],
        ['B', '2'],
        ['a', '3'],
        ['_', '4'],
      ] as const)
        await db.insertInto('settings').values({ key: k, value: v, updated_at: 1 }).execute();
      const keys = (await db.selectFrom('settings').select('key').orderBy('key').execute()).map((r) => r.key);
      expect(keys).toEqual(['B', '_', 'a', 'b']);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a URL of another scheme, and names an unreachable server', async () => {
    await expect(openDatabase({ url: 'mysql://x@127.0.0.1/db' })).rejects.toMatchObject({
      code: 'WXA_DATABASE_URL_INVALID',
    });
    await expect(
      openDatabase({ url: `postgres://postgres@127.0.0.1:${pg.port}/no_such_db`, pool: { connectionTimeoutMs: 2000 } }),
    ).rejects.toMatchObject({ code: 'WXA_DATABASE_UNAVAILABLE' });
  });
});
