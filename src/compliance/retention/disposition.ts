/**
 * One disposition run: carry out approved review batches, then walk the expired entries and
 * delete what a delete policy lets go, batch for review what a review policy lets go, and keep
 * what a hold covers. Every deletion goes through the store's one deletion function, a page per
 * transaction, so a crash leaves whole pages done and a rerun completes the rest. The dry run
 * walks the same path and lists instead of deleting.
 */
import { crashPoint } from '../../core/fault-points.js';
import type { Db } from '../../store/db.js';
import {
  createBatch,
  entriesUnderReview,
  entriesWaitingForReview,
  entryKey,
  finishBatch,
  listBatches,
  presentBatchEntries,
  reopenDuePostponed,
  type CandidateEntry,
} from '../../store/disposition.js';
import { decide } from './decide.js';
import { coveringOf, evaluatePages, type HeldCheck } from './evaluate.js';
import { policies as loadPolicies } from './policies.js';

export interface RetentionCause {
  kind: 'retention';
  actor: string;
  policyId: string;
  approver?: string;
}

/** The archive's one deletion path and the holds, as disposition needs them (see wiring.ts). */
export interface DispositionDeps {
  held: HeldCheck;
  /** the key `held` answers with for an entry */
  heldKey: (e: { itemKey: string; mailbox: string }) => string;
  /** deletes unheld entries (and what they alone referenced); returns how many entries went and how many a hold kept */
  deleteEntries: (
    entries: { itemKey: string; mailbox: string }[],
    cause: RetentionCause,
  ) => Promise<{ deleted: number; held: number }>;
}

export interface Going {
  itemKey: string;
  msgid: string;
  mailbox: string;
  msgTime: number;
  policyId: string;
  action: 'delete' | 'review';
  approver?: string;
}

export interface DispositionReport {
  dryRun: boolean;
  at: number;
  /** entries old enough to be looked at */
  scanned: number;
  /** entries deleted (in a dry run: that would be) */
  deleted: number;
  /** expired entries a hold keeps */
  keptByHold: number;
  /** entries in pending or postponed review batches after this run (dry run: plus those it would batch) */
  waitingForReview: number;
  /** entries covered by a policy whose period has not ended */
  retained: number;
  /** review batches created (dry run: that would be) */
  batchesCreated: number;
  /** the dry run's list of what would go; empty for a real run */
  wouldGo: Going[];
}

const ACTOR = 'retention';

function going(e: CandidateEntry, policyId: string, action: 'delete' | 'review', approver?: string): Going {
  return {
    itemKey: e.itemKey,
    msgid: e.msgid,
    mailbox: e.mailbox,
    msgTime: e.msgTime,
    policyId,
    action,
    ...(approver ? { approver } : {}),
  };
}

export async function runDisposition(
  db: Db,
  deps: DispositionDeps,
  opts: { now: number; dryRun: boolean; pageSize?: number },
): Promise<DispositionReport> {
  const { now, dryRun } = opts;
  const all = await loadPolicies(db);
  const report: DispositionReport = {
    dryRun,
    at: now,
    scanned: 0,
    deleted: 0,
    keptByHold: 0,
    waitingForReview: 0,
    retained: 0,
    batchesCreated: 0,
    wouldGo: [],
  };
  if (!dryRun) await reopenDuePostponed(db, now);

  // Entries an approved batch dealt with are not counted again by the walk below.
  const handled = new Set<string>();
  // 1. Approved batches: re-decided now (a policy may have been extended, a hold placed since).
  for (const b of await listBatches(db, ['approved'])) {
    const present = await presentBatchEntries(db, b.id);
    for (const e of present) handled.add(entryKey(e.itemKey, e.mailbox));
    const ok = present.filter((e) => {
      const d = decide(false, coveringOf(all, e), now);
      return d.kind === 'review' || d.kind === 'delete';
    });
    const heldSet = ok.length > 0 ? await deps.held(ok.map(ref)) : new Set<string>();
    const free = ok.filter((e) => !heldSet.has(deps.heldKey(ref(e))));
    report.keptByHold += ok.length - free.length;
    if (dryRun) {
      report.deleted += free.length;
      for (const e of free) report.wouldGo.push(going(e, b.policy_id, 'delete', b.decided_by ?? undefined));
      continue;
    }
    if (free.length > 0) {
      const r = await deps.deleteEntries(free.map(ref), {
        kind: 'retention',
        actor: ACTOR,
        policyId: b.policy_id,
        ...(b.decided_by ? { approver: b.decided_by } : {}),
      });
      report.deleted += r.deleted;
      report.keptByHold += r.held;
    }
    await finishBatch(db, b.id);
  }

  // 2. Everything else that expired.
  const underReview = await entriesUnderReview(db);
  const toReview = new Map<string, CandidateEntry[]>();
  const counts = { scanned: 0, retained: 0 };
  for await (const page of evaluatePages(db, all, deps.held, deps.heldKey, now, counts, opts.pageSize)) {
    const byPolicy = new Map<string, CandidateEntry[]>();
    for (const { entry, decision } of page) {
      if (handled.has(entryKey(entry.itemKey, entry.mailbox))) continue;
      if (decision.kind === 'held') report.keptByHold++;
      else if (decision.kind === 'review') {
        if (underReview.has(entryKey(entry.itemKey, entry.mailbox))) continue;
        const list = toReview.get(decision.policyId) ?? [];
        list.push(entry);
        toReview.set(decision.policyId, list);
        if (dryRun) report.wouldGo.push(going(entry, decision.policyId, 'review'));
      } else if (decision.kind === 'delete') {
        const list = byPolicy.get(decision.policyId) ?? [];
        list.push(entry);
        byPolicy.set(decision.policyId, list);
        if (dryRun) report.wouldGo.push(going(entry, decision.policyId, 'delete'));
      }
    }
    for (const [policyId, entries] of byPolicy) {
      if (dryRun) {
        report.deleted += entries.length;
        continue;
      }
      const r = await deps.deleteEntries(entries.map(ref), { kind: 'retention', actor: ACTOR, policyId });
      report.deleted += r.deleted;
      report.keptByHold += r.held;
    }
    if (!dryRun && byPolicy.size > 0) crashPoint('disposition-page');
  }
  report.scanned = counts.scanned;
  report.retained = counts.retained;

  // 3. One review batch per policy for what newly waits.
  const byId = new Map(all.map((p) => [p.id, p]));
  let newlyWaiting = 0;
  for (const [policyId, entries] of toReview) {
    report.batchesCreated++;
    newlyWaiting += entries.length;
    if (dryRun) continue;
    await createBatch(db, { policyId, reviewer: byId.get(policyId)?.reviewer ?? null, entries }, now);
  }
  report.waitingForReview = (await entriesWaitingForReview(db)) + (dryRun ? newlyWaiting : 0);
  return report;
}

function ref(e: { itemKey: string; mailbox: string }): { itemKey: string; mailbox: string } {
  return { itemKey: e.itemKey, mailbox: e.mailbox };
}
