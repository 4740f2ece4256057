/**
 * The conversation view's reads: the items of one chat (connector + conversation id) in time
 * order, paged both ways from a position with keyset cursors on (msg_time, key), so the
 * thousandth page of a busy group costs what the first does (index items_conversation).
 * A reader limited to some mailboxes sees only the items one of them holds.
 */
import type { Db } from './db.js';
import { ARCHIVE_FOLDER } from './process.js';

/** A place in a conversation's time order: message time, then item key (ties are common). */
export interface ConversationPosition {
  msgTime: number;
  key: string;
}

export interface ConversationItemRow {
  itemKey: string;
  connectorId: string;
  conversationId: string;
  msgTime: number;
  modelJson: string;
  recalledAt: number | null;
}

/** The mailboxes a reader may see; undefined: every mailbox. */
export type MailboxScope = readonly string[] | undefined;

function baseQuery(db: Db, connectorId: string, conversationId: string, scope: MailboxScope) {
  let q = db
    .selectFrom('items as i')
    .select(['i.key', 'i.connector_id', 'i.conversation_id', 'i.msg_time', 'i.model_json', 'i.recalled_at'])
    .where('i.conversation_id', '=', conversationId)
    .where('i.connector_id', '=', connectorId);
  if (scope) {
    const mailboxes = scope.map((m) => m.toLowerCase());
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('mailbox_entries as e')
          .select('e.id')
          .whereRef('e.item_key', '=', 'i.key')
          .where('e.folder', '=', ARCHIVE_FOLDER)
          .where('e.mailbox', 'in', mailboxes.length ? mailboxes : ['']),
      ),
    );
  }
  return q;
}

type Row = {
  key: string;
  connector_id: string;
  conversation_id: string;
  msg_time: number;
  model_json: string;
  recalled_at: number | null;
};

function toRow(r: Row): ConversationItemRow {
  return {
    itemKey: r.key,
    connectorId: r.connector_id,
    conversationId: r.conversation_id,
    msgTime: Number(r.msg_time),
    modelJson: r.model_json,
    recalledAt: r.recalled_at === null ? null : Number(r.recalled_at),
  };
}

/**
 * Up to `limit` items strictly older than `before` (or the newest when absent), returned oldest
 * first, and whether more exist beyond them. `msg_time <= t` bounds the index range; the OR
 * only filters the rows of time `t`.
 */
export async function listConversationBefore(
  db: Db,
  conversation: { connectorId: string; conversationId: string },
  opts: { before?: ConversationPosition; inclusive?: boolean; limit: number; scope?: MailboxScope },
): Promise<{ rows: ConversationItemRow[]; more: boolean }> {
  let q = baseQuery(db, conversation.connectorId, conversation.conversationId, opts.scope);
  const b = opts.before;
  if (b) {
    q = q
      .where('i.msg_time', '<=', b.msgTime)
      .where((eb) => eb.or([eb('i.msg_time', '<', b.msgTime), eb('i.key', opts.inclusive ? '<=' : '<', b.key)]));
  }
  const found = await q
    .orderBy('i.msg_time', 'desc')
    .orderBy('i.key', 'desc')
    .limit(opts.limit + 1)
    .execute();
  return { rows: found.slice(0, opts.limit).map(toRow).reverse(), more: found.length > opts.limit };
}

/** Up to `limit` items strictly newer than `after`, oldest first, and whether more exist. */
export async function listConversationAfter(
  db: Db,
  conversation: { connectorId: string; conversationId: string },
  opts: { after: ConversationPosition; limit: number; scope?: MailboxScope },
): Promise<{ rows: ConversationItemRow[]; more: boolean }> {
  const a = opts.after;
  const found = await baseQuery(db, conversation.connectorId, conversation.conversationId, opts.scope)
    .where('i.msg_time', '>=', a.msgTime)
    .where((eb) => eb.or([eb('i.msg_time', '>', a.msgTime), eb('i.key', '>', a.key)]))
    .orderBy('i.msg_time', 'asc')
    .orderBy('i.key', 'asc')
    .limit(opts.limit + 1)
    .execute();
  return { rows: found.slice(0, opts.limit).map(toRow), more: found.length > opts.limit };
}

/** Where an item sits: its chat and position; undefined when no item has this key or it is out of scope. */
export async function findConversationOf(
  db: Db,
  itemKey: string,
  scope?: MailboxScope,
): Promise<{ connectorId: string; conversationId: string; position: ConversationPosition } | undefined> {
  const r = await db
    .selectFrom('items')
    .select(['key', 'connector_id', 'conversation_id', 'msg_time'])
    .where('key', '=', itemKey)
    .executeTakeFirst();
  if (!r) return undefined;
  if (scope && (await mailboxesHolding(db, [itemKey], scope)).size === 0) return undefined;
  return {
    connectorId: r.connector_id,
    conversationId: r.conversation_id,
    position: { msgTime: Number(r.msg_time), key: r.key },
  };
}

/** For each item, the mailboxes (within scope) that hold it in their archive folder, sorted. */
export async function mailboxesHolding(
  db: Db,
  itemKeys: readonly string[],
  scope?: MailboxScope,
): Promise<Map<string, string[]>> {
  if (itemKeys.length === 0) return new Map();
  let q = db
    .selectFrom('mailbox_entries')
    .select(['item_key', 'mailbox'])
    .where('item_key', 'in', [...itemKeys])
    .where('folder', '=', ARCHIVE_FOLDER);
  if (scope) q = q.where('mailbox', 'in', scope.length ? scope.map((m) => m.toLowerCase()) : ['']);
  const out = new Map<string, string[]>();
  for (const r of await q.orderBy('mailbox').execute()) {
    const list = out.get(r.item_key) ?? [];
    list.push(r.mailbox);
    out.set(r.item_key, list);
  }
  return out;
}

/** Which of the given media (by sdkfileid) of a connector are stored, with their sizes. */
export async function storedMediaSizes(
  db: Db,
  connectorId: string,
  sdkfileids: readonly string[],
): Promise<Map<string, number>> {
  if (sdkfileids.length === 0) return new Map();
  const rows = await db
    .selectFrom('media')
    .select(['sdkfileid', 'size'])
    .where('connector_id', '=', connectorId)
    .where('sdkfileid', 'in', [...new Set(sdkfileids)])
    .where('sha256', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.sdkfileid, Number(r.size ?? 0)]));
}
