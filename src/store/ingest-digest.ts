/**
 * What the ingest log records of each row: a SHA-256 over the row's immutable fields, in a
 * fixed order. `verify` recomputes it from the row as it is now, so a changed field of a raw
 * record, an item or a mailbox entry no longer matches the digest logged when it was stored.
 * Fields that legitimately change later (a raw record's processing status, an item's recall
 * mark) are left out; the recall has its own event.
 */
import { hash } from 'node:crypto';
import { modelSha256 } from '../core/sha256.js';
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
 * number, `z` null), the byte length being that of `<tag><value>` in UTF-8 and written in
 * decimal, all of it concatenated with nothing between: unambiguous like JSON, but without
 * escaping a large field a second time. E.g. `["ab", 12, null]` hashes the text
 * `3:sab3:n121:z`.
 */
/** Text of ASCII characters alone (no UTF-16 unit at or above U+0080). */
const ASCII = /^[^\u0080-\uffff]*$/;

function digestOf(fields: (string | number | null)[]): string {
  // One string hashed in one one-shot call: the same bytes as hashing field by field, without a
  // Hash object and two crossings into it per field. Most fields are ASCII (keys, ids, hex
  // hashes, numbers), whose UTF-8 length is their length: measuring them in JavaScript spares a
  // call into Buffer.byteLength and the flattening of a `<tag><value>` string per field.
  let text = '';
  for (const f of fields) {
    if (typeof f === 'string') text += `${(ASCII.test(f) ? f.length : Buffer.byteLength(f)) + 1}:s${f}`;
    else if (typeof f === 'number') {
      const n = String(f);
      text += `${n.length + 1}:n${n}`;
    } else if (f === null) text += '1:z';
    else {
      // Not a type the row fields have; written as before this fast path (as text).
      const v = `s${f as unknown as string}`;
      text += `${Buffer.byteLength(v)}:${v}`;
    }
  }
  return hash('sha256', text, 'hex');
}

/**
 * The fields each kind of row's digest covers, in order, and the table they are read from: what
 * the evidence package's README states. The digest functions below write the same fields out
 * one by one (no lookup by name on the commit's path); a test checks the two agree.
 */
export const DIGESTED_FIELDS = {
  raw: {
    table: 'raw_records',
    order: 'id',
    fields: ['connector_id', 'seq_key', 'msgid', 'publickey_ver', 'record_sha256', 'captured_at'],
  },
  item: {
    table: 'items',
    order: 'key',
    fields: [
      'key',
      'connector_id',
      'raw_id',
      'msgid',
      'seq_key',
      'msgtype',
      'action',
      'conversation_id',
      'room_id',
      'from_id',
      'msg_time',
      'model_version',
      'model_json',
      'mime_sha256',
      'mime_size',
      'flags',
      'created_at',
    ],
  },
  entry: {
    table: 'mailbox_entries',
    order: 'id',
    fields: ['mailbox', 'folder', 'item_key', 'mime_sha256', 'msg_time', 'delivered_at', 'run_id'],
  },
} as const satisfies Record<'raw' | 'item' | 'entry', { table: string; order: string; fields: readonly string[] }>;

export type RawDigestFields = Pick<
  RawRecordTable,
  'connector_id' | 'seq_key' | 'msgid' | 'publickey_ver' | 'record_sha256' | 'captured_at'
>;

export function rawDigest(r: RawDigestFields): string {
  return digestOf([r.connector_id, r.seq_key, r.msgid, r.publickey_ver, r.record_sha256, r.captured_at]);
}

/** Every column of an item but its recall mark, which changes later. */
export type ItemDigestFields = Omit<ItemTable, 'recalled_by' | 'recalled_at'>;

/**
 * How an item's digest is computed; its event's detail names the version (`digestVersion`,
 * absent for 1), so an item logged by either is checked as it was logged.
 * - 1: the item's fields in order, the model JSON (`model_json`) among them as text.
 * - 2: the same fields, with the model JSON replaced by the lower-case hex SHA-256 of its UTF-8
 *   bytes (core/sha256.ts `modelSha256`), which the prepare threads compute where they make
 *   the JSON: the serial commit then hashes some 300 bytes of an item, not its whole model.
 */
export type ItemDigestVersion = 1 | 2;

/** The version new item events are logged with. */
export const ITEM_DIGEST_VERSION = 2;

/**
 * The digest of an item as version `version` computes it. For version 2, `modelHash` is the
 * model's SHA-256 when the caller has it (the pipeline carries it from the prepare thread);
 * without it, it is computed from `model_json` here (what verify does: from the row as it is).
 */
export function itemDigest(i: ItemDigestFields, version: ItemDigestVersion, modelHash?: string): string {
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
    version === 1 ? i.model_json : (modelHash ?? modelSha256(i.model_json)),
    i.mime_sha256,
    i.mime_size,
    i.flags,
    i.created_at,
  ]);
}

/**
 * The digest version an item event names in its detail: 1 when it names none (events logged
 * before version 2), undefined for a version this code does not know.
 */
export function itemDigestVersionOf(detail: Record<string, unknown>): ItemDigestVersion | undefined {
  const v = detail.digestVersion;
  return v === undefined ? 1 : v === 2 ? 2 : undefined;
}

/**
 * An item to log: the row as inserted and the SHA-256 of its model JSON (`modelSha256` of
 * `row.model_json`), computed where the model was made.
 */
export interface LoggedItem {
  row: ItemDigestFields;
  modelSha256: string;
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

export const itemEvent = ({ row: i, modelSha256: modelHash }: LoggedItem): IngestEventInput => ({
  kind: 'item',
  connectorId: i.connector_id,
  ref: i.key,
  digest: itemDigest(i, ITEM_DIGEST_VERSION, modelHash),
  detail: { digestVersion: ITEM_DIGEST_VERSION, msgid: i.msgid, seqKey: i.seq_key },
  // Keys in canonical (sorted) order.
  detailJson: `{"digestVersion":${ITEM_DIGEST_VERSION},"msgid":${JSON.stringify(i.msgid)},"seqKey":${JSON.stringify(i.seq_key)}}`,
});

export const entryEvent = (connectorId: string, e: EntryDigestFields): IngestEventInput => ({
  kind: 'entry',
  connectorId,
  ref: entryRef(e),
  digest: entryDigest(e),
});
