/**
 * Every open problem as one row for the report (text, JSON, CSV): the message, who sent it, the
 * mailbox it was meant for when there is one, the reason and what to know. A record that is held
 * has exactly one open hold, so the rows whose `recordHeld` is true add up to the held counters.
 */
import { sql } from 'kysely';
import { dialectOf, type Db } from './db.js';

export interface ProblemLine {
  itemId: string;
  sourceUser: string;
  /**
   * the mailbox concerned: the one that refused a delivery, else the mailboxes the item reached
   * (space-separated; an archived record with unmapped participants), empty when it reached none
   */
  targetMailbox: string;
  reason: string;
  detail: string;
  at: number;
  connectorId: string;
  /** the record itself is held (counted in `held`); false for a problem of an archived item */
  recordHeld: boolean;
}

/**
 * The mailboxes a hold's item reached, space-separated in order (null when none): read per row
 * from the entries' item index. `alias` names the holds table in the query.
 */
export function itemMailboxes(db: Db, alias: string) {
  return sql<
    string | null
  >`(SELECT ${dialectOf(db).groupConcat(sql.ref('d.mailbox'), ' ')} FROM (SELECT DISTINCT e.mailbox
    FROM mailbox_entries e WHERE e.item_key = ${sql.ref(`${alias}.item_key`)} ORDER BY e.mailbox) d)`;
}

/**
 * Open holds of the records captured since `since` (and refused deliveries since then), oldest
 * first. The mailbox list is read per row from the entries' item index.
 */
export async function listProblemRows(
  db: Db,
  opts: { since: number; connectorId?: string; limit: number },
): Promise<ProblemLine[]> {
  let q = db
    .selectFrom('holds as h')
    .leftJoin('items as i', 'i.key', 'h.item_key')
    .leftJoin('raw_records as r', 'r.id', 'h.raw_id')
    .select([
      'h.connector_id',
      'h.reason',
      'h.detail',
      'h.participant',
      'h.created_at',
      'h.item_key',
      'i.from_id',
      'i.msgid',
      'r.msgid as raw_msgid',
      'r.status as raw_status',
    ])
    .select(itemMailboxes(db, 'h').as('mailboxes'))
    .where('h.released_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('r.captured_at', '>=', opts.since),
        eb.and([eb('h.raw_id', 'is', null), eb('h.created_at', '>=', opts.since)]),
      ]),
    );
  if (opts.connectorId) q = q.where('h.connector_id', '=', opts.connectorId);
  const rows = await q.orderBy('h.id').limit(opts.limit).execute();
  return rows.map((p) => {
    // A refused delivery's hold names its mailbox; an unmapped one (before holds listed
    // participants) named the person who lacks one.
    const refused = p.reason === 'destination-refused';
    const legacyUnmapped = p.reason === 'unmapped' && p.participant;
    return {
      itemId: p.msgid ?? p.raw_msgid ?? p.item_key ?? '',
      sourceUser: p.from_id ?? '',
      targetMailbox: refused ? (p.participant ?? '') : (p.mailboxes ?? ''),
      reason: p.reason,
      detail: legacyUnmapped ? `${p.participant} maps to no mailbox` : p.detail,
      at: Number(p.created_at),
      connectorId: p.connector_id,
      recordHeld: p.raw_status === 'held',
    };
  });
}
