/**
 * The console's mailbox reads: pages of mailboxes and of one mailbox's entries, newest first,
 * and one entry with the item it holds. Every page is a keyset page over an index (mailboxes by
 * address; entries by mailbox_entries_browse = (mailbox, folder, msg_time) plus the row id), so
 * a page costs the same at the millionth item as at the first; no query counts a whole table.
 */
import type { Person, PersonKind } from '../core/model.js';
import type { Db } from './db.js';
import { ARCHIVE_FOLDER } from './process.js';

/** A mailbox with the size and newest message time of its archive folder. */
export interface MailboxStats {
  address: string;
  displayName: string;
  items: number;
  newest: number | null;
}

/** Position of an entry in a mailbox's newest-first order: its message time, then its row id. */
export interface EntryPosition {
  msgTime: number;
  id: number;
}

/** One entry of a mailbox with what the item list needs of its item. */
export interface MailboxEntryRow {
  entryId: number;
  itemKey: string;
  connectorId: string;
  msgtype: string;
  msgTime: number;
  /** bytes of the message this mailbox holds */
  size: number;
  recalled: boolean;
  /** the canonical model the item was rendered from (JSON of a ChatMessage) */
  modelJson: string;
}

/** An item as one mailbox holds it: the message stored for that mailbox. */
export interface MailboxItem {
  mailbox: string;
  itemKey: string;
  connectorId: string;
  msgtype: string;
  msgTime: number;
  /** the per-mailbox message (mailbox_entries.mime_sha256) */
  mimeSha256: string;
}

/** The exclusive upper bound of the strings that start with `prefix` (its last character + 1). */
function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/**
 * Mailboxes with `items` and `newest` of their archive folder: correlated sub-queries answered
 * from mailbox_entries_browse for each selected mailbox only.
 */
function mailboxesWithStats(db: Db) {
  return db.selectFrom('mailboxes as m').select((eb) => [
    'm.address',
    'm.display_name',
    eb
      .selectFrom('mailbox_entries as e')
      .select((s) => s.fn.countAll<number>().as('n'))
      .whereRef('e.mailbox', '=', 'm.address')
      .where('e.folder', '=', ARCHIVE_FOLDER)
      .as('items'),
    eb
      .selectFrom('mailbox_entries as e')
      .select('e.msg_time')
      .whereRef('e.mailbox', '=', 'm.address')
      .where('e.folder', '=', ARCHIVE_FOLDER)
      .orderBy('e.msg_time', 'desc')
      .limit(1)
      .as('newest'),
  ]);
}

function toStats(r: {
  address: string;
  display_name: string;
  items: number | null;
  newest: number | null;
}): MailboxStats {
  return {
    address: r.address,
    displayName: r.display_name,
    items: Number(r.items ?? 0),
    newest: r.newest === null ? null : Number(r.newest),
  };
}

/**
 * A page of mailboxes ordered by address, after `after`, whose address starts with `prefix`.
 * Addresses are stored lower-cased, so lower-casing the prefix makes it case-insensitive and
 * keeps it a range on the primary key (LIKE would not use the index in every database).
 */
export async function listMailboxPage(
  db: Db,
  opts: { prefix?: string; after?: string; limit: number },
): Promise<{ mailboxes: MailboxStats[]; next: string | null }> {
  let q = mailboxesWithStats(db);
  const prefix = opts.prefix?.toLowerCase();
  if (prefix) q = q.where('m.address', '>=', prefix).where('m.address', '<', prefixEnd(prefix));
  if (opts.after !== undefined) q = q.where('m.address', '>', opts.after.toLowerCase());
  const rows = await q
    .orderBy('m.address')
    .limit(opts.limit + 1)
    .execute();
  const page = rows.slice(0, opts.limit).map(toStats);
  const next = rows.length > opts.limit ? (page[page.length - 1]?.address ?? null) : null;
  return { mailboxes: page, next };
}

/** One mailbox with its counts, or undefined when no item was ever archived for it. */
export async function getMailboxStats(db: Db, address: string): Promise<MailboxStats | undefined> {
  const row = await mailboxesWithStats(db).where('m.address', '=', address.toLowerCase()).executeTakeFirst();
  return row ? toStats(row) : undefined;
}

/**
 * A page of a mailbox's entries, newest first, strictly before `before` in (msg_time, id)
 * order. `msg_time <= t` bounds the index range; the OR only filters the rows of time `t`.
 */
export async function listMailboxEntries(
  db: Db,
  address: string,
  opts: { before?: EntryPosition; limit: number },
): Promise<{ rows: MailboxEntryRow[]; next: EntryPosition | null }> {
  let q = db
    .selectFrom('mailbox_entries as e')
    .innerJoin('items as i', 'i.key', 'e.item_key')
    .leftJoin('blobs as b', 'b.sha256', 'e.mime_sha256')
    .select([
      'e.id',
      'e.item_key',
      'e.msg_time',
      'i.connector_id',
      'i.msgtype',
      'i.mime_size',
      'i.recalled_by',
      'i.model_json',
      'b.size',
    ])
    .where('e.mailbox', '=', address.toLowerCase())
    .where('e.folder', '=', ARCHIVE_FOLDER);
  const before = opts.before;
  if (before) {
    q = q
      .where('e.msg_time', '<=', before.msgTime)
      .where((eb) => eb.or([eb('e.msg_time', '<', before.msgTime), eb('e.id', '<', before.id)]));
  }
  const found = await q
    .orderBy('e.msg_time', 'desc')
    .orderBy('e.id', 'desc')
    .limit(opts.limit + 1)
    .execute();
  const rows = found.slice(0, opts.limit).map((r): MailboxEntryRow => ({
    entryId: Number(r.id),
    itemKey: r.item_key,
    connectorId: r.connector_id,
    msgtype: r.msgtype,
    msgTime: Number(r.msg_time),
    size: Number(r.size ?? r.mime_size),
    recalled: r.recalled_by !== null,
    modelJson: r.model_json,
  }));
  const last = rows[rows.length - 1];
  const next = found.length > opts.limit && last ? { msgTime: last.msgTime, id: last.entryId } : null;
  return { rows, next };
}

/** The item `itemKey` as mailbox `address` holds it; undefined when that mailbox does not hold it. */
export async function findMailboxItem(db: Db, address: string, itemKey: string): Promise<MailboxItem | undefined> {
  const r = await db
    .selectFrom('mailbox_entries as e')
    .innerJoin('items as i', 'i.key', 'e.item_key')
    .select(['e.mailbox', 'e.item_key', 'e.mime_sha256', 'e.msg_time', 'i.connector_id', 'i.msgtype'])
    .where('e.mailbox', '=', address.toLowerCase())
    .where('e.folder', '=', ARCHIVE_FOLDER)
    .where('e.item_key', '=', itemKey)
    .executeTakeFirst();
  if (!r) return undefined;
  return {
    mailbox: r.mailbox,
    itemKey: r.item_key,
    connectorId: r.connector_id,
    msgtype: r.msgtype,
    msgTime: Number(r.msg_time),
    mimeSha256: r.mime_sha256,
  };
}

/** Directory entries of the given ids of a connector (the rest are unknown to the directory). */
export async function findPeople(db: Db, connectorId: string, ids: readonly string[]): Promise<Person[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('people')
    .selectAll()
    .where('connector_id', '=', connectorId)
    .where('id', 'in', [...ids])
    .execute();
  return rows.map((p) => ({
    id: p.id,
    kind: p.kind as PersonKind,
    ...(p.name !== null && { name: p.name }),
    ...(p.mobile !== null && { mobile: p.mobile }),
    ...(p.email !== null && { email: p.email }),
    ...(p.corp_name !== null && { corpName: p.corp_name }),
  }));
}

/** Names of the given group chats of a connector, by room id. */
export async function findRoomNames(db: Db, connectorId: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('rooms')
    .select(['id', 'name'])
    .where('connector_id', '=', connectorId)
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
