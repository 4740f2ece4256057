// Several connections to one database of a dialect, as several worker processes would have:
// separate PostgreSQL pools on one new database, or separate SQLite connections on one file.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/db.js';
import type { DialectTarget } from './dialects.js';

export interface SharedDbs {
  dbs: Db[];
  close(): Promise<void>;
}

/** `n` connections (PostgreSQL: pools) to one new, migrated, empty database. */
export async function openSharedDbs(t: DialectTarget, n: number): Promise<SharedDbs> {
  let dir: string | undefined;
  let open: () => Promise<Db>;
  if (t.kind === 'postgres') {
    const url = await t.newDatabaseUrl();
    open = () => openDatabase({ url });
  } else {
    const d = await mkdtemp(join(tmpdir(), 'wxa-shared-db-'));
    dir = d;
    open = () => openDatabase({ file: join(d, 'archive.db') });
  }
  const dbs: Db[] = [];
  // One after another: the first migrates, the others find it done.
  for (let i = 0; i < n; i++) dbs.push(await open());
  return {
    dbs,
    close: async () => {
      await Promise.all(dbs.map((db) => db.destroy()));
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
