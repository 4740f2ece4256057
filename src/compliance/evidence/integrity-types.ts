/**
 * The shapes of the Integrity page's answers, without imports that need Node, so that the
 * console's contract can share them with the browser code.
 */
import type { Problem } from './problems.js';

export interface IntegritySummary {
  lastVerification: {
    checkedAt: string;
    since: string | null;
    ok: boolean;
    durationMs: number;
    problemCount: number;
    firstBroken: Problem | null;
    actor: string;
    via: string;
  } | null;
  chains: {
    ingest: { head: string; events: number; lastEventId: number };
    audit: { head: string; events: number; lastEventId: number };
  };
  latestCheckpoint: { number: number; at: string; signed: boolean; keyId: string; timestamped: boolean } | null;
  /** completeness gaps in each connector's seq: first and last missing seq */
  gaps: { connectorId: string; from: string; to: string; count: number }[];
  /** what an evidence package downloaded now would carry, or why it would be refused */
  evidence: EvidenceReadiness;
  /** null when no backup directory is configured */
  backup: {
    dir: string;
    lastAt: string | null;
    ageMs: number | null;
    snapshot: string | null;
    error: string | null;
  } | null;
}

/** A verify run's outcome as the console shows it (the full report stays with `verify --json`). */
export interface IntegrityVerifyResult {
  ok: boolean;
  checkedAt: string;
  since: string | null;
  durationMs: number;
  problemCount: number;
  firstBroken: Problem | null;
}

/** Where a verify run is: its phase, and within it how much is done of how much (null: unknown). */
export interface IntegrityVerifyProgress {
  phase: 'ingest' | 'blobs' | 'audit' | 'checkpoints' | 'seq';
  done: number;
  total: number | null;
}

/** A verify run started from the console: it runs in the background and the page polls it. */
export interface IntegrityVerifyJob {
  id: string;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  since: string | null;
  actor: string;
  progress: IntegrityVerifyProgress;
  /** when done */
  result: IntegrityVerifyResult | null;
  /** when failed: why verify could not run to the end (not a broken archive: that is a result) */
  error: string | null;
}

/** The completed verification an evidence package carries, named so an auditor can tell which. */
export interface PackagedVerification {
  /** the verify run's number (the `verify_runs` row) */
  id: number;
  /** when the verification started */
  checkedAt: string;
  /** `full`: the whole archive; `since`: rows, blobs and time-stamps added since `since` (chains and signatures whole) */
  scope: 'full' | 'since';
  since: string | null;
  ok: boolean;
  problemCount: number;
  actor: string;
  via: string;
}

/**
 * Whether the console can hand out an evidence package now. It carries the latest completed
 * verification; without one, or when a checkpoint was signed after it (the report would not
 * cover every checkpoint in the package), it is refused until verify runs again.
 */
export interface EvidenceReadiness {
  verification: PackagedVerification | null;
  refused: {
    reason: 'never-verified' | 'no-report' | 'checkpoint-newer';
    /** the newest checkpoint, when it is what made the verification stale */
    checkpoint: { number: number; at: string } | null;
  } | null;
}
