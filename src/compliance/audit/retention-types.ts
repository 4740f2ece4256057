/**
 * The shapes of the audit log's retention, without imports, so that the console's contract can
 * share them with the browser code.
 */

/** What an `audit.prune` event's detail states: the anchor the remaining chain starts from. */
export interface PruneAnchor {
  /** the id of the last event removed */
  throughId: number;
  /** that event's hash: the prev_hash of the first event kept */
  head: string;
  /** how many events were removed by this prune */
  events: number;
  /** events before this time (ms) were removed */
  beforeAt: number;
  /** the effective retention in days at the time of the prune */
  keepDays: number;
  settingDays: number;
  longestPolicyDays: number | null;
}

export interface AuditRetentionStatus {
  /** null: kept forever */
  settingDays: number | null;
  longestPolicy: { id: string; name: string; days: number } | null;
  /** the configured setting is shorter than the longest policy: pruning refuses to run */
  problem: string | null;
  /** ms; events before it would be pruned now; null when nothing would be */
  cutoffAt: number | null;
  lastPrune: (PruneAnchor & { at: number; actor: string }) | null;
}
