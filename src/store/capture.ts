/**
 * Capture repository: raw records and the source cursor commit in ONE transaction, so the
 * cursor can never run ahead of the data (invariant 2). Records are kept exactly as received.
 */
import { sha256Hex } from './blobs/local.js';
import type SQLite from 'better-sqlite3';
import { connectionOf, dialectKind, preparedPerConnection, type Db } from './db.js';
import { appendIngest, appendIngestOn, rawEvent, type IngestEventInput } from './ingest-log.js';
import type { RawRecordTable, RawStatus } from './schema.js';
import { seqKey } from './seq.js';
import { transact } from './transaction.js';
import { fenceLease, type Lease } from './leases.js';

export interface CapturedRecord {
  seq: string;
  msgid: string;
  publickey_ver: number;
  /** the record exactly as the source sent it */
  json: string;
}

export async function getCursor(db: Db, connectorId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('cursors')
    .select('cursor')
    .where('connector_id', '=', connectorId)
    .executeTakeFirst();
  return row?.cursor;
}

/** Stores a batch of raw records and advances the cursor past them, atomically. Returns how many were new. */
export async function commitCapture(
  db: Db,
  connectorId: string,
  records: CapturedRecord[],
  cursor: string,
  now: number,
  /** the capture lease of the connector, checked in the transaction (several processes on one database) */
  fence?: Lease,
): Promise<number> {
  if (dialectKind(db) !== 'sqlite') return commitCapturePortable(db, connectorId, records, cursor, now, fence);
  return transact(db, async (tx) => {
    if (fence) await fenceLease(tx, fence);
    const s = statements(connectionOf(db));
    let inserted = 0;
    const logged: IngestEventInput[] = [];
    for (const r of records) {
      const values = {
        connector_id: connectorId,
        seq_key: seqKey(r.seq),
        msgid: r.msgid,
        publickey_ver: r.publickey_ver,
        record_sha256: sha256Hex(Buffer.from(r.json)),
        captured_at: now,
      };
      const res = s.insertRaw.run(
        values.connector_id,
        values.seq_key,
        values.msgid,
        values.publickey_ver,
        r.json,
        values.record_sha256,
        now,
        now,
      );
      inserted += res.changes;
      if (res.changes > 0) logged.push(rawEvent(values));
    }
    s.setCursor.run(connectorId, cursor, now);
    appendIngestOn(db, logged, now);
    return inserted;
  });
}

/**
 * `commitCapture` through Kysely, for PostgreSQL: the same rows, cursor and ingest events in one
 * transaction. One multi-row INSERT per batch (RETURNING says which were new) instead of
 * SQLite's statement per record, which over a network would pay a round trip each.
 */
async function commitCapturePortable(
  ...[db, connectorId, records, cursor, now, fence]: Parameters<typeof commitCapture>
) {
  return transact(db, async (tx) => {
    // First: a capture that lost its lease writes nothing, and the lease cannot pass on until this commits.
    if (fence) await fenceLease(tx, fence);
    const rows = records.map((r) => ({
      connector_id: connectorId,
      seq_key: seqKey(r.seq),
      msgid: r.msgid,
      publickey_ver: r.publickey_ver,
      record_json: r.json,
      record_sha256: sha256Hex(Buffer.from(r.json)),
      captured_at: now,
      status: 'pending' as const,
      attempts: 0,
      updated_at: now,
    }));
    const fresh = new Set<string>();
    for (let i = 0; i < rows.length; i += CAPTURE_CHUNK) {
      const added = await tx
        .insertInto('raw_records')
        .values(rows.slice(i, i + CAPTURE_CHUNK))
        .onConflict((oc) => oc.columns(['connector_id', 'seq_key']).doNothing())
        .returning('seq_key')
        .execute();
      for (const a of added) fresh.add(a.seq_key);
    }
    await tx
      .insertInto('cursors')
      .values({ connector_id: connectorId, cursor, updated_at: now })
      .onConflict((oc) => oc.column('connector_id').doUpdateSet({ cursor, updated_at: now }))
      .execute();
    // Events in the order the source sent the records, as on SQLite; a seq sent twice in one batch counts once.
    const logged = rows.filter((r) => fresh.delete(r.seq_key)).map((r) => rawEvent(r));
    await appendIngest(tx, logged, now);
    return logged.length;
  });
}

/** Rows per INSERT: 10 columns stay well under PostgreSQL's 65,535 bound parameters. */
const CAPTURE_CHUNK = 1000;

interface CaptureStatements {
  insertRaw: SQLite.Statement<unknown[]>;
  setCursor: SQLite.Statement<[string, string, number]>;
}

/** Prepared once per connection: capture stores every record the source sends, one statement each. */
const statements = preparedPerConnection((c): CaptureStatements => ({
  insertRaw: c.prepare(
    `INSERT INTO raw_records (connector_id, seq_key, msgid, publickey_ver, record_json, record_sha256, captured_at,
         status, hold_reason, error_code, error_detail, attempts, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, NULL, 0, ?) ON CONFLICT (connector_id, seq_key) DO NOTHING`,
  ),
  setCursor: c.prepare(
    `INSERT INTO cursors (connector_id, cursor, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (connector_id) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
  ),
}));

export type RawRecordRow = Pick<RawRecordTable, 'seq_key' | 'msgid' | 'publickey_ver' | 'record_json' | 'attempts'> & {
  id: number;
};

/** Records still to process (pending, or failed with attempts left), in seq order, after `afterId`. */
export async function listWork(
  db: Db,
  connectorId: string,
  opts: { afterSeqKey: string; limit: number; maxAttempts: number },
): Promise<RawRecordRow[]> {
  return db
    .selectFrom('raw_records')
    .select(['id', 'seq_key', 'msgid', 'publickey_ver', 'record_json', 'attempts'])
    .where('connector_id', '=', connectorId)
    .where('seq_key', '>', opts.afterSeqKey)
    .where((eb) =>
      eb.or([
        eb('status', '=', 'pending'),
        eb.and([eb('status', '=', 'failed'), eb('attempts', '<', opts.maxAttempts)]),
      ]),
    )
    .orderBy('seq_key')
    .limit(opts.limit)
    .execute();
}

export async function countByStatus(db: Db, connectorId?: string): Promise<Record<RawStatus, number>> {
  let q = db.selectFrom('raw_records').select(['status', db.fn.countAll<number>().as('n')]);
  if (connectorId) q = q.where('connector_id', '=', connectorId);
  const rows = await q.groupBy('status').execute();
  const out: Record<RawStatus, number> = { pending: 0, done: 0, held: 0, failed: 0, duplicate: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}

/** Raw records held for a reason, for re-evaluation (e.g. a key version was added). */
export async function listHeldRaw(db: Db, connectorId: string, reason: string): Promise<number[]> {
  const rows = await db
    .selectFrom('raw_records')
    .select('id')
    .where('connector_id', '=', connectorId)
    .where('status', '=', 'held')
    .where('hold_reason', '=', reason)
    .execute();
  return rows.map((r) => r.id);
}
