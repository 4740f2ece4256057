/**
 * The reads `verify` needs, page by page so that an archive of millions of rows never sits in
 * memory: the ingest log in order, the rows its events name, rows that no event names, blobs,
 * and each connector's seq keys.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from './db.js';
import type { BlobTable, IngestLogTable, ItemTable, MailboxEntryTable, RawRecordTable } from './schema.js';

export type IngestRow = Selectable<IngestLogTable>;
export type RawRow = Selectable<RawRecordTable>;
export type ItemRow = Selectable<ItemTable>;
export type EntryRow = Selectable<MailboxEntryTable>;
export type BlobRow = Pick<Selectable<BlobTable>, 'sha256' | 'size' | 'data' | 'encoding' | 'created_at'>;

const IN_CHUNK = 500;

async function inChunks<K, R>(keys: K[], fn: (part: K[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < keys.length; i += IN_CHUNK) out.push(...(await fn(keys.slice(i, i + IN_CHUNK))));
  return out;
}

export async function ingestPage(db: Db, afterId: number, limit: number): Promise<IngestRow[]> {
  return db.selectFrom('ingest_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export async function lastIngestEvent(db: Db): Promise<IngestRow | undefined> {
  return db.selectFrom('ingest_log').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function ingestTombstones(db: Db): Promise<IngestRow[]> {
  return db.selectFrom('ingest_log').selectAll().where('kind', '=', 'tombstone').orderBy('id').execute();
}

export async function rawBySeqKeys(db: Db, connectorId: string, seqKeys: string[]): Promise<RawRow[]> {
  return inChunks(seqKeys, (part) =>
    db
      .selectFrom('raw_records')
      .selectAll()
      .where('connector_id', '=', connectorId)
      .where('seq_key', 'in', part)
      .execute(),
  );
}

export async function rawByIds(db: Db, ids: number[]): Promise<RawRow[]> {
  return inChunks(ids, (part) => db.selectFrom('raw_records').selectAll().where('id', 'in', part).execute());
}

export async function itemsByKeys(db: Db, keys: string[]): Promise<ItemRow[]> {
  return inChunks(keys, (part) => db.selectFrom('items').selectAll().where('key', 'in', part).execute());
}

export async function entriesByItemKeys(db: Db, keys: string[]): Promise<EntryRow[]> {
  return inChunks(keys, (part) => db.selectFrom('mailbox_entries').selectAll().where('item_key', 'in', part).execute());
}

/** The separator of an event's ref, bound as a parameter: SQLite spells it char(10), PostgreSQL chr(10). */
const NL = '\n';

/**
 * Rows that no ingest event names: written around the archiver. `NOT IN` over a subquery lets
 * SQLite build one temporary index instead of scanning the log per row.
 */
export async function unloggedRows(
  db: Db,
  sinceAt: number,
  limit: number,
): Promise<{ raw: RawRow[]; items: ItemRow[]; entries: EntryRow[] }> {
  const raw = await db
    .selectFrom('raw_records')
    .selectAll()
    .where('captured_at', '>=', sinceAt)
    .where(
      sql<boolean>`connector_id || ${NL} || seq_key NOT IN (SELECT connector_id || ${NL} || ref FROM ingest_log WHERE kind = 'raw')`,
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  const items = await db
    .selectFrom('items')
    .selectAll()
    .where('created_at', '>=', sinceAt)
    .where(sql<boolean>`key NOT IN (SELECT ref FROM ingest_log WHERE kind = 'item')`)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  const entries = await db
    .selectFrom('mailbox_entries')
    .selectAll()
    .where('delivered_at', '>=', sinceAt)
    .where(
      sql<boolean>`mailbox || ${NL} || folder || ${NL} || item_key NOT IN (SELECT ref FROM ingest_log WHERE kind = 'entry')`,
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return { raw, items, entries };
}

/** Items whose rendered message has no blob row at all. */
export async function itemsWithoutBlob(db: Db, sinceAt: number, limit: number): Promise<ItemRow[]> {
  return db
    .selectFrom('items')
    .selectAll()
    .where('created_at', '>=', sinceAt)
    .where(sql<boolean>`mime_sha256 NOT IN (SELECT sha256 FROM blobs)`)
    .limit(limit)
    .execute();
}

export async function blobsPage(db: Db, afterSha: string, sinceAt: number, limit: number): Promise<BlobRow[]> {
  return db
    .selectFrom('blobs')
    .select(['sha256', 'size', 'data', 'encoding', 'created_at'])
    .where('sha256', '>', afterSha)
    .where('created_at', '>=', sinceAt)
    .orderBy('sha256')
    .limit(limit)
    .execute();
}

/** How many blobs verify will re-hash: its progress total. */
export async function countBlobsSince(db: Db, sinceAt: number): Promise<number> {
  const r = await db
    .selectFrom('blobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('created_at', '>=', sinceAt)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function rawConnectors(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('raw_records').select('connector_id').distinct().orderBy('connector_id').execute();
  return rows.map((r) => r.connector_id);
}

export async function seqKeysPage(db: Db, connectorId: string, afterSeqKey: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('raw_records')
    .select('seq_key')
    .where('connector_id', '=', connectorId)
    .where('seq_key', '>', afterSeqKey)
    .orderBy('seq_key')
    .limit(limit)
    .execute();
  return rows.map((r) => r.seq_key);
}

/** The newest seq key captured before `at`, where `verify --since` starts the continuity check. */
export async function seqKeyBefore(db: Db, connectorId: string, at: number): Promise<string | undefined> {
  const r = await db
    .selectFrom('raw_records')
    .select('seq_key')
    .where('connector_id', '=', connectorId)
    .where('captured_at', '<', at)
    .orderBy('seq_key', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.seq_key;
}

/** SHA-256 names of the blobs kept as files (not inline), in order, page by page. */
export async function fileBlobsPage(db: Db, afterSha: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('blobs')
    .select('sha256')
    .where('data', 'is', null)
    .where('sha256', '>', afterSha)
    .orderBy('sha256')
    .limit(limit)
    .execute();
  return rows.map((r) => r.sha256);
}

/** Ingest events after `id`, counted by kind: what a backup taken at `id` lacks. */
export async function ingestCountsAfter(db: Db, id: number): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('ingest_log')
    .select(['kind', db.fn.countAll<number>().as('n')])
    .where('id', '>', id)
    .groupBy('kind')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
}

export async function auditCountAfter(db: Db, id: number): Promise<number> {
  const r = await db
    .selectFrom('audit_events')
    .select(db.fn.countAll<number>().as('n'))
    .where('id', '>', id)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
