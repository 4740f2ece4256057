/** Read-side queries for the CLI and the console: mailboxes, items, holds, status. */
import { sql } from 'kysely';
import { dialectOf, type Db } from './db.js';

export interface MailboxSummary {
  address: string;
  displayName: string;
  folder: string;
  items: number;
  newest: number | null;
}

export async function listMailboxes(db: Db): Promise<MailboxSummary[]> {
  const rows = await db
    .selectFrom('mailboxes as m')
    .leftJoin('mailbox_entries as e', 'e.mailbox', 'm.address')
    .select((eb) => [
      'm.address',
      'm.display_name',
      'e.folder',
      eb.fn.count<number>('e.id').as('items'),
      eb.fn.max('e.msg_time').as('newest'),
    ])
    .groupBy(['m.address', 'm.display_name', 'e.folder'])
    .orderBy('m.address')
    .execute();
  return rows.map((r) => ({
    address: r.address,
    displayName: r.display_name,
    folder: r.folder ?? '',
    items: Number(r.items),
    newest: r.newest === null ? null : Number(r.newest),
  }));
}

export interface EntrySummary {
  itemKey: string;
  msgid: string;
  msgtype: string;
  action: string;
  from: string;
  conversationId: string;
  msgTime: number;
  mimeSha256: string;
  mimeSize: number;
  recalled: boolean;
}

export async function listEntries(
  db: Db,
  mailbox: string,
  folder: string,
  opts: { limit: number; beforeTime?: number },
): Promise<EntrySummary[]> {
  let q = db
    .selectFrom('mailbox_entries as e')
    .innerJoin('items as i', 'i.key', 'e.item_key')
    .select([
      'i.key',
      'i.msgid',
      'i.msgtype',
      'i.action',
      'i.from_id',
      'i.conversation_id',
      'i.msg_time',
      'i.mime_sha256',
      'i.mime_size',
      'i.recalled_by',
    ])
    .where('e.mailbox', '=', mailbox.toLowerCase())
    .where('e.folder', '=', folder);
  if (opts.beforeTime !== undefined) q = q.where('e.msg_time', '<', opts.beforeTime);
  const rows = await q.orderBy('e.msg_time', 'desc').orderBy('e.id', 'desc').limit(opts.limit).execute();
  return rows.map((r) => ({
    itemKey: r.key,
    msgid: r.msgid,
    msgtype: r.msgtype,
    action: r.action,
    from: r.from_id,
    conversationId: r.conversation_id,
    msgTime: Number(r.msg_time),
    mimeSha256: r.mime_sha256,
    mimeSize: Number(r.mime_size),
    recalled: r.recalled_by !== null,
  }));
}

export async function countEntries(db: Db, mailbox: string, folder: string): Promise<number> {
  const row = await db
    .selectFrom('mailbox_entries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('mailbox', '=', mailbox.toLowerCase())
    .where('folder', '=', folder)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface ItemDetail {
  key: string;
  connectorId: string;
  msgid: string;
  seq: string;
  msgtype: string;
  action: string;
  msgTime: number;
  mimeSha256: string;
  mimeSize: number;
  flags: string[];
  recalledBy: string | null;
  recalledAt: number | null;
  mailboxes: string[];
  model: unknown;
}

export async function findItemsByMsgid(db: Db, msgid: string): Promise<ItemDetail[]> {
  const rows = await db.selectFrom('items').selectAll().where('msgid', '=', msgid).execute();
  const out: ItemDetail[] = [];
  for (const r of rows) {
    const boxes = await db
      .selectFrom('mailbox_entries')
      .select('mailbox')
      .where('item_key', '=', r.key)
      .orderBy('mailbox')
      .execute();
    out.push({
      key: r.key,
      connectorId: r.connector_id,
      msgid: r.msgid,
      seq: r.seq_key.replace(/^0+(?=\d)/, ''),
      msgtype: r.msgtype,
      action: r.action,
      msgTime: Number(r.msg_time),
      mimeSha256: r.mime_sha256,
      mimeSize: Number(r.mime_size),
      flags: r.flags ? r.flags.split(',') : [],
      recalledBy: r.recalled_by,
      recalledAt: r.recalled_at === null ? null : Number(r.recalled_at),
      mailboxes: boxes.map((b) => b.mailbox),
      model: JSON.parse(r.model_json),
    });
  }
  return out;
}

export interface HoldSummary {
  reason: string;
  /** records held for this reason (the record reached no mailbox): the `held` counter */
  records: number;
  /** records archived for some participants while this hold (unmapped) concerns others */
  archivedPartly: number;
  /** records put back to be processed whose hold stays open until they are */
  waiting: number;
  /** deliveries a destination refused (holds of a delivery, not of a record) */
  deliveries: number;
  participants: number;
}

/**
 * Open holds by connector and reason: records held, archived records the hold still concerns,
 * records waiting to be processed again, refused deliveries, and the participants concerned.
 * A held record has exactly one open hold, so `records` equals the held counter of counters.ts.
 */
export async function holdSummaries(db: Db, connectorId?: string): Promise<(HoldSummary & { connectorId: string })[]> {
  const rows = await sql<{
    connector_id: string;
    reason: string;
    held: number;
    partly: number;
    waiting: number;
    deliveries: number;
    participants: number;
  }>`
    SELECT h.connector_id, h.reason,
      count(DISTINCT CASE WHEN r.status = 'held' THEN h.raw_id END) AS held,
      count(DISTINCT CASE WHEN r.status IN ('done', 'duplicate') THEN h.raw_id END) AS partly,
      count(DISTINCT CASE WHEN r.status IN ('pending', 'failed') THEN h.raw_id END) AS waiting,
      sum(CASE WHEN h.raw_id IS NULL THEN 1 ELSE 0 END) AS deliveries,
      count(DISTINCT h.participant) AS participants
    FROM holds h LEFT JOIN raw_records r ON r.id = h.raw_id
    WHERE h.released_at IS NULL AND (CAST(${connectorId ?? null} AS TEXT) IS NULL OR h.connector_id = ${connectorId ?? null})
    GROUP BY h.connector_id, h.reason ORDER BY h.connector_id, h.reason`.execute(db);
  // Unmapped holds list their participants (one hold per record): count those lists' members.
  const unmapped = await sql<{ connector_id: string; n: number }>`
    SELECT h.connector_id, count(DISTINCT j.value) AS n FROM holds h
      JOIN ${dialectOf(db).jsonStrings(sql.ref('h.participants'), 'j')} ON 1 = 1
    WHERE h.reason = 'unmapped' AND h.released_at IS NULL AND h.participants IS NOT NULL
      AND (CAST(${connectorId ?? null} AS TEXT) IS NULL OR h.connector_id = ${connectorId ?? null})
    GROUP BY h.connector_id`.execute(db);
  const people = new Map(unmapped.rows.map((u) => [u.connector_id, Number(u.n)]));
  return rows.rows.map((r) => ({
    connectorId: r.connector_id,
    reason: r.reason,
    records: Number(r.held),
    archivedPartly: Number(r.partly),
    waiting: Number(r.waiting),
    deliveries: Number(r.deliveries ?? 0),
    participants: r.reason === 'unmapped' ? (people.get(r.connector_id) ?? 0) : Number(r.participants),
  }));
}

/** Open holds of one connector (or all, merged per reason) grouped by reason. */
export async function summarizeHolds(db: Db, connectorId?: string): Promise<HoldSummary[]> {
  const by = new Map<string, HoldSummary>();
  for (const { connectorId: _c, ...h } of await holdSummaries(db, connectorId)) {
    void _c;
    const g = by.get(h.reason);
    if (!g) by.set(h.reason, h);
    else for (const k of ['records', 'archivedPartly', 'waiting', 'deliveries', 'participants'] as const) g[k] += h[k];
  }
  return [...by.values()];
}

export interface UnmappedPerson {
  participant: string;
  items: number;
}

export async function listUnmapped(db: Db, connectorId?: string, limit = 100): Promise<UnmappedPerson[]> {
  const rows = await sql<{ participant: string; items: number }>`
    SELECT j.value AS participant, count(*) AS items FROM holds h
      JOIN ${dialectOf(db).jsonStrings(sql.ref('h.participants'), 'j')} ON 1 = 1
    WHERE h.reason = 'unmapped' AND h.released_at IS NULL AND h.participants IS NOT NULL
      AND (CAST(${connectorId ?? null} AS TEXT) IS NULL OR h.connector_id = ${connectorId ?? null})
    GROUP BY j.value ORDER BY items DESC, participant LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({ participant: r.participant, items: Number(r.items) }));
}

export async function countItems(db: Db): Promise<{ items: number; entries: number; mailboxes: number }> {
  const [i, e, m] = await Promise.all([
    db
      .selectFrom('items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('mailbox_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('mailboxes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: Number(i.n), entries: Number(e.n), mailboxes: Number(m.n) };
}

/** The canonical model of an archived item by msgid (used to name a recalled message). */
export async function findItemModel(db: Db, connectorId: string, msgid: string): Promise<unknown> {
  const row = await db
    .selectFrom('items')
    .select('model_json')
    .where('connector_id', '=', connectorId)
    .where('msgid', '=', msgid)
    .executeTakeFirst();
  return row ? JSON.parse(row.model_json) : undefined;
}
