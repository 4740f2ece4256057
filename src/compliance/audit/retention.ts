/**
 * The audit log's own retention (SEC 17a-4 keeps the audit trail as long as the records it
 * explains): by default nothing is pruned. With `audit.retentionDays` set, events older than the
 * latest of (that setting, the longest retention policy, the creation of the oldest open case)
 * are removed, the oldest first, so that what remains is a contiguous tail of the chain.
 *
 * The chain stays verifiable: in the same transaction as the delete, an `audit.prune` event is
 * appended stating the last removed event's id and hash. That anchor is itself chained (and
 * covered by later checkpoints), so `verifyAudit` accepts a first remaining event whose
 * prev_hash is the anchor's hash, and still catches any other removal or change.
 */
import { ArchiverError } from '../../core/errors.js';
import {
  auditPrefix,
  deleteAuditThrough,
  firstAuditIdAtOrAfter,
  latestAuditPrune,
  oldestActiveCaseAt,
  retentionPeriods,
  type Db,
} from '../../store/index.js';
import { appendAudit } from './log.js';
import type { AuditRetentionStatus, PruneAnchor } from './retention-types.js';

export type { AuditRetentionStatus, PruneAnchor };

const DAY = 86_400_000;

/** The start of a policy's period counted back from now, by the calendar for years. */
function periodStart(now: number, value: number, unit: string): number {
  if (unit === 'years') {
    const d = new Date(now);
    d.setUTCFullYear(d.getUTCFullYear() - value);
    return d.getTime();
  }
  return now - value * DAY;
}

export async function auditRetentionStatus(
  db: Db,
  settingDays: number | undefined,
  now: number,
): Promise<AuditRetentionStatus> {
  let longest: { id: string; name: string; start: number } | null = null;
  for (const p of await retentionPeriods(db)) {
    const start = periodStart(now, p.value, p.unit);
    if (!longest || start < longest.start) longest = { id: p.id, name: p.name, start };
  }
  const longestPolicy = longest
    ? { id: longest.id, name: longest.name, days: Math.ceil((now - longest.start) / DAY) }
    : null;
  let problem: string | null = null;
  let cutoffAt: number | null = null;
  if (settingDays !== undefined) {
    const settingStart = now - settingDays * DAY;
    if (longest && settingStart > longest.start) {
      problem =
        `audit.retentionDays: ${settingDays} days is shorter than retention policy "${longest.name}" ` +
        `(${longestPolicy!.days} days); the audit log must be kept at least as long as the longest policy: ` +
        `set at least ${longestPolicy!.days}, or remove the setting to keep audit events forever`;
    } else {
      const openCase = await oldestActiveCaseAt(db);
      cutoffAt = Math.min(settingStart, longest?.start ?? settingStart, openCase ?? settingStart);
    }
  }
  const last = await latestAuditPrune(db);
  return {
    settingDays: settingDays ?? null,
    longestPolicy,
    problem,
    cutoffAt,
    lastPrune: last
      ? { ...(JSON.parse(last.detail_json) as PruneAnchor), at: Number(last.at), actor: last.actor }
      : null,
  };
}

export interface PruneResult {
  /** events removed; 0 when nothing was old enough or retention is forever */
  pruned: number;
  cutoffAt: number | null;
  anchor: PruneAnchor | null;
}

/**
 * Removes the audit events older than the effective retention, leaving an `audit.prune` anchor.
 * Refuses (WXA_AUDIT_RETENTION_SHORT) a setting shorter than the longest retention policy.
 */
export async function pruneAudit(
  db: Db,
  opts: { settingDays: number | undefined; actor: string; now: number; dryRun?: boolean },
): Promise<PruneResult> {
  const status = await auditRetentionStatus(db, opts.settingDays, opts.now);
  if (status.problem) throw new ArchiverError('WXA_AUDIT_RETENTION_SHORT', status.problem);
  const cutoffAt = status.cutoffAt;
  if (cutoffAt === null) return { pruned: 0, cutoffAt: null, anchor: null };
  const run = async (tx: Db): Promise<PruneResult> => {
    // Only the prefix before the first event to keep goes, so that the rest stays one chain.
    const keepFrom = (await firstAuditIdAtOrAfter(tx, cutoffAt)) ?? Number.MAX_SAFE_INTEGER;
    const prefix = await auditPrefix(tx, keepFrom);
    if (!prefix) return { pruned: 0, cutoffAt, anchor: null };
    const anchor: PruneAnchor = {
      ...prefix,
      beforeAt: cutoffAt,
      keepDays: Math.ceil((opts.now - cutoffAt) / DAY),
      settingDays: opts.settingDays!,
      longestPolicyDays: status.longestPolicy?.days ?? null,
    };
    if (opts.dryRun) return { pruned: prefix.events, cutoffAt, anchor };
    await appendAudit(
      tx,
      { actor: opts.actor, action: 'audit.prune', target: 'audit-log', detail: { ...anchor } },
      opts.now,
    );
    const pruned = await deleteAuditThrough(tx, prefix.throughId);
    return { pruned, cutoffAt, anchor };
  };
  return opts.dryRun ? run(db) : db.transaction().execute(run);
}
