/**
 * The one way archived content is deleted, whoever asks (retention, an administrator, the CLI).
 * Entries a legal hold covers are refused, never deleted. Unheld entries go; an item whose last
 * entry went goes with its raw record, its search index row and its review-set membership; blobs
 * nothing references any more go too (rows in the transaction, bytes from the blob store after
 * it commits, so a crash leaves at worst an orphan object, never a row without its bytes; an
 * object the store still keeps under Object Lock is named in the result). Every deleted entry and
 * item leaves a tombstone in the ingest log, so `verify` can tell disposal from tampering.
 */
import { dirname, join } from 'node:path';
import { sql, type Transaction } from 'kysely';
import { ArchiverError, isArchiverError } from '../core/errors.js';
import { decodeSkeleton } from './blobs/skeleton.js';
import { LocalBlobStore } from './blobs/local-store.js';
import type { BlobStore } from './blobs/types.js';
import { connectionOf, dialectKind, dialectOf, type Db } from './db.js';
import { heldEntries, holdEntryKey, LEGAL_HOLDS_LOCK } from './holds.js';
import type { Database } from './schema.js';
import { updateSearchIndex } from './search-writes.js';
import { deleteItemWithTombstone, tombstoneEntry, type TombstoneInput } from './tombstones.js';

export interface DeletionCause {
  kind: 'retention' | 'admin' | 'cli';
  /** a username, an OS user, or 'retention:<policy id>' */
  actor: string;
  policyId?: string;
  approver?: string;
}

export interface EntryRef {
  itemKey: string;
  mailbox: string;
}

export interface DeletionResult {
  /** entries removed */
  deleted: EntryRef[];
  /** entries a legal hold covers: left in place */
  refused: EntryRef[];
  /** entries that were not in the archive */
  missing: EntryRef[];
  /** items removed because no entry was left */
  itemsDeleted: string[];
  /** blobs whose bytes were removed from the blob store */
  blobsDeleted: number;
  /** blobs whose rows went but whose bytes the store kept (Object Lock retention, or a store failure) */
  blobsKept: { sha256: string; code: string; reason: string }[];
}

export interface DeletionOptions {
  now?: number;
  /** where blob bytes live; by default `blobs/` beside the database file, as openStore lays it out */
  blobs?: BlobStore;
}

type Tx = Transaction<Database>;

/** SQLite's default: `blobs/` beside the database file. A PostgreSQL database has no such place. */
function localBlobsOf(db: Db): BlobStore {
  if (dialectKind(db) !== 'sqlite')
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      "deleting from a PostgreSQL archive needs its blob store (the data directory's or the bucket) to be named",
    );
  return new LocalBlobStore(join(dirname(connectionOf(db).name), 'blobs'));
}

/**
 * Deletes mailbox entries, refusing those under a legal hold. `db` is the store's database, not
 * a transaction: the deletion is one transaction of its own (the search index is written on the
 * same connection inside it). The hold check runs after taking the write lock (on PostgreSQL
 * also the lock `insertLegalHold` takes), so a hold placed concurrently is either seen or
 * placed after the deletion committed.
 */
export async function deleteEntries(
  db: Db,
  entries: readonly EntryRef[],
  cause: DeletionCause,
  opts: DeletionOptions = {},
): Promise<DeletionResult> {
  const now = opts.now ?? Date.now();
  const blobs = opts.blobs ?? localBlobsOf(db);
  const unique = new Map<string, EntryRef>();
  for (const e of entries) unique.set(holdEntryKey(e.itemKey, e.mailbox), e);
  const out: DeletionResult = {
    deleted: [],
    refused: [],
    missing: [],
    itemsDeleted: [],
    blobsDeleted: 0,
    blobsKept: [],
  };
  const goneFiles: string[] = [];
  await db.transaction().execute(async (tx) => {
    // Take the write lock before reading the holds.
    await tx.updateTable('ingest_head').set({ updated_at: now }).where('id', '=', 1).execute();
    await dialectOf(tx).lockInTransaction(tx, LEGAL_HOLDS_LOCK);
    const list = [...unique.values()];
    const held = await heldEntries(tx, list);
    const tomb: TombstoneInput = {
      reason: cause.kind,
      actor: cause.actor,
      detail: {
        ...(cause.policyId ? { policyId: cause.policyId } : {}),
        ...(cause.approver ? { approver: cause.approver } : {}),
      },
    };
    const touched = new Set<string>();
    // Entries deleted per connector: its "after fan-out" counter moves in this transaction.
    const perConnector = new Map<string, number>();
    for (const e of list) {
      if (held.has(holdEntryKey(e.itemKey, e.mailbox))) {
        out.refused.push(e);
        continue;
      }
      const rows = await tx
        .selectFrom('mailbox_entries as m')
        .innerJoin('items as i', 'i.key', 'm.item_key')
        .select(['m.id', 'm.mailbox', 'm.folder', 'i.connector_id', 'i.msgid', 'i.mime_sha256'])
        .where('m.item_key', '=', e.itemKey)
        .where(sql`lower(m.mailbox)`, '=', e.mailbox.toLowerCase())
        .execute();
      if (rows.length === 0) {
        out.missing.push(e);
        continue;
      }
      for (const r of rows) {
        await tx.deleteFrom('mailbox_entries').where('id', '=', r.id).execute();
        perConnector.set(r.connector_id, (perConnector.get(r.connector_id) ?? 0) + 1);
        const entryTomb = { ...tomb, detail: { ...tomb.detail, mimeSha256: r.mime_sha256 } };
        await tombstoneEntry(
          tx,
          { connectorId: r.connector_id, mailbox: r.mailbox, folder: r.folder, itemKey: e.itemKey, msgid: r.msgid },
          entryTomb,
          now,
        );
      }
      out.deleted.push(e);
      touched.add(e.itemKey);
    }
    for (const [connectorId, n] of perConnector)
      await tx
        .updateTable('connector_counters')
        .set((eb) => ({ entries: eb('entries', '-', n) }))
        .where('connector_id', '=', connectorId)
        .execute();
    for (const key of touched) {
      const left = await tx.selectFrom('mailbox_entries').select('id').where('item_key', '=', key).executeTakeFirst();
      if (left) continue;
      goneFiles.push(...(await deleteItem(db, tx, key, tomb, now)));
      out.itemsDeleted.push(key);
    }
  });
  for (const sha of goneFiles) {
    try {
      await blobs.delete(sha);
      out.blobsDeleted++;
    } catch (err) {
      // The deletion has committed: a blob the store keeps (Object Lock, or a store that could
      // not be reached) is an orphan to report, not a reason to fail what already happened.
      if (!isArchiverError(err)) throw err;
      out.blobsKept.push({ sha256: sha, code: err.code, reason: err.message });
    }
  }
  return out;
}

/** Removes an item that no entry references; returns the blob files to delete after commit. */
async function deleteItem(db: Db, tx: Tx, key: string, tomb: TombstoneInput, now: number): Promise<string[]> {
  const item = await tx
    .selectFrom('items')
    .select(['raw_id', 'mime_sha256'])
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  const sharedRaw = await tx
    .selectFrom('items')
    .select('key')
    .where('raw_id', '=', item.raw_id)
    .where('key', '!=', key)
    .executeTakeFirst();
  await deleteItemWithTombstone(
    tx,
    key,
    { ...tomb, deleteRaw: !sharedRaw, detail: { ...tomb.detail, mimeSha256: item.mime_sha256 } },
    now,
  );
  await updateSearchIndex(db, tx, { remove: [key], now });
  await tx.deleteFrom('review_set_items').where('item_key', '=', key).execute();
  await tx.deleteFrom('review_tags').where('item_key', '=', key).execute();
  await tx.deleteFrom('review_comments').where('item_key', '=', key).execute();
  return dropUnreferencedBlob(tx, item.mime_sha256);
}

/** Deletes a message blob no item references, and the media blobs only it referenced. */
async function dropUnreferencedBlob(tx: Tx, sha256: string): Promise<string[]> {
  const other = await tx.selectFrom('items').select('key').where('mime_sha256', '=', sha256).executeTakeFirst();
  if (other) return [];
  const blob = await tx
    .selectFrom('blobs')
    .select(['data', 'encoding'])
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  if (!blob) return [];
  await tx.deleteFrom('blobs').where('sha256', '=', sha256).execute();
  const files: string[] = blob.data === null ? [sha256] : [];
  if (blob.encoding !== 'skeleton' || blob.data === null) return files;
  const media = new Set<string>();
  for (const p of decodeSkeleton(Buffer.from(blob.data), sha256)) if (!Buffer.isBuffer(p)) media.add(p.media);
  for (const m of media) {
    const needle = Buffer.concat([Buffer.from([1]), Buffer.from(m, 'hex')]);
    const stillUsed = await sql<{ one: number }>`SELECT 1 AS one FROM blobs
      WHERE encoding = 'skeleton' AND ${dialectOf(tx).bytesContain(sql.ref('data'), needle)} LIMIT 1`.execute(tx);
    const asMessage = await tx.selectFrom('items').select('key').where('mime_sha256', '=', m).executeTakeFirst();
    if (stillUsed.rows.length > 0 || asMessage) continue;
    const row = await tx.selectFrom('blobs').select('data').where('sha256', '=', m).executeTakeFirst();
    if (!row) continue;
    await tx.deleteFrom('blobs').where('sha256', '=', m).execute();
    await tx.deleteFrom('media').where('sha256', '=', m).execute();
    if (row.data === null) files.push(m);
  }
  return files;
}
