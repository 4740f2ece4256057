// Migration 034 on both databases: an ingest log written in the earlier format (hex text digest
// and hash, a stored prev_hash) becomes 32-byte blobs with the same values, every hash still
// recomputable from the row before it (so checkpoints signed earlier still match), and a value
// that was not hex is kept as its bytes instead of stopping the archive from opening: verify
// then names that event.
import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectedDialects } from '../../../test/helpers/dialects.js';
import { startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.js';
import { openPostgres } from '../dialect/postgres-pool.js';
import { openSqlite } from '../dialect/sqlite.js';
import { CHAIN_GENESIS } from '../hash-chain.js';
import { hexOf, ingestHash, type ChainFields } from '../ingest-log.js';
import type { Database } from '../schema.js';
import { migrationProvider } from './index.js';

const dialects = selectedDialects();

let pg: PostgresCluster | undefined;
beforeAll(async () => {
  if (dialects.includes('postgres')) pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

/** Events as the earlier format stored them: each with its predecessor's hash beside its own. */
function oldRows(n: number) {
  let prev = CHAIN_GENESIS;
  return Array.from({ length: n }, (_, i) => {
    const f: ChainFields = {
      at: 1_700_000_000_000 + i,
      kind: i % 5 === 4 ? 'tombstone' : 'item',
      connector_id: 'c1',
      ref: `key-${i}\n客户`,
      digest: i % 5 === 4 ? '' : (i + 1).toString(16).padStart(64, 'c'),
      detail_json: JSON.stringify({ msgid: `m${i}` }),
    };
    const row = { id: i + 1, ...f, prev_hash: prev, hash: ingestHash(prev, f) };
    prev = row.hash;
    return row;
  });
}

for (const kind of dialects) {
  describe(`migration 034 [${kind}]`, () => {
    it('converts the log to bytes with the same hashes, and keeps a non-hex value as its bytes', async () => {
      const db: Kysely<Database> =
        kind === 'sqlite' ? openSqlite<Database>(':memory:') : openPostgres<Database>(await pg!.createDatabase());
      try {
        const migrator = new Migrator({ db, provider: migrationProvider });
        expect((await migrator.migrateTo('026-search-facet-ids')).error).toBeUndefined();
        const rows = oldRows(40);
        rows[17]!.hash = `${rows[17]!.hash.slice(0, 63)}Z`; // altered by hand: no longer hex
        for (const r of rows)
          await sql`INSERT INTO ingest_log (id, at, kind, connector_id, ref, digest, detail_json, prev_hash, hash)
            VALUES (${r.id}, ${r.at}, ${r.kind}, ${r.connector_id}, ${r.ref}, ${r.digest}, ${r.detail_json},
            ${r.prev_hash}, ${r.hash})`.execute(db);
        expect((await migrator.migrateToLatest()).error).toBeUndefined();

        const got = await db.selectFrom('ingest_log').selectAll().orderBy('id').execute();
        expect(Object.keys(got[0]!).sort()).toEqual(
          ['at', 'connector_id', 'detail_json', 'digest', 'hash', 'id', 'kind', 'ref'].sort(),
        );
        let prev = CHAIN_GENESIS;
        for (const [i, r] of got.entries()) {
          const old = rows[i]!;
          expect({ id: r.id, at: Number(r.at), ref: r.ref, detail_json: r.detail_json }).toEqual({
            id: old.id,
            at: old.at,
            ref: old.ref,
            detail_json: old.detail_json,
          });
          expect(hexOf(r.digest)).toBe(old.digest);
          const recomputed = ingestHash(prev, { ...r, at: Number(r.at), digest: hexOf(r.digest) });
          if (i === 17) {
            expect(Buffer.from(r.hash).toString('utf8')).toBe(old.hash);
            expect(hexOf(r.hash)).not.toBe(recomputed);
          } else {
            expect(r.hash).toHaveLength(32);
            expect(hexOf(r.hash)).toBe(old.hash);
            // the event after the altered one no longer hashes from it, as its prev_hash no longer matched before
            if (i === 18) expect(hexOf(r.hash)).not.toBe(recomputed);
            else expect(hexOf(r.hash)).toBe(recomputed);
          }
          prev = hexOf(r.hash);
        }
      } finally {
        await db.destroy();
      }
    });
  });
}
