/**
 * Supervision reports, per policy and per reviewer: items flagged, reviewed (resolved), still
 * open, and the age of the oldest open item — the figures a supervisory procedure is judged by.
 */
import type { Db } from '../../store/db.js';
import { supervisionCountsByPolicy, supervisionCountsByReviewer } from '../../store/supervision.js';
import { listPolicies } from './policies.js';

export interface ReportRow {
  flagged: number;
  reviewed: number;
  open: number;
  /** seconds since the oldest open item was flagged; null when none is open */
  oldestOpenAgeSeconds: number | null;
}

export interface SupervisionReport {
  policies: Array<ReportRow & { policyId: number; name: string }>;
  reviewers: Array<ReportRow & { reviewer: string }>;
}

function age(oldest: number | null, now: number): number | null {
  return oldest === null ? null : Math.max(0, Math.floor((now - oldest) / 1000));
}

export async function supervisionReport(db: Db, now = Date.now()): Promise<SupervisionReport> {
  const byPolicy = new Map((await supervisionCountsByPolicy(db)).map((c) => [Number(c.key), c]));
  const policies = (await listPolicies(db)).map((p) => {
    const c = byPolicy.get(p.id);
    return {
      policyId: p.id,
      name: p.name,
      flagged: c?.flagged ?? 0,
      reviewed: c?.reviewed ?? 0,
      open: c?.open ?? 0,
      oldestOpenAgeSeconds: age(c?.oldestOpenFlaggedAt ?? null, now),
    };
  });
  const reviewers = (await supervisionCountsByReviewer(db)).map((c) => ({
    reviewer: c.key,
    flagged: c.flagged,
    reviewed: c.reviewed,
    open: c.open,
    oldestOpenAgeSeconds: age(c.oldestOpenFlaggedAt, now),
  }));
  return { policies, reviewers };
}
