/**
 * Commits the outcome of processing a batch of raw records in one transaction: items and their
 * blobs, embedded-mailbox entries, holds, media state, recall marks and each raw record's new
 * status. Re-processing a record first releases its earlier holds, so re-evaluation after a
 * key or mapping change leaves exactly the holds that still apply.
 *
 * On SQLite everything but the rare supervision flags is written with statements prepared once
 * per connection (process-writes.ts), synchronously inside the one transaction; on PostgreSQL
 * the same transaction is a few multi-row statements (process-portable.ts).
 */
import type { PreparedBlob } from './blobs/index.js';
import { connectionOf, dialectKind, type Db } from './db.js';
import { appendIngestOn, entryEvent, itemEvent, type EntryDigestFields, type LoggedItem } from './ingest-log.js';
import { itemRowOf } from './item-row.js';
import { commitProcessedPortable } from './process-portable.js';
import { processStatements, type ProcessStatements } from './process-writes.js';
import type { RawStatus } from './schema.js';
import type { SearchRowWrite } from './search-index.js';
import { updateSearchIndex } from './search-writes.js';
import { writeSupervisionFlags, type SupervisionFlagWrite } from './supervision.js';
import { transact } from './transaction.js';
import { fenceClaim, type RecordClaim } from './record-claims.js';

export interface ItemWrite {
  key: string;
  msgid: string;
  seqKey: string;
  msgtype: string;
  action: string;
  conversationId: string;
  roomId: string;
  fromId: string;
  msgTime: number;
  modelVersion: number;
  modelJson: string;
  /** SHA-256 of `modelJson` (core/sha256.ts `modelSha256`), computed on the prepare thread: the item's ingest digest covers it */
  modelSha256: string;
  mimeSha256: string;
  mimeSize: number;
  flags: string[];
}

export interface HoldWrite {
  reason: string;
  /** the item the hold concerns when the record wrote none (a conflicting duplicate names the archived one) */
  itemKey?: string;
  participant?: string;
  /** every participant concerned (e.g. all unmapped ones of a record), kept in the one hold */
  participants?: string[];
  code?: string;
  detail: string;
}

export interface MediaWrite {
  sdkfileid: string;
  status: 'ok' | 'md5-mismatch' | 'expired' | 'missing' | 'failed';
  sha256?: string;
  size?: number;
  md5Expected?: string;
  errorCode?: string;
}

export interface ProcessedRecord {
  rawId: number;
  status: Exclude<RawStatus, 'pending'>;
  holdReason?: string;
  errorCode?: string;
  errorDetail?: string;
  item?: ItemWrite;
  blobs: PreparedBlob[];
  media: MediaWrite[];
  entries: { mailbox: string; displayName: string }[];
  holds: HoldWrite[];
  recall?: { preMsgid: string; byMsgid: string; at: number };
  /** the item's search index row, written with the item */
  search?: SearchRowWrite;
  /** supervision flags the item raised, written with the item so none is lost to a crash */
  supervision?: SupervisionFlagWrite[];
}

export const ARCHIVE_FOLDER = 'WeChat Archiver';

export interface CommitContext {
  now: number;
  runId: number | null;
  destinations?: string[];
  /**
   * The worker's claim on the batch's records (`serve --role worker`): checked first in the
   * transaction, which writes nothing if another worker has claimed them since.
   */
  claim?: RecordClaim;
}

export async function commitProcessed(
  db: Db,
  connectorId: string,
  batch: ProcessedRecord[],
  ctx: CommitContext,
): Promise<{ entriesCreated: number }> {
  // Mailbox entries this commit created: a record processed again adds only its new mailboxes.
  let entriesCreated = 0;
  if (batch.length === 0) return { entriesCreated };
  if (dialectKind(db) !== 'sqlite') return commitProcessedPortable(db, connectorId, batch, ctx, ARCHIVE_FOLDER);
  await transact(db, async (tx) => {
    if (ctx.claim) await fenceClaim(tx, ctx.claim);
    const s = processStatements(connectionOf(db));
    insertBlobs(s, batch, ctx.now);
    insertMedia(s, connectorId, batch, ctx.now);
    const items = insertItems(s, connectorId, batch, ctx.now);
    await updateSearchIndex(db, tx, {
      write: batch.flatMap((r) => (r.item && r.search ? [r.search] : [])),
      recalled: batch.flatMap((r) => (r.recall ? [{ connectorId, msgid: r.recall.preMsgid }] : [])),
      now: ctx.now,
    });
    const flags = batch.flatMap((r) => (r.item && r.supervision ? r.supervision : []));
    if (flags.length > 0) await writeSupervisionFlags(tx, flags, ctx.now);
    const entries = insertEntries(s, batch, ctx);
    entriesCreated = entries.length;
    // The connector's item and entry counts move with the rows, in this transaction.
    if (items.length > 0 || entries.length > 0) s.countRows.run(connectorId, items.length, entries.length);
    // Only rows this transaction created: a replayed record's item and entries are logged once.
    appendIngestOn(db, [...items.map(itemEvent), ...entries.map((e) => entryEvent(connectorId, e))], ctx.now);
    enqueueDeliveries(s, connectorId, batch, ctx);
    replaceHolds(s, connectorId, batch, ctx.now);
    for (const r of batch)
      if (r.recall) s.markRecalled.run(r.recall.byMsgid, r.recall.at, connectorId, r.recall.preMsgid);
    for (const r of batch)
      s.setStatus.run(r.status, r.holdReason ?? null, r.errorCode ?? null, r.errorDetail ?? null, ctx.now, r.rawId);
  });
  return { entriesCreated };
}

/** One ledger row per (item, mailbox, external destination), created with the item itself. */
function enqueueDeliveries(
  s: ProcessStatements,
  connectorId: string,
  batch: ProcessedRecord[],
  ctx: { now: number; destinations?: string[] },
): void {
  const destinations = ctx.destinations ?? [];
  if (destinations.length === 0) return;
  for (const r of batch) {
    if (!r.item) continue;
    for (const e of r.entries)
      for (const d of destinations) s.insertDelivery.run(connectorId, d, r.item.key, e.mailbox, ctx.now, ctx.now);
  }
}

function insertBlobs(s: ProcessStatements, batch: ProcessedRecord[], now: number): void {
  const seen = new Set<string>();
  for (const r of batch)
    for (const b of r.blobs) {
      if (seen.has(b.sha256)) continue;
      seen.add(b.sha256);
      s.insertBlob.run(b.sha256, b.size, b.kind, b.data, b.encoding, now);
    }
}

function insertMedia(s: ProcessStatements, connectorId: string, batch: ProcessedRecord[], now: number): void {
  for (const r of batch)
    for (const m of r.media) {
      const md5Ok = m.status === 'ok' ? 1 : m.status === 'md5-mismatch' ? 0 : null;
      s.upsertMedia.run(
        connectorId,
        m.sdkfileid,
        m.status,
        m.sha256 ?? null,
        m.size ?? null,
        m.md5Expected ?? null,
        md5Ok,
        m.errorCode ?? null,
        now,
      );
    }
}

function insertItems(s: ProcessStatements, connectorId: string, batch: ProcessedRecord[], now: number): LoggedItem[] {
  // An item is written once: originals are never modified (invariant 4); a replay of the same
  // record finds its item already there and keeps it.
  const created: LoggedItem[] = [];
  for (const r of batch) {
    const i = r.item;
    if (!i) continue;
    const row = itemRowOf(connectorId, r.rawId, i, now);
    const res = s.insertItem.run(
      row.key,
      row.connector_id,
      row.raw_id,
      row.msgid,
      row.seq_key,
      row.msgtype,
      row.action,
      row.conversation_id,
      row.room_id,
      row.from_id,
      row.msg_time,
      row.model_version,
      row.model_json,
      row.mime_sha256,
      row.mime_size,
      row.flags,
      null,
      null,
      row.created_at,
    );
    if (res.changes > 0) created.push({ row, modelSha256: i.modelSha256 });
  }
  return created;
}

function insertEntries(
  s: ProcessStatements,
  batch: ProcessedRecord[],
  ctx: { now: number; runId: number | null },
): EntryDigestFields[] {
  const mailboxes = new Map<string, string>();
  for (const r of batch) if (r.item) for (const e of r.entries) mailboxes.set(e.mailbox, e.displayName);
  for (const [address, name] of mailboxes) s.insertMailbox.run(address, name, ctx.now);
  const created: EntryDigestFields[] = [];
  for (const r of batch) {
    if (!r.item) continue;
    for (const e of r.entries) {
      const row: EntryDigestFields = {
        mailbox: e.mailbox,
        folder: ARCHIVE_FOLDER,
        item_key: r.item.key,
        mime_sha256: r.item.mimeSha256,
        msg_time: r.item.msgTime,
        delivered_at: ctx.now,
        run_id: ctx.runId,
      };
      const res = s.insertEntry.run(
        row.mailbox,
        row.folder,
        row.item_key,
        row.mime_sha256,
        row.msg_time,
        row.delivered_at,
        row.run_id,
      );
      if (res.changes > 0) created.push(row);
    }
  }
  return created;
}

function replaceHolds(s: ProcessStatements, connectorId: string, batch: ProcessedRecord[], now: number): void {
  for (const r of batch) s.releaseHolds.run(now, r.rawId);
  for (const r of batch)
    for (const h of r.holds)
      s.insertHold.run(
        connectorId,
        h.reason,
        r.item?.key ?? h.itemKey ?? null,
        r.rawId,
        h.participant ?? null,
        h.participants ? JSON.stringify(h.participants) : null,
        h.code ?? null,
        h.detail,
        now,
      );
}
