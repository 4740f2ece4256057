/**
 * Read and act queries of the console's connectors tab and problems page: totals per
 * connector, open holds grouped by reason with examples, unmapped people with their names, and
 * the two actions (put held records back to be processed; retry held deliveries). Every count
 * here is answered from an index, because the tab loads with a million items in the archive.
 */
import { sql } from 'kysely';
import { heldByReason } from './counters.js';
import { dialectOf, type Db } from './db.js';
import { itemMailboxes } from './problem-rows.js';

/** How a hold's participant list is shown in an example: the first few names and the total. */
function shownParticipants(participant: string | null, list: string | null): string | null {
  if (participant !== null || list === null) return participant;
  const ids = JSON.parse(list) as string[];
  if (ids.length <= 3) return ids.join(', ') || null;
  return `${ids.slice(0, 3).join(', ')}, … (${ids.length})`;
}

export async function connectorTotals(
  db: Db,
  connectorId: string,
): Promise<{ items: number; held: number; heldByReason: Record<string, number>; failedDeliveries: number }> {
  const [items, held, failed] = await Promise.all([
    db
      .selectFrom('connector_counters')
      .select('items as n')
      .where('connector_id', '=', connectorId)
      .executeTakeFirst()
      .then((r) => r ?? { n: 0 }),
    heldByReason(db, connectorId).then((m) => m.get(connectorId) ?? {}),
    db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connector_id', '=', connectorId)
      .where('status', '=', 'held')
      .executeTakeFirstOrThrow(),
  ]);
  return {
    items: Number(items.n),
    // Records held, as `status` and `report` count them (not hold rows: an archived record
    // with unmapped participants keeps a hold but is archived).
    held: Object.values(held).reduce((a, b) => a + b, 0),
    heldByReason: held,
    failedDeliveries: Number(failed.n),
  };
}

export interface HoldExample {
  id: number;
  itemKey: string | null;
  participant: string | null;
  code: string | null;
  detail: string;
  at: number;
  /** the mailbox that refused the delivery, else the mailboxes the item reached; null when none */
  targetMailbox?: string | null;
}

export async function holdExamples(db: Db, connectorId: string, reason: string, limit = 5): Promise<HoldExample[]> {
  const rows = await db
    .selectFrom('holds as h')
    .select(['h.id', 'h.item_key', 'h.participant', 'h.participants', 'h.code', 'h.detail', 'h.created_at'])
    .select(itemMailboxes(db, 'h').as('mailboxes'))
    .where('h.connector_id', '=', connectorId)
    .where('h.reason', '=', reason)
    .where('h.released_at', 'is', null)
    .orderBy('h.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    itemKey: r.item_key,
    participant: shownParticipants(r.participant, r.participants),
    code: r.code,
    detail: r.detail,
    at: Number(r.created_at),
    targetMailbox: reason === 'destination-refused' ? r.participant : r.mailboxes,
  }));
}

export interface ProblemCount {
  connectorId: string;
  count: number;
  examples: HoldExample[];
}

/** Counts rows per connector and keeps the first few of each as examples. */
function countPerConnector<R extends { connector_id: string }>(
  rows: R[],
  example: (r: R, n: number) => HoldExample,
): ProblemCount[] {
  const by = new Map<string, ProblemCount>();
  for (const r of rows) {
    const g = by.get(r.connector_id) ?? { connectorId: r.connector_id, count: 0, examples: [] };
    g.count++;
    if (g.examples.length < 5) g.examples.push(example(r, g.count));
    by.set(r.connector_id, g);
  }
  return [...by.values()];
}

/** Media the source no longer had (past its retention) per connector. */
export async function expiredMedia(db: Db, connectorId?: string): Promise<ProblemCount[]> {
  let q = db
    .selectFrom('media')
    .select(['connector_id', 'sdkfileid', 'error_code', 'fetched_at'])
    .where('status', '=', 'expired');
  if (connectorId) q = q.where('connector_id', '=', connectorId);
  // sdkfileid breaks ties, so the examples shown are the same on SQLite and PostgreSQL
  const rows = await q.orderBy('fetched_at', 'desc').orderBy('sdkfileid').limit(10_000).execute();
  return countPerConnector(rows, (r, n) => ({
    id: n,
    itemKey: null,
    participant: null,
    code: r.error_code,
    detail: `media ${r.sdkfileid.slice(0, 24)}… is no longer kept by the source`,
    at: Number(r.fetched_at),
  }));
}

/** Items kept with the unknown-type flag (a message type this version does not know). */
export async function unknownTypeItems(db: Db, connectorId?: string): Promise<ProblemCount[]> {
  let q = db
    .selectFrom('items')
    .select(['connector_id', 'key', 'msgtype', 'from_id', 'created_at'])
    .where('flags', '<>', '')
    .where('flags', 'like', '%unknown-type%');
  if (connectorId) q = q.where('connector_id', '=', connectorId);
  const rows = await q.limit(10_000).execute();
  return countPerConnector(rows, (r, n) => ({
    id: n,
    itemKey: r.key,
    participant: r.from_id,
    code: 'WXA_UNKNOWN_TYPE',
    detail: `message type "${r.msgtype}" is kept as received`,
    at: Number(r.created_at),
  }));
}

export interface UnmappedRow {
  connectorId: string;
  participant: string;
  name: string | null;
  kind: string | null;
  heldItems: number;
}

/**
 * People held as unmapped, most held first, with the name and kind the directory gave. Each
 * record has one hold listing its unmapped participants (a JSON list), expanded here with
 * the dialect's JSON array expansion (json_each on SQLite): the one dialect-specific point here.
 */
export async function unmappedPeople(db: Db, connectorId?: string, limit = 200): Promise<UnmappedRow[]> {
  const rows = await sql<{
    connector_id: string;
    participant: string;
    name: string | null;
    kind: string | null;
    n: number;
  }>`
    SELECT h.connector_id, j.value AS participant, p.name, p.kind, count(*) AS n
    FROM holds h
    JOIN ${dialectOf(db).jsonStrings(sql.ref('h.participants'), 'j')} ON 1 = 1
    LEFT JOIN people p ON p.connector_id = h.connector_id AND p.id = j.value
    WHERE h.reason = 'unmapped' AND h.released_at IS NULL AND h.participants IS NOT NULL
      AND (CAST(${connectorId ?? null} AS TEXT) IS NULL OR h.connector_id = ${connectorId ?? null})
    GROUP BY h.connector_id, j.value, p.name, p.kind
    ORDER BY n DESC, participant
    LIMIT ${limit}`.execute(db);
  return rows.rows.map((r) => ({
    connectorId: r.connector_id,
    participant: r.participant,
    name: r.name ?? null,
    kind: r.kind ?? null,
    heldItems: Number(r.n),
  }));
}

/** Puts the records behind open holds of one reason back to pending; the next run processes them again. */
export async function requeueHeld(db: Db, connectorId: string, reason: string, now: number): Promise<number> {
  const res = await db
    .updateTable('raw_records')
    .set({ status: 'pending', attempts: 0, updated_at: now })
    .where('connector_id', '=', connectorId)
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('holds')
        .select('raw_id')
        .where('connector_id', '=', connectorId)
        .where('reason', '=', reason)
        .where('released_at', 'is', null)
        .where('raw_id', 'is not', null)
        .$narrowType<{ raw_id: number }>(),
    )
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Makes deliveries a destination refused due again and releases their holds. */
export async function retryHeldDeliveries(db: Db, connectorId: string, now: number): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('deliveries')
      .set({ status: 'pending', next_attempt_at: now, attempts: 0, finished_at: null })
      .where('connector_id', '=', connectorId)
      .where('status', '=', 'held')
      .executeTakeFirst();
    await tx
      .updateTable('holds')
      .set({ released_at: now })
      .where('connector_id', '=', connectorId)
      .where('reason', '=', 'destination-refused')
      .where('released_at', 'is', null)
      .execute();
    return Number(res.numUpdatedRows);
  });
}
