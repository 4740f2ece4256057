/**
 * The archive's counters, defined once. `status`, `report`, the console (connectors, problems)
 * and run reports all read them from here, so the same archive gives the same numbers wherever
 * it is looked at. Record counters are answered from each raw record's current outcome, not by
 * adding up runs: a record processed again (a mapping change, a key added) is still one record.
 *
 * Every raw record is in exactly one of archived, held, failed or pending, so
 * `atSource = archived + held + failed + pending` by construction (invariant 1; pending is 0
 * once a run has finished).
 */
import { sql, type RawBuilder } from 'kysely';
import type { DestinationCounters, RecordCounters } from '../core/counters.js';
import { dialectOf, type Db } from './db.js';
import { countDeliveries } from './deliveries.js';

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
  return sql`(CAST(${s.connectorId ?? null} AS TEXT) IS NULL OR ${r}.connector_id = ${s.connectorId ?? null})
    AND ${r}.captured_at >= ${s.since ?? 0}`;
}

/** The UTC day a record was captured on, as YYYY-MM-DD (the one dialect-specific point here). */
const captureDay = (db: Db) => dialectOf(db).utcDay(sql.ref('r.captured_at'));

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
  const outcomes = await sql<{ day: string; status: string; hold_reason: string | null; n: number }>`
    SELECT ${by} AS day, r.status, r.hold_reason, count(*) AS n FROM raw_records r
    WHERE ${scope(s)} GROUP BY day, r.status, r.hold_reason`.execute(db);
  for (const o of outcomes.rows) add(day(o.day), o.status, o.hold_reason, Number(o.n));
  // One open unmapped hold per record: on an archived record it names the participants left out.
  const partly = await sql<{ day: string; n: number }>`
    SELECT ${by} AS day, count(DISTINCT h.raw_id) AS n FROM holds h JOIN raw_records r ON r.id = h.raw_id
    WHERE h.reason = 'unmapped' AND h.released_at IS NULL AND r.status IN ('done', 'duplicate') AND ${scope(s)}
    GROUP BY day`.execute(db);
  for (const p of partly.rows) day(p.day).archivedPartlyUnmapped = Number(p.n);
  if (opts.fanOut !== false) {
    const entries = await sql<{ day: string; n: number }>`
      SELECT ${by} AS day, count(*) AS n FROM mailbox_entries e
      JOIN items i ON i.key = e.item_key JOIN raw_records r ON r.id = i.raw_id
      WHERE ${scope(s)} GROUP BY day`.execute(db);
    for (const e of entries.rows) day(e.day).afterFanOut = Number(e.n);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([d, c]) => ({ day: d, ...c }));
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
  opts: { fanOut?: boolean } = {},
): Promise<RecordCounters> {
  const all = (await countersGrouped(db, s, sql`''`, opts))[0];
  if (!all) return emptyRecordCounters();
  const { day: _day, ...counters } = all;
  return counters;
}

/**
 * Records held now, by reason, per connector: the `held` of `recordCounters` alone, answered
 * from the (connector, status, reason) index for pages that load often.
 */
export async function heldByReason(db: Db, connectorId?: string): Promise<Map<string, Record<string, number>>> {
  let q = db
    .selectFrom('raw_records')
    .select((eb) => ['connector_id', 'hold_reason', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'held');
  if (connectorId) q = q.where('connector_id', '=', connectorId);
  const out = new Map<string, Record<string, number>>();
  for (const r of await q.groupBy(['connector_id', 'hold_reason']).execute()) {
    const held = out.get(r.connector_id) ?? {};
    held[r.hold_reason ?? 'unknown'] = Number(r.n);
    out.set(r.connector_id, held);
  }
  return out;
}

/** Delivery outcomes per external destination, for deliveries queued at or after `since`. */
export async function destinationCounters(
  db: Db,
  s: { connectorId?: string; since?: number } = {},
): Promise<DestinationCounters[]> {
  const dests = new Map<string, DestinationCounters>();
  for (const r of await countDeliveries(db, s)) {
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
