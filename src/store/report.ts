/**
 * The archive's report, like the reference connector's admin log but available at once and
 * kept as long as the archive: per run and per day, what came from the source, what fan-out
 * made of it, what was delivered, partial, skipped as duplicate, held or failed, and the list
 * of every problem item with its source user, target mailbox and reason.
 */
import type { Db } from './db.js';
import { listPartialDeliveries } from './delivery-problems.js';

export interface RunLine {
  runId: number;
  connectorId: string;
  startedAt: number;
  status: string;
  atSource: number;
  afterFanOut: number;
  archived: number;
  held: Record<string, number>;
  failed: number;
  duplicates: number;
}

export interface DayLine {
  day: string;
  atSource: number;
  afterFanOut: number;
  archived: number;
  held: Record<string, number>;
  failed: number;
  duplicates: number;
  runs: number;
}

export interface ProblemLine {
  itemId: string;
  sourceUser: string;
  targetMailbox: string;
  reason: string;
  detail: string;
  at: number;
}

export interface DestinationLine {
  destinationId: string;
  delivered: number;
  partial: number;
  duplicates: number;
  pending: number;
  held: number;
  byError: Record<string, number>;
}

/** A partial delivery: one line per attachment left out of the mailbox copy, with why. */
export interface PartialLine {
  itemId: string;
  sourceUser: string;
  targetMailbox: string;
  destinationId: string;
  attachment: string;
  size: number;
  sha256: string;
  /** 'too-large' or 'blocked-type' */
  reason: string;
  at: number;
}

export interface Report {
  since: number;
  runs: RunLine[];
  days: DayLine[];
  destinations: DestinationLine[];
  failedByReason: Record<string, number>;
  problems: ProblemLine[];
  /** every attachment left out of a partial delivery, with why (the full file is in the archive) */
  partial: PartialLine[];
}

interface Counters {
  fetched?: number;
  archived?: number;
  held?: Record<string, number>;
  failed?: number;
  duplicates?: number;
  deliveries?: number;
}

export async function buildReport(db: Db, opts: { since: number; problemLimit?: number }): Promise<Report> {
  const runs = await db.selectFrom('runs').selectAll().where('started_at', '>=', opts.since).orderBy('id').execute();
  const runLines: RunLine[] = runs.map((r) => {
    const c = JSON.parse(r.counters_json) as Counters;
    return {
      runId: r.id,
      connectorId: r.connector_id,
      startedAt: Number(r.started_at),
      status: r.status,
      atSource: c.fetched ?? 0,
      afterFanOut: c.deliveries ?? 0,
      archived: c.archived ?? 0,
      held: c.held ?? {},
      failed: c.failed ?? 0,
      duplicates: c.duplicates ?? 0,
    };
  });
  const days = new Map<string, DayLine>();
  for (const r of runLines) {
    const day = new Date(r.startedAt).toISOString().slice(0, 10);
    const d = days.get(day) ?? {
      day,
      atSource: 0,
      afterFanOut: 0,
      archived: 0,
      held: {},
      failed: 0,
      duplicates: 0,
      runs: 0,
    };
    d.atSource += r.atSource;
    d.afterFanOut += r.afterFanOut;
    d.archived += r.archived;
    d.failed += r.failed;
    d.duplicates += r.duplicates;
    d.runs++;
    for (const [k, v] of Object.entries(r.held)) d.held[k] = (d.held[k] ?? 0) + v;
    days.set(day, d);
  }

  const deliveryRows = await db
    .selectFrom('deliveries')
    .select((eb) => ['destination_id', 'status', 'error_code', eb.fn.countAll<number>().as('n')])
    .where('created_at', '>=', opts.since)
    .groupBy(['destination_id', 'status', 'error_code'])
    .execute();
  const dests = new Map<string, DestinationLine>();
  for (const r of deliveryRows) {
    const d = dests.get(r.destination_id) ?? {
      destinationId: r.destination_id,
      delivered: 0,
      partial: 0,
      duplicates: 0,
      pending: 0,
      held: 0,
      byError: {},
    };
    const n = Number(r.n);
    if (r.status === 'delivered') d.delivered += n;
    else if (r.status === 'partial') d.partial += n;
    else if (r.status === 'duplicate') d.duplicates += n;
    else if (r.status === 'pending') d.pending += n;
    else d.held += n;
    if (r.error_code) d.byError[r.error_code] = (d.byError[r.error_code] ?? 0) + n;
    dests.set(r.destination_id, d);
  }

  const failed = await db
    .selectFrom('raw_records')
    .select((eb) => ['error_code', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'failed')
    .where('updated_at', '>=', opts.since)
    .groupBy('error_code')
    .execute();

  const problems = await db
    .selectFrom('holds as h')
    .leftJoin('items as i', 'i.key', 'h.item_key')
    .leftJoin('raw_records as r', 'r.id', 'h.raw_id')
    .select([
      'h.reason',
      'h.detail',
      'h.participant',
      'h.created_at',
      'h.item_key',
      'i.from_id',
      'i.msgid',
      'r.msgid as raw_msgid',
    ])
    .where('h.released_at', 'is', null)
    .where('h.created_at', '>=', opts.since)
    .orderBy('h.id')
    .limit(opts.problemLimit ?? 10_000)
    .execute();

  const partial = (await listPartialDeliveries(db, { since: opts.since, limit: opts.problemLimit ?? 10_000 })).flatMap(
    (p) =>
      p.attachments.map((a) => ({
        itemId: p.itemId,
        sourceUser: p.sourceUser,
        targetMailbox: p.mailbox,
        destinationId: p.destinationId,
        attachment: a.name,
        size: a.size,
        sha256: a.sha256,
        reason: a.reason,
        at: p.at,
      })),
  );

  return {
    since: opts.since,
    partial,
    runs: runLines,
    days: [...days.values()],
    destinations: [...dests.values()],
    failedByReason: Object.fromEntries(failed.map((f) => [f.error_code ?? 'unknown', Number(f.n)])),
    problems: problems.map((p) => ({
      itemId: p.msgid ?? p.raw_msgid ?? p.item_key ?? '',
      sourceUser: p.from_id ?? '',
      // For an unmapped person the participant is who lacks a mailbox; for a refused delivery, the mailbox.
      targetMailbox: p.reason === 'destination-refused' ? (p.participant ?? '') : '',
      reason: p.reason,
      detail: p.reason === 'unmapped' && p.participant ? `${p.participant} maps to no mailbox` : p.detail,
      at: Number(p.created_at),
    })),
  };
}
