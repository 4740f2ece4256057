/**
 * Commits the outcome of processing a batch of raw records in one transaction: items and their
 * blobs, embedded-mailbox entries, holds, media state, recall marks and each raw record's new
 * status. Re-processing a record first releases its earlier holds, so re-evaluation after a
 * key or mapping change leaves exactly the holds that still apply.
 */
import type { Transaction } from 'kysely';
import type { PreparedBlob } from './blobs/index.js';
import type { Db } from './db.js';
import { appendIngest, entryEvent, itemEvent, type EntryDigestFields, type ItemDigestFields } from './ingest-log.js';
import type { Database, RawStatus } from './schema.js';
import { markSearchRecalled, writeSearchRows, type SearchRowWrite } from './search-index.js';
import { writeSupervisionFlags, type SupervisionFlagWrite } from './supervision.js';
import { transact } from './transaction.js';

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

const CHUNK = 200;

function chunks<T>(rows: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export async function commitProcessed(
  db: Db,
  connectorId: string,
  batch: ProcessedRecord[],
  ctx: { now: number; runId: number | null; destinations?: string[] },
): Promise<{ entriesCreated: number }> {
  // Mailbox entries this commit created: a record processed again adds only its new mailboxes.
  let entriesCreated = 0;
  if (batch.length === 0) return { entriesCreated };
  await transact(db, async (tx) => {
    await insertBlobs(tx, batch, ctx.now);
    await insertMedia(tx, connectorId, batch, ctx.now);
    const items = await insertItems(tx, connectorId, batch, ctx.now);
    writeSearchRows(
      db,
      batch.flatMap((r) => (r.item && r.search ? [r.search] : [])),
      ctx.now,
    );
    await writeSupervisionFlags(
      tx,
      batch.flatMap((r) => (r.item && r.supervision ? r.supervision : [])),
      ctx.now,
    );
    const entries = await insertEntries(tx, batch, ctx);
    entriesCreated = entries.length;
    // Only rows this transaction created: a replayed record's item and entries are logged once.
    await appendIngest(tx, [...items.map(itemEvent), ...entries.map((e) => entryEvent(connectorId, e))], ctx.now);
    await enqueueDeliveries(tx, connectorId, batch, ctx);
    await replaceHolds(tx, connectorId, batch, ctx.now);
    for (const r of batch) {
      if (!r.recall) continue;
      await tx
        .updateTable('items')
        .set({ recalled_by: r.recall.byMsgid, recalled_at: r.recall.at })
        .where('connector_id', '=', connectorId)
        .where('msgid', '=', r.recall.preMsgid)
        .execute();
      markSearchRecalled(db, connectorId, r.recall.preMsgid);
    }
    await updateStatuses(tx, batch, ctx.now);
  });
  return { entriesCreated };
}

/** One ledger row per (item, mailbox, external destination), created with the item itself. */
async function enqueueDeliveries(
  tx: Transaction<Database>,
  connectorId: string,
  batch: ProcessedRecord[],
  ctx: { now: number; destinations?: string[] },
): Promise<void> {
  const destinations = ctx.destinations ?? [];
  if (destinations.length === 0) return;
  const rows = [];
  for (const r of batch) {
    if (!r.item) continue;
    for (const e of r.entries)
      for (const d of destinations)
        rows.push({
          connector_id: connectorId,
          destination_id: d,
          item_key: r.item.key,
          mailbox: e.mailbox,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: ctx.now,
          lease_owner: null,
          lease_until: null,
          error_code: null,
          error_detail: null,
          remote_id: null,
          created_at: ctx.now,
          finished_at: null,
        });
  }
  for (const part of chunks(rows)) {
    await tx
      .insertInto('deliveries')
      .values(part)
      .onConflict((oc) => oc.columns(['destination_id', 'item_key', 'mailbox']).doNothing())
      .execute();
  }
}

/** Most records end `done` with nothing to say: one statement per chunk; the rest row by row. */
async function updateStatuses(tx: Transaction<Database>, batch: ProcessedRecord[], now: number): Promise<void> {
  const done = batch.filter((r) => r.status === 'done' && !r.errorCode).map((r) => r.rawId);
  for (const part of chunks(done, 500)) {
    await tx
      .updateTable('raw_records')
      .set((eb) => ({
        status: 'done',
        hold_reason: null,
        error_code: null,
        error_detail: null,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      .where('id', 'in', part)
      .execute();
  }
  for (const r of batch) {
    if (r.status === 'done' && !r.errorCode) continue;
    await tx
      .updateTable('raw_records')
      .set((eb) => ({
        status: r.status,
        hold_reason: r.holdReason ?? null,
        error_code: r.errorCode ?? null,
        error_detail: r.errorDetail ?? null,
        attempts: eb('attempts', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', r.rawId)
      .execute();
  }
}

async function insertBlobs(tx: Transaction<Database>, batch: ProcessedRecord[], now: number): Promise<void> {
  const seen = new Set<string>();
  const rows = [];
  for (const r of batch)
    for (const b of r.blobs) {
      if (seen.has(b.sha256)) continue;
      seen.add(b.sha256);
      rows.push({ sha256: b.sha256, size: b.size, kind: b.kind, data: b.data, encoding: b.encoding, created_at: now });
    }
  for (const part of chunks(rows)) {
    await tx
      .insertInto('blobs')
      .values(part)
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
  }
}

async function insertMedia(
  tx: Transaction<Database>,
  connectorId: string,
  batch: ProcessedRecord[],
  now: number,
): Promise<void> {
  for (const r of batch)
    for (const m of r.media) {
      const row = {
        connector_id: connectorId,
        sdkfileid: m.sdkfileid,
        status: m.status,
        sha256: m.sha256 ?? null,
        size: m.size ?? null,
        md5_expected: m.md5Expected ?? null,
        md5_ok: m.status === 'ok' ? 1 : m.status === 'md5-mismatch' ? 0 : null,
        error_code: m.errorCode ?? null,
        fetched_at: now,
      };
      await tx
        .insertInto('media')
        .values(row)
        .onConflict((oc) => oc.columns(['connector_id', 'sdkfileid']).doUpdateSet(row))
        .execute();
    }
}

async function insertItems(
  tx: Transaction<Database>,
  connectorId: string,
  batch: ProcessedRecord[],
  now: number,
): Promise<ItemDigestFields[]> {
  const rows = [];
  for (const r of batch) {
    const i = r.item;
    if (!i) continue;
    rows.push({
      key: i.key,
      connector_id: connectorId,
      raw_id: r.rawId,
      msgid: i.msgid,
      seq_key: i.seqKey,
      msgtype: i.msgtype,
      action: i.action,
      conversation_id: i.conversationId,
      room_id: i.roomId,
      from_id: i.fromId,
      msg_time: i.msgTime,
      model_version: i.modelVersion,
      model_json: i.modelJson,
      mime_sha256: i.mimeSha256,
      mime_size: i.mimeSize,
      flags: i.flags.join(','),
      recalled_by: null,
      recalled_at: null,
      created_at: now,
    });
  }
  // An item is written once: originals are never modified (invariant 4); a replay of the same
  // record finds its item already there and keeps it.
  const created = new Set<string>();
  for (const part of chunks(rows, 100)) {
    const res = await tx
      .insertInto('items')
      .values(part)
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    for (const { key } of res) created.add(key);
  }
  const inserted = created.size;
  if (inserted > 0) {
    await tx
      .insertInto('connector_counters')
      .values({ connector_id: connectorId, items: Number(inserted) })
      .onConflict((oc) =>
        oc
          .column('connector_id')
          .doUpdateSet((eb) => ({ items: eb('connector_counters.items', '+', Number(inserted)) })),
      )
      .execute();
  }
  return rows.filter((r) => created.has(r.key));
}

async function insertEntries(
  tx: Transaction<Database>,
  batch: ProcessedRecord[],
  ctx: { now: number; runId: number | null },
): Promise<EntryDigestFields[]> {
  const mailboxes = new Map<string, string>();
  const rows = [];
  for (const r of batch) {
    if (!r.item) continue;
    for (const e of r.entries) {
      mailboxes.set(e.mailbox, e.displayName);
      rows.push({
        mailbox: e.mailbox,
        folder: ARCHIVE_FOLDER,
        item_key: r.item.key,
        mime_sha256: r.item.mimeSha256,
        msg_time: r.item.msgTime,
        delivered_at: ctx.now,
        run_id: ctx.runId,
      });
    }
  }
  const boxes = [...mailboxes].map(([address, display_name]) => ({ address, display_name, created_at: ctx.now }));
  for (const part of chunks(boxes)) {
    await tx
      .insertInto('mailboxes')
      .values(part)
      .onConflict((oc) => oc.column('address').doNothing())
      .execute();
  }
  const created: EntryDigestFields[] = [];
  for (const part of chunks(rows)) {
    const res = await tx
      .insertInto('mailbox_entries')
      .values(part)
      .onConflict((oc) => oc.columns(['mailbox', 'folder', 'item_key']).doNothing())
      .returning(['mailbox', 'folder', 'item_key', 'mime_sha256', 'msg_time', 'delivered_at', 'run_id'])
      .execute();
    created.push(...res);
  }
  return created;
}

async function replaceHolds(
  tx: Transaction<Database>,
  connectorId: string,
  batch: ProcessedRecord[],
  now: number,
): Promise<void> {
  const rawIds = batch.map((r) => r.rawId);
  for (const part of chunks(rawIds, 500)) {
    await tx
      .updateTable('holds')
      .set({ released_at: now })
      .where('raw_id', 'in', part)
      .where('released_at', 'is', null)
      .execute();
  }
  const rows = [];
  for (const r of batch)
    for (const h of r.holds) {
      rows.push({
        connector_id: connectorId,
        reason: h.reason,
        item_key: r.item?.key ?? h.itemKey ?? null,
        raw_id: r.rawId,
        participant: h.participant ?? null,
        participants: h.participants ? JSON.stringify(h.participants) : null,
        code: h.code ?? null,
        detail: h.detail,
        created_at: now,
        released_at: null,
      });
    }
  for (const part of chunks(rows)) await tx.insertInto('holds').values(part).execute();
}
