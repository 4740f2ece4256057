/**
 * Writes of the embedded search index (tables in migrations/006-search.ts): rows arrive
 * already tokenized by compliance/search, so this file knows SQL and nothing of languages.
 * Writes take the caller's transaction: the pipeline indexes an item in the transaction that
 * stores it, so what a run archived is searchable when the run returns, and a crash leaves
 * neither without the other.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Slots per millisecond in the time-ordered row id (msg_time * 1024 + n). */
export const SEARCH_ID_SLOTS = 1024;

/** One item as the index stores it. */
export interface SearchRowWrite {
  itemKey: string;
  connectorId: string;
  msgid: string;
  /** ms UTC */
  time: number;
  msgtype: string;
  fromId: string;
  fromName?: string;
  fromMailbox?: string;
  conversationId: string;
  conversationName?: string;
  conversationKind: 'single' | 'group';
  mailboxes: string[];
  /** participant id -> mapped mailbox, as known when indexed */
  addresses: [string, string][];
  recalled: boolean;
  hasAttachments: boolean;
  external: boolean;
  /** the text results quote their snippet from */
  body: string;
  /** the index tokens, space-separated */
  tokens: string;
  /** SHA-256 of tokens and facets: two indexes of the same items compare equal by it */
  docSha256: string;
  tokenizerVersion: number;
  unreadableAttachments: number;
  /** normalised values: from/to person ids, mailboxes, conversation id and name */
  facets: { field: 'from' | 'to' | 'mailbox' | 'conversation'; value: string }[];
  /** normalised alias -> person id (the id itself included) */
  aliases: { alias: string; personId: string }[];
}

type Tx = Kysely<Database>;

const CHUNK = 50;

function chunks<T>(rows: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** The row id of an item: its existing one, or the next free slot of its millisecond. */
async function rowIdFor(tx: Tx, itemKey: string, time: number, taken: Set<number>): Promise<number> {
  const existing = await tx.selectFrom('search_items').select('id').where('item_key', '=', itemKey).executeTakeFirst();
  if (existing) return Number(existing.id);
  const base = Math.max(0, Math.floor(time)) * SEARCH_ID_SLOTS;
  const top = await tx
    .selectFrom('search_items')
    .select((eb) => eb.fn.max('id').as('id'))
    .where('id', '>=', base)
    .where('id', '<', base + SEARCH_ID_SLOTS)
    .executeTakeFirst();
  let id = top?.id === null || top?.id === undefined ? base : Number(top.id) + 1;
  // More than 1024 items in one millisecond spill into the next slots: order stays by time
  // to the millisecond, which is all a message's time carries.
  while (taken.has(id)) id++;
  taken.add(id);
  return id;
}

/** Indexes (or re-indexes in place) items; an item keeps its row id across re-indexing. */
export async function writeSearchRows(tx: Tx, rows: readonly SearchRowWrite[], now: number): Promise<void> {
  if (rows.length === 0) return;
  const taken = new Set<number>();
  const ids: number[] = [];
  for (const r of rows) ids.push(await rowIdFor(tx, r.itemKey, r.time, taken));
  await deleteRowIds(tx, ids);
  const items = rows.map((r, i) => ({
    id: ids[i]!,
    item_key: r.itemKey,
    connector_id: r.connectorId,
    msgid: r.msgid,
    msg_time: r.time,
    msgtype: r.msgtype,
    from_id: r.fromId,
    from_name: r.fromName ?? null,
    from_mailbox: r.fromMailbox ?? null,
    conversation_id: r.conversationId,
    conversation_name: r.conversationName ?? null,
    conversation_kind: r.conversationKind,
    mailboxes_json: JSON.stringify(r.mailboxes),
    addresses_json: JSON.stringify(r.addresses),
    recalled: r.recalled ? 1 : 0,
    has_attachments: r.hasAttachments ? 1 : 0,
    external: r.external ? 1 : 0,
    body: r.body,
    doc_sha256: r.docSha256,
    tokenizer_version: r.tokenizerVersion,
    unreadable_attachments: r.unreadableAttachments,
    indexed_at: now,
  }));
  for (const part of chunks(items)) await tx.insertInto('search_items').values(part).execute();
  for (const part of chunks(rows.map((r, i) => [ids[i]!, r.tokens] as const))) {
    const values = sql.join(part.map(([id, tokens]) => sql`(${id}, ${tokens})`));
    await sql`INSERT INTO search_fts (rowid, tokens) VALUES ${values}`.execute(tx);
  }
  const facets = rows.flatMap((r, i) =>
    dedupe(r.facets).map((f) => ({ field: f.field, value: f.value, row_id: ids[i]! })),
  );
  for (const part of chunks(facets, 300)) await tx.insertInto('search_facets').values(part).execute();
  const aliases = new Map<string, { alias: string; person_id: string }>();
  for (const r of rows)
    for (const a of r.aliases) aliases.set(`${a.alias}\u0000${a.personId}`, { alias: a.alias, person_id: a.personId });
  for (const part of chunks([...aliases.values()], 300)) {
    await tx
      .insertInto('search_aliases')
      .values(part)
      .onConflict((oc) => oc.columns(['alias', 'person_id']).doNothing())
      .execute();
  }
}

function dedupe<T extends { field: string; value: string }>(facets: readonly T[]): T[] {
  const seen = new Set<string>();
  return facets.filter((f) => {
    const k = `${f.field}\u0000${f.value}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

async function deleteRowIds(tx: Tx, ids: readonly number[]): Promise<void> {
  for (const part of chunks(ids, 200)) {
    const list = sql.join(part.map((id) => sql`${id}`));
    await sql`DELETE FROM search_fts WHERE rowid IN (${list})`.execute(tx);
    await tx.deleteFrom('search_facets').where('row_id', 'in', part).execute();
    await tx.deleteFrom('search_items').where('id', 'in', part).execute();
  }
}

/** Removes items from the index (an item deleted from the archive); unknown keys are ignored. */
export async function removeSearchRows(tx: Tx, itemKeys: readonly string[]): Promise<number> {
  let removed = 0;
  for (const part of chunks(itemKeys, 200)) {
    const rows = await tx.selectFrom('search_items').select('id').where('item_key', 'in', part).execute();
    await deleteRowIds(
      tx,
      rows.map((r) => Number(r.id)),
    );
    removed += rows.length;
  }
  return removed;
}

/** Marks an indexed item as recalled (is:recalled), in the transaction that records the recall. */
export async function markSearchRecalled(tx: Tx, connectorId: string, msgid: string): Promise<void> {
  await tx
    .updateTable('search_items')
    .set({ recalled: 1 })
    .where('connector_id', '=', connectorId)
    .where('msgid', '=', msgid)
    .execute();
}

/** What `status` and `reindex` report about the index. */
export interface SearchIndexStats {
  indexed: number;
  items: number;
  stale: number;
  unreadableAttachments: number;
}

export async function searchIndexStats(db: Tx, tokenizerVersion: number): Promise<SearchIndexStats> {
  const s = await db
    .selectFrom('search_items')
    .select((eb) => [
      eb.fn.countAll<number>().as('indexed'),
      eb.fn.sum<number>(eb.case().when('tokenizer_version', '<>', tokenizerVersion).then(1).else(0).end()).as('stale'),
      eb.fn.sum<number>('unreadable_attachments').as('unreadable'),
    ])
    .executeTakeFirstOrThrow();
  const items = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    indexed: Number(s.indexed),
    items: Number(items.n),
    stale: Number(s.stale ?? 0),
    unreadableAttachments: Number(s.unreadable ?? 0),
  };
}
