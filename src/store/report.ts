/**
 * The archive's report, like the reference connector's admin log but available at once and
 * kept as long as the archive: per run and per day, what came from the source, what fan-out
 * made of it, what was delivered, partial, skipped as duplicate, held or failed, and the list
 * of every problem item with its source user, target mailbox and reason.
 *
 * Days and totals count the records captured in the period by their outcome now (see
 * counters.ts), so a record held on Monday and released on Tuesday is one record, archived;
 * runs say what each run did.
 */
import {
  destinationCounters,
  emptyRecordCounters,
  recordCountersByDay,
  sumRecordCounters,
  type DestinationCounters,
  type RecordCounters,
} from './counters.js';
import type { Db } from './db.js';
import { listPartialDeliveries } from './delivery-problems.js';
import { listProblemRows, type ProblemLine } from './problem-rows.js';
import { runCountersOf, runOutcome, type RunOutcome } from './run-lines.js';

export interface RunLine {
  runId: number;
  connectorId: string;
  startedAt: number;
  status: string;
  /** `held` when the run archived nothing because it held every record it processed */
  outcome: RunOutcome;
  /** new records pulled from the source by this run */
  atSource: number;
  /** records this run processed, released and left-over ones included */
  processed: number;
  afterFanOut: number;
  archived: number;
  held: Record<string, number>;
  failed: number;
  duplicates: number;
}

/** The records captured on one UTC day, by their outcome now, and the runs started that day. */
export interface DayLine extends RecordCounters {
  day: string;
  runs: number;
}

export type DestinationLine = DestinationCounters;

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
  /** every record captured since `since`, by its outcome now: the sum of `days` */
  totals: RecordCounters;
  runs: RunLine[];
  days: DayLine[];
  destinations: DestinationLine[];
  failedByReason: Record<string, number>;
  problems: ProblemLine[];
  /** every attachment left out of a partial delivery, with why (the full file is in the archive) */
  partial: PartialLine[];
}

export async function buildReport(db: Db, opts: { since: number; problemLimit?: number }): Promise<Report> {
  const runs = await db.selectFrom('runs').selectAll().where('started_at', '>=', opts.since).orderBy('id').execute();
  const runLines: RunLine[] = runs.map((r) => {
    const c = runCountersOf(JSON.parse(r.counters_json));
    return {
      runId: r.id,
      connectorId: r.connector_id,
      startedAt: Number(r.started_at),
      status: r.status,
      outcome: runOutcome(r.status, c),
      atSource: c.atSource,
      processed: c.processed,
      afterFanOut: c.afterFanOut,
      archived: c.archived,
      held: c.held,
      failed: c.failed,
      duplicates: c.duplicates,
    };
  });
  const runsPerDay = new Map<string, number>();
  for (const r of runLines) {
    const day = new Date(r.startedAt).toISOString().slice(0, 10);
    runsPerDay.set(day, (runsPerDay.get(day) ?? 0) + 1);
  }
  const byDay = await recordCountersByDay(db, { since: opts.since });
  const dayNames = [...new Set([...byDay.map((d) => d.day), ...runsPerDay.keys()])].sort();
  const days: DayLine[] = dayNames.map((day) => {
    const c = byDay.find((d) => d.day === day) ?? { day, ...emptyRecordCounters() };
    return { ...c, runs: runsPerDay.get(day) ?? 0 };
  });

  const failed = await db
    .selectFrom('raw_records')
    .select((eb) => ['error_code', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'failed')
    .where('captured_at', '>=', opts.since)
    .groupBy('error_code')
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
    totals: sumRecordCounters(days),
    partial,
    runs: runLines,
    days,
    destinations: await destinationCounters(db, { since: opts.since }),
    failedByReason: Object.fromEntries(failed.map((f) => [f.error_code ?? 'unknown', Number(f.n)])),
    problems: await listProblemRows(db, { since: opts.since, limit: opts.problemLimit ?? 10_000 }),
  };
}
