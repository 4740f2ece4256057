/**
 * The ingest log stored smaller: its digest and hash as 32-byte blobs instead of 64 hex
 * characters, and no `prev_hash` column, since it is always the hash of the row before and
 * `verify` takes it from there. About 40% of the log's bytes, which every pipeline commit
 * writes to the WAL. What the hashes cover does not change (hex text, see store/ingest-log.ts),
 * so existing hashes are converted, not recomputed, and checkpoints signed before stay valid.
 *
 * A stored value that is not the 64 lower-case hex characters the archiver writes (an empty
 * digest is the other legitimate value) is kept as its own bytes rather than refused: the
 * archive still opens, and `verify` names that event as altered, as it would have before.
 * Dropping `prev_hash` loses no evidence: an event whose `prev_hash` did not name the row
 * before it no longer hashes from that row either.
 */
import { sql, type Kysely } from 'kysely';
import { dialectKind } from '../dialect/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (dialectKind(db) === 'postgres') {
    const bytes = (c: string) =>
      sql.raw(`CASE WHEN ${c} ~ '^([0-9a-f]{2})*$' THEN decode(${c}, 'hex') ELSE convert_to(${c}, 'UTF8') END`);
    await sql`ALTER TABLE ingest_log
      ALTER COLUMN digest TYPE bytea USING ${bytes('digest')},
      ALTER COLUMN hash TYPE bytea USING ${bytes('hash')},
      DROP COLUMN prev_hash`.execute(db);
    return;
  }
  const bytes = (c: string) =>
    sql.raw(
      `CASE WHEN length(${c}) % 2 = 0 AND NOT ${c} GLOB '*[^0-9a-f]*' THEN unhex(${c}) ELSE CAST(${c} AS BLOB) END`,
    );
  // SQLite changes a column's type only by copying the table; its definition spelt as the
  // schema builder spells the others (one line, quoted names).
  const columns = [
    '"id" integer primary key',
    '"at" bigint not null',
    '"kind" text not null',
    '"connector_id" text not null',
    '"ref" text not null',
    '"digest" blob not null',
    '"detail_json" text not null',
    '"hash" blob not null',
  ];
  await sql.raw(`CREATE TABLE "ingest_log_bytes" (${columns.join(', ')})`).execute(db);
  await sql`INSERT INTO ingest_log_bytes (id, at, kind, connector_id, ref, digest, detail_json, hash)
    SELECT id, at, kind, connector_id, ref, ${bytes('digest')}, detail_json, ${bytes('hash')}
    FROM ingest_log ORDER BY id`.execute(db);
  await sql`DROP TABLE ingest_log`.execute(db);
  await sql`ALTER TABLE ingest_log_bytes RENAME TO ingest_log`.execute(db);
}
