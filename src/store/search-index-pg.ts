/**
 * Writes of the search index on PostgreSQL: the same rows, row ids, facets and aliases as the
 * SQLite writes in search-index.ts, with the tokens as a tsvector (search-pg-tokens.ts). Each
 * step is one statement per batch (arrays through `unnest`), not one per item: over a network
 * every statement is a round trip.
 *
 * Several worker processes index at once, so writers take one transaction-level advisory lock
 * (SEARCH_INDEX_LOCK) before their first index statement and keep it to commit. Without it, two
 * writers each holding rows the other's next insert conflicts with wait on each other, and
 * PostgreSQL aborts one of them as a deadlock (seen with four writers in one millisecond). The
 * pipeline already holds the ingest log's lock when it indexes, and deletion the ingest head's
 * row, so the order is always chain first, then index: no cycle. Row ids are chosen as on SQLite
 * (the next free slot of the item's millisecond) from what this transaction sees; under the lock
 * that is every committed row, and the insert still skips a conflicting row (ON CONFLICT DO
 * NOTHING) and places it again, in case a transaction indexes without the lock's snapshot.
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect/index.js';
import type { Database } from './schema.js';
import { pgTokenRow } from './search-pg-tokens.js';
import { SEARCH_ID_SLOTS, type SearchRowWrite } from './search-index-rows.js';

type Q = Kysely<Database>;

/** Rows per INSERT: 22 columns stay well under PostgreSQL's 65,535 bound parameters. */
const CHUNK = 1000;
/** Rounds of placing rows that lost a race for their id; each round a concurrent writer committed. */
const MAX_ROUNDS = 20;
/** The advisory lock that orders writers of the search index (see the header). */
const SEARCH_INDEX_LOCK = 'search_index';

function chunks<T>(list: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

/**
 * Deletes index rows by id; returns the ids it deleted. The item row goes first and holds the id
 * until commit: only the writer that deleted (or inserted) an item row touches that id's tokens
 * and facets. A row another writer replaced meanwhile is not among the deleted (this statement
 * does not see the new version), so its tokens stay, and the insert that follows skips the id.
 */
async function deleteRows(tx: Q, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const gone = (
    await sql<{ id: number }>`DELETE FROM search_items WHERE id = ANY(${ids}::bigint[]) RETURNING id`.execute(tx)
  ).rows.map((r) => Number(r.id));
  if (gone.length === 0) return gone;
  await sql`DELETE FROM search_fts WHERE id = ANY(${gone}::bigint[])`.execute(tx);
  await sql`DELETE FROM search_facet_rows WHERE row_id = ANY(${gone}::bigint[])`.execute(tx);
  return gone;
}

/** The highest row id in each millisecond's slots, for the given slot bases. */
async function topIds(tx: Q, bases: number[]): Promise<Map<number, number>> {
  const r = await sql<{ base: number; top: number | null }>`SELECT b AS base,
      (SELECT max(id) FROM search_items WHERE id >= b AND id < b + ${SEARCH_ID_SLOTS}) AS top
    FROM unnest(${bases}::bigint[]) AS b`.execute(tx);
  return new Map(r.rows.filter((x) => x.top !== null).map((x) => [Number(x.base), Number(x.top)]));
}

/**
 * Ids for new rows, as search-index.ts rowIdFor gives them one after another: the slot after the
 * highest of the millisecond, or the millisecond's first; past its last slot, the next id free.
 */
async function assignIds(tx: Q, times: number[]): Promise<number[]> {
  const baseOf = (t: number) => Math.max(0, Math.floor(t)) * SEARCH_ID_SLOTS;
  const tops = await topIds(tx, [...new Set(times.map(baseOf))]);
  const taken = new Set<number>();
  const out: number[] = [];
  for (const t of times) {
    const base = baseOf(t);
    const top = tops.get(base);
    let id = top === undefined ? base : top + 1;
    if (id >= base + SEARCH_ID_SLOTS)
      for (;;) {
        const used =
          taken.has(id) || (await sql`SELECT 1 FROM search_items WHERE id = ${id}`.execute(tx)).rows.length > 0;
        if (!used) break;
        id++;
      }
    taken.add(id);
    // Within the slots the next row goes after this one; a spilled id does not move the top.
    if (id < base + SEARCH_ID_SLOTS) tops.set(base, id);
    out.push(id);
  }
  return out;
}

/** Facet value ids by `${field}\0${value}`, adding the values that are new. */
async function facetIds(tx: Q, rows: readonly SearchRowWrite[]): Promise<Map<string, number>> {
  const pairs = new Map<string, [string, string]>();
  for (const r of rows) for (const f of r.facets) pairs.set(`${f.field}\u0000${f.value}`, [f.field, f.value]);
  const out = new Map<string, number>();
  for (const part of chunks([...pairs.values()], 5000)) {
    const fields = part.map((p) => p[0]);
    const values = part.map((p) => p[1]);
    await sql`INSERT INTO search_facet_values (field, value)
      SELECT * FROM unnest(${fields}::text[], ${values}::text[]) ORDER BY 1, 2
      ON CONFLICT (field, value) DO NOTHING`.execute(tx);
    const found = await sql<{ id: number; field: string; value: string }>`SELECT v.id, v.field, v.value
      FROM search_facet_values v JOIN unnest(${fields}::text[], ${values}::text[]) AS p(field, value)
        ON v.field = p.field AND v.value = p.value`.execute(tx);
    for (const f of found.rows) out.set(`${f.field}\u0000${f.value}`, Number(f.id));
  }
  return out;
}

async function insertTokensAndFacets(tx: Q, placed: { id: number; row: SearchRowWrite }[]): Promise<void> {
  const ids = await facetIds(
    tx,
    placed.map((p) => p.row),
  );
  for (const part of chunks(placed)) {
    const tokens = part.map((p) => pgTokenRow(p.row.tokens));
    await sql`INSERT INTO search_fts (id, tokens, overflow)
      SELECT * FROM unnest(${part.map((p) => p.id)}::bigint[], ${tokens.map((t) => t.vector)}::tsvector[],
        ${tokens.map((t) => t.overflow)}::text[])`.execute(tx);
    const facetId: number[] = [];
    const rowId: number[] = [];
    for (const p of part)
      for (const f of p.row.facets) {
        facetId.push(ids.get(`${f.field}\u0000${f.value}`)!);
        rowId.push(p.id);
      }
    // Arrays are one parameter each: a batch's facets go in one statement however many they are.
    await sql`INSERT INTO search_facet_rows (facet_id, row_id)
      SELECT * FROM unnest(${facetId}::bigint[], ${rowId}::bigint[]) ON CONFLICT DO NOTHING`.execute(tx);
  }
}

async function insertAliases(tx: Q, rows: readonly SearchRowWrite[]): Promise<void> {
  const pairs = new Map<string, [string, string]>();
  for (const r of rows) for (const a of r.aliases) pairs.set(`${a.alias}\u0000${a.personId}`, [a.alias, a.personId]);
  for (const part of chunks([...pairs.values()], 5000))
    await sql`INSERT INTO search_aliases (alias, person_id)
      SELECT * FROM unnest(${part.map((p) => p[0])}::text[], ${part.map((p) => p[1])}::text[]) ORDER BY 1, 2
      ON CONFLICT DO NOTHING`.execute(tx);
}

/** One round: replaces or places `rows`; returns those that lost a race and must be placed again. */
async function placeRound(tx: Q, rows: SearchRowWrite[], now: number): Promise<SearchRowWrite[]> {
  const existing = new Map<string, { id: number; recalled: boolean }>();
  for (const part of chunks(rows.map((r) => r.itemKey))) {
    const found = await tx
      .selectFrom('search_items')
      .select(['id', 'item_key', 'recalled'])
      .where('item_key', 'in', part)
      .execute();
    for (const f of found) existing.set(f.item_key, { id: Number(f.id), recalled: Number(f.recalled) === 1 });
  }
  await deleteRows(
    tx,
    [...existing.values()].map((e) => e.id),
  );
  const fresh = rows.filter((r) => !existing.has(r.itemKey));
  const newIds = await assignIds(
    tx,
    fresh.map((r) => r.time),
  );
  const idOf = new Map(fresh.map((r, i) => [r.itemKey, newIds[i]!]));
  const placed: { id: number; row: SearchRowWrite }[] = [];
  const lost: SearchRowWrite[] = [];
  for (const part of chunks(rows)) {
    const values = part.map((r) => {
      const old = existing.get(r.itemKey);
      return {
        id: old?.id ?? idOf.get(r.itemKey)!,
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
        // A recall is for good (see search-index.ts).
        recalled: r.recalled || old?.recalled ? 1 : 0,
        has_attachments: r.hasAttachments ? 1 : 0,
        external: r.external ? 1 : 0,
        body: r.body,
        doc_sha256: r.docSha256,
        tokenizer_version: r.tokenizerVersion,
        unreadable_attachments: r.unreadableAttachments,
        indexed_at: now,
      };
    });
    const done = await tx
      .insertInto('search_items')
      .values(values)
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'item_key'])
      .execute();
    const ok = new Map(done.map((d) => [d.item_key, Number(d.id)]));
    for (const r of part) {
      const id = ok.get(r.itemKey);
      if (id === undefined) lost.push(r);
      else placed.push({ id, row: r });
    }
  }
  await insertTokensAndFacets(tx, placed);
  return lost;
}

/** writeSearchRows on PostgreSQL, in the caller's transaction `tx`. */
export async function writeSearchRowsPg(tx: Q, rows: readonly SearchRowWrite[], now: number): Promise<void> {
  if (rows.length === 0) return;
  // An item twice in one batch is indexed as its last version, keeping a recall either one had.
  const byKey = new Map<string, SearchRowWrite>();
  for (const r of rows) {
    const prev = byKey.get(r.itemKey);
    // The first occurrence's place in the batch decides its id, as on SQLite.
    byKey.set(r.itemKey, prev?.recalled ? { ...r, recalled: true } : r);
  }
  let pending = [...byKey.values()];
  await dialectOf(tx).lockInTransaction(tx, SEARCH_INDEX_LOCK);
  await insertAliases(tx, pending);
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_ROUNDS)
      throw new Error(`search index: ${pending.length} rows still conflict after ${MAX_ROUNDS} rounds`);
    pending = await placeRound(tx, pending, now);
  }
}

/** removeSearchRows on PostgreSQL, in the caller's transaction `tx`. */
export async function removeSearchRowsPg(tx: Q, itemKeys: readonly string[]): Promise<number> {
  if (itemKeys.length === 0) return 0;
  await dialectOf(tx).lockInTransaction(tx, SEARCH_INDEX_LOCK);
  let removed = 0;
  for (const part of chunks([...new Set(itemKeys)])) {
    const found = await tx.selectFrom('search_items').select('id').where('item_key', 'in', part).execute();
    removed += (
      await deleteRows(
        tx,
        found.map((f) => Number(f.id)),
      )
    ).length;
  }
  return removed;
}
