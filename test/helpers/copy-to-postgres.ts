/**
 * Copies the rows of an archive's SQLite file into a migrated PostgreSQL database, table by
 * table, for tests that compare the two dialects on the same archived data (the sandbox
 * pipeline writes SQLite). Triggers and foreign keys are off during the copy
 * (session_replication_role = replica: the cluster's superuser runs the tests).
 */
import Database from 'better-sqlite3';
import pg from 'pg';

/** Rows per INSERT: well under PostgreSQL's 65,535 bound parameters for any of our tables. */
const CHUNK = 200;

export async function copyTablesToPostgres(
  sqliteFile: string,
  url: string,
  skip: (table: string) => boolean,
): Promise<Record<string, number>> {
  const lite = new Database(sqliteFile, { readonly: true });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const copied: Record<string, number> = {};
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    const tables = (
      lite
        .prepare(
          `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
           AND name NOT LIKE 'kysely_%' AND name NOT LIKE 'search_fts%' ORDER BY name`,
        )
        .all() as { name: string }[]
    ).map((t) => t.name);
    for (const table of tables) {
      if (skip(table)) continue;
      await client.query(`DELETE FROM "${table}"`);
      const rows = lite.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
      copied[table] = rows.length;
      if (rows.length === 0) continue;
      const cols = Object.keys(rows[0]!);
      for (let i = 0; i < rows.length; i += CHUNK) {
        const part = rows.slice(i, i + CHUNK);
        const params: unknown[] = [];
        const values = part.map(
          (r) =>
            `(${cols
              .map((c) => {
                params.push(r[c]);
                return `$${params.length}`;
              })
              .join(', ')})`,
        );
        await client.query(
          `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')}`,
          params,
        );
      }
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
    lite.close();
  }
  return copied;
}
