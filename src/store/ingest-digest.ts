/**
 * What the ingest log records of each row: a SHA-256 over the row's immutable fields, in a
 * fixed order. `verify` recomputes it from the row as it is now, so a changed field of a raw
 * record, an item or a mailbox entry no longer matches the digest logged when it was stored.
 * Fields that legitimately change later (a raw record's processing status, an item's recall
 * mark) are left out; the recall has its own event.
 */
import { hash } from 'node:crypto';
import type { ItemTable, MailboxEntryTable, RawRecordTable } from './schema.js';

export type IngestKind = 'raw' | 'item' | 'entry' | 'tombstone' | 'policy';

/** One event to append; `at` and the chain fields are added by appendIngest. */
export interface IngestEventInput {
  kind: IngestKind;
  connectorId: string;
  ref: string;
  digest: string;
  detail?: Record<string, unknown>;
  /**
   * `detail` as the canonical JSON the chain covers, when the builder already has it (the
   * builders below write their flat details directly): the appends then skip encoding it.
   */
  detailJson?: string;
}

/**
 * SHA-256 over the fields, each written as `<byte length>:<tag><value>` (tag `s` text, `n`
 * number, `z` null): unambiguous like JSON, but without escaping a large field (an item's
 * model) a second time, which made digests the larger part of the log's cost.
 */
function digestOf(fields: (string | number | null)[]): string {
  // One string hashed in one one-shot call: the same bytes as hashing field by field, without a
  // Hash object and two crossings into it per field.
  let text = '';
  for (const f of fields) {
    const v = f === null ? 'z' : typeof f === 'number' ? `n${f}` : `s${f}`;
    text += `${Buffer.byteLength(v)}:${v}`;
  }
  return hash('sha256', text, 'hex');
}

export type RawDigestFields = Pick<
  RawRecordTable,
  'connector_id' | 'seq_key' | 'msgid' | 'publickey_ver' | 'record_sha256' | 'captured_at'
>;

export function rawDigest(r: RawDigestFields): string {
  return digestOf([r.connector_id, r.seq_key, r.msgid, r.publickey_ver, r.record_sha256, r.captured_at]);
}

/** Every column of an item but its recall mark, which changes later. */
export type ItemDigestFields = Omit<ItemTable, 'recalled_by' | 'recalled_at'>;

export function itemDigest(i: ItemDigestFields): string {
  return digestOf([
    i.key,
    i.connector_id,
    i.raw_id,
    i.msgid,
    i.seq_key,
    i.msgtype,
    i.action,
    i.conversation_id,
    i.room_id,
    i.from_id,
    i.msg_time,
    i.model_version,
    i.model_json,
    i.mime_sha256,
    i.mime_size,
    i.flags,
    i.created_at,
  ]);
}

export type EntryDigestFields = Omit<MailboxEntryTable, 'id'>;

export function entryDigest(e: EntryDigestFields): string {
  return digestOf([e.mailbox, e.folder, e.item_key, e.mime_sha256, e.msg_time, e.delivered_at, e.run_id]);
}

/** An entry is named by its mailbox, folder and item: what makes it unique. */
export function entryRef(e: { mailbox: string; folder: string; item_key: string }): string {
  return `${e.mailbox}\n${e.folder}\n${e.item_key}`;
}

export const rawEvent = (r: RawDigestFields): IngestEventInput => ({
  kind: 'raw',
  connectorId: r.connector_id,
  ref: r.seq_key,
  digest: rawDigest(r),
  detail: { msgid: r.msgid },
  detailJson: `{"msgid":${JSON.stringify(r.msgid)}}`,
});

export const itemEvent = (i: ItemDigestFields): IngestEventInput => ({
  kind: 'item',
  connectorId: i.connector_id,
  ref: i.key,
  digest: itemDigest(i),
  detail: { msgid: i.msgid, seqKey: i.seq_key },
  // Keys in canonical (sorted) order.
  detailJson: `{"msgid":${JSON.stringify(i.msgid)},"seqKey":${JSON.stringify(i.seq_key)}}`,
});

export const entryEvent = (connectorId: string, e: EntryDigestFields): IngestEventInput => ({
  kind: 'entry',
  connectorId,
  ref: entryRef(e),
  digest: entryDigest(e),
});
