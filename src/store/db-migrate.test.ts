// Opening an archive whose schema is up to date reads the migration list and goes on; anything
// else is the migrator's to decide, as before: a migration the code does not know (the archive
// was opened by newer code) still stops the open, on both databases.
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/cli.js';
import { describeDialects } from '../../test/helpers/dialects.js';
import { openDatabase, type Db } from './db.js';

const dirs: { cleanup: () => Promise<void> }[] = [];
afterAll(async () => {
  for (const d of dirs) await d.cleanup();
});

describeDialects('opening a migrated archive', (t) => {
  /** A migrated database and how to open it again. */
  async function archive(): Promise<{ first: Db; reopen: () => Promise<Db> }> {
    if (t.kind === 'postgres') {
      const url = await t.newDatabaseUrl();
      return { first: await openDatabase({ url }), reopen: () => openDatabase({ url }) };
    }
    const dir = await tempDir('db-migrate');
    dirs.push(dir);
    const file = join(dir.path, 'archive.db');
    return { first: await openDatabase({ file }), reopen: () => openDatabase({ file }) };
  }

  const names = async (db: Db) =>
    (await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db)).rows.map((r) => r.name);

  it('opens again with the same migrations recorded and nothing run twice', async () => {
    const { first, reopen } = await archive();
    const before = await names(first);
    expect(before.length).toBeGreaterThan(30);
    await first.destroy();
    const again = await reopen();
    try {
      expect(await names(again)).toEqual(before);
    } finally {
      await again.destroy();
    }
  });

  it('still refuses an archive that records a migration this code does not know', async () => {
    const { first, reopen } = await archive();
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('999-from-newer-code', '2030-01-01T00:00:00.000Z')`.execute(
      first,
    );
    await first.destroy();
    await expect(reopen()).rejects.toMatchObject({ code: 'WXA_CONFIG_INVALID' });
  });

  it('hands an archive missing a recorded migration to the migrator, which runs it again or refuses', async () => {
    const { first, reopen } = await archive();
    const all = await names(first);
    // The last migration's row gone, as if the process had died after the migration and before
    // recording it: the migrator runs it again, and (as before this check) it must say so if it
    // cannot, rather than the open going on with a schema it has not checked.
    const last = all.at(-1)!;
    await sql`DELETE FROM kysely_migration WHERE name = ${last}`.execute(first);
    await first.destroy();
    const outcome = await reopen().then(
      async (db) => {
        const recorded = await names(db);
        await db.destroy();
        return recorded;
      },
      (err: { code?: string }) => err.code,
    );
    // Either the migration ran again and is recorded, or the migrator refused: never silence.
    if (Array.isArray(outcome)) expect(outcome).toEqual(all);
    else expect(outcome).toBe('WXA_CONFIG_INVALID');
  });
});
