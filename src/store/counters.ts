/**
 * The archive's counters, defined once. `status`, `report`, the console (connectors, problems)
 * and run reports all read them from here, so the same archive gives the same numbers wherever
 * it is looked at. Record counters are answered from each raw record's current outcome, not by
 * adding up runs: a record processed again (a mapping change, a key added) is still one record.
 * All-time counts are kept counters, read in a few rows: records per outcome and deliveries per
 * outcome (kept by triggers, migration 033), mailbox entries (kept in the transactions that write
 * and delete entries, migration 022). A report over a time window counts that window's rows; the
 * same grouping of the rows is the definition the kept counters are checked against (`recount`).
 *
 * Every raw record is in exactly one of archived, held, failed or pending, so
 * `atSource = archived + held + failed + pending` by construction (invariant 1; pending is 0
 * once a run has finished).
 */
import { sql, type RawBuilder } from 'kysely';
import type { DestinationCounters, RecordCounters } from '../core/counters.js';
import { dialectOf, type Db } from './db.js';
import type { RawStatus } from './schema.js';
import { countDeliveries, type DeliveryCount } from './deliveries.js';

export type { DestinationCounters, RecordCounters };

export interface CounterScope {
  connectorId?: string;
  /** only records captured at or after this time (ms) */
  since?: number;
}

export function emptyRecordCounters(): RecordCounters {
  return {
    atSource: 0,
    afterFanOut: 0,
    archived: 0,
    duplicates: 0,
    held: {},
    heldTotal: 0,
    failed: 0,
    pending: 0,
    archivedPartlyUnmapped: 0,
  };
}

function scope(s: CounterScope, alias = 'r') {
  const r = sql.raw(alias);
  // A plain equality, not `? IS NULL OR ...`: that form made SQLite scan the whole outcome index
  // instead of searching it for the one connector.
  const connector = s.connectorId === undefined ? sql`1 = 1` : sql`${r}.connector_id = ${s.connectorId}`;
  return sql`${connector} AND ${r}.captured_at >= ${s.since ?? 0}`;
}

/** The UTC day a record was captured on, as YYYY-MM-DD (the one dialect-specific point here). */
const captureDay = (db: Db) => dialectOf(db).utcDay(sql.ref('r.captured_at'));
/** One group for all records: the totals. */
const TOTAL = sql`''`;

function add(c: RecordCounters, status: string, reason: string | null, n: number): void {
  c.atSource += n;
  if (status === 'done' || status === 'duplicate') c.archived += n;
  if (status === 'duplicate') c.duplicates += n;
  if (status === 'failed') c.failed += n;
  if (status === 'pending') c.pending += n;
  if (status === 'held') {
    const why = reason ?? 'unknown';
    c.held[why] = (c.held[why] ?? 0) + n;
    c.heldTotal += n;
  }
}

/**
 * Record counters per capture day (UTC), oldest first. `fanOut: false` leaves `afterFanOut` at 0
 * for pages that load often: it joins every item with its entries.
 */
export async function recordCountersByDay(
  db: Db,
  s: CounterScope,
  opts: { fanOut?: boolean } = {},
): Promise<(RecordCounters & { day: string })[]> {
  return countersGrouped(db, s, captureDay(db), opts);
}

async function countersGrouped(
  db: Db,
  s: CounterScope,
  by: RawBuilder<unknown>,
  opts: { fanOut?: boolean },
): Promise<(RecordCounters & { day: string })[]> {
  const days = new Map<string, RecordCounters>();
  const day = (d: string) => days.get(d) ?? (days.set(d, emptyRecordCounters()), days.get(d)!);
  // Totals group by outcome alone, in the outcome index's order: no temporary B-tree over the rows.
  const groups = by === TOTAL ? sql`r.status, r.hold_reason` : sql`day, r.status, r.hold_reason`;
  const outcomes = await sql<{ day: string; status: string; hold_reason: string | null; n: number }>`
    SELECT ${by} AS day, r.status, r.hold_reason, count(*) AS n FROM raw_records r
    WHERE ${scope(s)} GROUP BY ${groups}`.execute(db);
  for (const o of outcomes.rows) add(day(o.day), o.status, o.hold_reason, Number(o.n));
  for (const p of await partlyUnmapped(db, s, by)) day(p.day).archivedPartlyUnmapped = Number(p.n);
  if (opts.fanOut !== false) {
    const entries = await sql<{ day: string; n: number }>`
      SELECT ${by} AS day, count(*) AS n FROM mailbox_entries e
      JOIN items i ON i.key = e.item_key JOIN raw_records r ON r.id = i.raw_id
      WHERE ${scope(s)} GROUP BY day`.execute(db);
    for (const e of entries.rows) day(e.day).afterFanOut = Number(e.n);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, c]) => ({ day: d, ...c }));
}

/** Records per raw status, from the counters (`status` shows both; one definition gives both). */
export function recordsByStatus(c: RecordCounters): Record<RawStatus, number> {
  return {
    pending: c.pending,
    done: c.archived - c.duplicates,
    held: c.heldTotal,
    failed: c.failed,
    duplicate: c.duplicates,
  };
}

/** Adds counters together (a day's into a total, one connector's into the archive's). */
export function sumRecordCounters(parts: readonly RecordCounters[]): RecordCounters {
  const out = emptyRecordCounters();
  for (const p of parts) {
    out.atSource += p.atSource;
    out.afterFanOut += p.afterFanOut;
    out.archived += p.archived;
    out.duplicates += p.duplicates;
    out.heldTotal += p.heldTotal;
    out.failed += p.failed;
    out.pending += p.pending;
    out.archivedPartlyUnmapped += p.archivedPartlyUnmapped;
    for (const [k, v] of Object.entries(p.held)) out.held[k] = (out.held[k] ?? 0) + v;
  }
  return out;
}

export async function recordCounters(
  db: Db,
  s: CounterScope,
  opts: { fanOut?: boolean; recount?: boolean } = {},
): Promise<RecordCounters> {
  // Over all time, the outcomes and the fan-out are kept counters; a window (or a recount, which
  // checks them) groups the rows themselves.
  if (s.since || opts.recount) {
    const all = (await countersGrouped(db, s, TOTAL, opts))[0];
    if (!all) return emptyRecordCounters();
    const { day: _day, ...counters } = all;
    return counters;
  }
  const counters = emptyRecordCounters();
  const [kept, partly, entries] = await Promise.all([
    outcomesKept(db, s.connectorId),
    partlyUnmapped(db, s, TOTAL).then((rows) => Number(rows[0]?.n ?? 0)),
    opts.fanOut === false ? 0 : entriesKept(db, s.connectorId),
  ]);
  for (const k of kept) add(counters, k.status, k.reason || null, Number(k.records));
  counters.archivedPartlyUnmapped = partly;
  counters.afterFanOut = entries;
  return counters;
}

/** Records per outcome from the counters the triggers of migration 033 keep with every row change. */
async function outcomesKept(db: Db, connectorId: string | undefined) {
  let q = db
    .selectFrom('outcome_counters')
    .select(['connector_id', 'status', 'reason', 'records'])
    .where('records', '<>', 0);
  if (connectorId !== undefined) q = q.where('connector_id', '=', connectorId);
  return q.execute();
}

/**
 * Archived records with an open unmapped hold (one per record: it names the participants left
 * out), per group. From the few open holds to their records (CROSS JOIN keeps SQLite from
 * starting at the connector's million records instead), found through the open-holds index.
 */
async function partlyUnmapped(db: Db, s: CounterScope, by: RawBuilder<unknown>) {
  const heldIn = s.connectorId === undefined ? sql`1 = 1` : sql`h.connector_id = ${s.connectorId}`;
  const r = await sql<{ day: string; n: number }>`
    SELECT ${by} AS day, count(DISTINCT h.raw_id) AS n FROM holds h CROSS JOIN raw_records r
    WHERE r.id = h.raw_id AND ${heldIn} AND h.reason = 'unmapped' AND h.released_at IS NULL
      AND r.status IN ('done', 'duplicate') AND ${scope(s)}
    GROUP BY day`.execute(db);
  return r.rows;
}

/**
 * Mailbox entries of one connector's items (or of all), from the counter the item and entry
 * writes and every deletion keep in their transactions (migration 022): one row read instead of
 * joining every item with its entries.
 */
async function entriesKept(db: Db, connectorId: string | undefined): Promise<number> {
  let q = db.selectFrom('connector_counters').select((eb) => eb.fn.sum<number | string>('entries').as('n'));
  if (connectorId !== undefined) q = q.where('connector_id', '=', connectorId);
  const r = await q.executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Records held now, by reason, per connector: the `held` of `recordCounters` alone, from the kept counters. */
export async function heldByReason(db: Db, connectorId?: string): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const r of await outcomesKept(db, connectorId)) {
    if (r.status !== 'held') continue;
    const held = out.get(r.connector_id) ?? {};
    held[r.reason || 'unknown'] = Number(r.records);
    out.set(r.connector_id, held);
  }
  return out;
}

/** Delivery outcomes per external destination, for deliveries queued at or after `since`. */
export async function destinationCounters(
  db: Db,
  s: { connectorId?: string; since?: number } = {},
  opts: { recount?: boolean } = {},
): Promise<DestinationCounters[]> {
  const dests = new Map<string, DestinationCounters>();
  // Over all time, the counters kept with every delivery row (migration 033); a window (or a
  // recount, which checks them) counts the rows.
  const kept = !s.since && !opts.recount;
  const counts = kept ? await deliveriesKept(db, s.connectorId) : await countDeliveries(db, s);
  for (const r of counts) {
    const d = dests.get(r.destinationId) ?? {
      destinationId: r.destinationId,
      delivered: 0,
      partial: 0,
      duplicates: 0,
      pending: 0,
      held: 0,
      byError: {},
    };
    if (r.status === 'delivered') d.delivered += r.n;
    else if (r.status === 'partial') d.partial += r.n;
    else if (r.status === 'duplicate') d.duplicates += r.n;
    else if (r.status === 'pending') d.pending += r.n;
    else d.held += r.n;
    if (r.errorCode) d.byError[r.errorCode] = (d.byError[r.errorCode] ?? 0) + r.n;
    dests.set(r.destinationId, d);
  }
  return [...dests.values()].sort((a, b) => a.destinationId.localeCompare(b.destinationId));
}

async function deliveriesKept(db: Db, connectorId: string | undefined): Promise<DeliveryCount[]> {
  let q = db
    .selectFrom('delivery_counters')
    .select(['destination_id', 'status', 'error_code', 'deliveries'])
    .where('deliveries', '<>', 0);
  if (connectorId !== undefined) q = q.where('connector_id', '=', connectorId);
  const out = new Map<string, DeliveryCount>();
  // Per connector in the table, per destination here: one destination id may serve several connectors.
  for (const r of await q.execute()) {
    const k = JSON.stringify([r.destination_id, r.status, r.error_code]);
    const c = out.get(k) ?? {
      destinationId: r.destination_id,
      status: r.status,
      errorCode: r.error_code || null,
      n: 0,
    };
    c.n += Number(r.deliveries);
    out.set(k, c);
  }
  return [...out.values()];
}
