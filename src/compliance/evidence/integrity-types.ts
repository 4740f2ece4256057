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
