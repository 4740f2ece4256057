/**
 * Tamper evidence: the ingest log (a hash chain over every raw record stored, item archived,
 * mailbox entry, tombstone and policy change), its head, and the signed checkpoints that
 * anchor both chains' heads outside the database.
 */
import { sql, type Kysely } from 'kysely';
import { modelSha256 } from '../../core/sha256.js';
import { canonicalJson } from '../hash-chain.js';
import { ingestHash } from '../ingest-log.js';
import {
  entryEvent,
  itemEvent,
  rawEvent,
  type EntryDigestFields,
  type IngestEventInput,
  type ItemDigestFields,
  type RawDigestFields,
} from '../ingest-digest.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ingest_log')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('detail_json', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  // One row: the chain's head. Updating it first takes SQLite's write lock, so no other writer
  // can append between reading the head and inserting the next events.
  await db.schema
    .createTable('ingest_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('last_id', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO ingest_head (id, last_id, hash, updated_at) VALUES (1, 0, ${'0'.repeat(64)}, 0)`.execute(db);

  await db.schema
    .createTable('checkpoints')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('tsa_url', 'text')
    .addColumn('tsa_reply', 'blob')
    .execute();
  await backfill(db);
}

const PAGE = 2000;

/**
 * An archive made before the ingest log existed gets one event per row it already holds,
 * marked `backfilled`: from here on its rows are covered like new ones (the log cannot say
 * what happened to them before, and says so).
 */
async function backfill(db: Kysely<unknown>): Promise<void> {
  const at = Date.now();
  let prev = '0'.repeat(64);
  let id = 0;
  const append = async (events: IngestEventInput[]) => {
    for (const e of events) {
      id++;
      const row = {
        id,
        at,
        kind: e.kind,
        connector_id: e.connectorId,
        ref: e.ref,
        digest: e.digest,
        detail_json: canonicalJson({ ...e.detail, backfilled: true }),
        prev_hash: prev,
      };
      const hash = ingestHash(prev, row);
      await sql`INSERT INTO ingest_log (id, at, kind, connector_id, ref, digest, detail_json, prev_hash, hash)
                VALUES (${row.id}, ${row.at}, ${row.kind}, ${row.connector_id}, ${row.ref}, ${row.digest},
                        ${row.detail_json}, ${row.prev_hash}, ${hash})`.execute(db);
      prev = hash;
    }
  };
  for (let after = 0; ;) {
    const { rows } = await sql<RawDigestFields & { id: number }>`SELECT id, connector_id, seq_key, msgid, publickey_ver,
      record_sha256, captured_at FROM raw_records WHERE id > ${after} ORDER BY id LIMIT ${PAGE}`.execute(db);
    if (rows.length === 0) break;
    await append(rows.map((r) => rawEvent(r)));
    after = rows[rows.length - 1]!.id;
  }
  for (let after = ''; ;) {
    const { rows } =
      await sql<ItemDigestFields>`SELECT * FROM items WHERE key > ${after} ORDER BY key LIMIT ${PAGE}`.execute(db);
    if (rows.length === 0) break;
    await append(rows.map((r) => itemEvent({ row: r, modelSha256: modelSha256(r.model_json) })));
    after = rows[rows.length - 1]!.key;
  }
  for (let after = 0; ;) {
    const { rows } = await sql<EntryDigestFields & { id: number; connector_id: string }>`SELECT e.id, e.mailbox,
      e.folder, e.item_key, e.mime_sha256, e.msg_time, e.delivered_at, e.run_id, coalesce(i.connector_id, '') AS connector_id
      FROM mailbox_entries e LEFT JOIN items i ON i.key = e.item_key WHERE e.id > ${after} ORDER BY e.id LIMIT ${PAGE}`.execute(
      db,
    );
    if (rows.length === 0) break;
    await append(rows.map((r) => entryEvent(r.connector_id, r)));
    after = rows[rows.length - 1]!.id;
  }
  if (id > 0)
    await sql`UPDATE ingest_head SET last_id = ${id}, hash = ${prev}, updated_at = ${at} WHERE id = 1`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['checkpoints', 'ingest_head', 'ingest_log']) await db.schema.dropTable(t).ifExists().execute();
}
