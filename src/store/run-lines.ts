/**
 * A run's counters as every reader shows them (`report`, the console's run history, live run
 * events), read from the counters the run stored, and the run's outcome. "At source" is what the
 * run pulled new from the source; records it processed again (released from a hold, left over by
 * an interrupted run) are `processed` but never counted at the source a second time.
 */

import type { RunOutcome } from '../core/counters.js';

export type { RunOutcome };

export interface RunCountersView {
  /** new raw records pulled from the source in this run */
  atSource: number;
  /** records this run processed: its new ones, and earlier ones released or left pending */
  processed: number;
  /** mailbox entries written (one per item per mapped participant) */
  afterFanOut: number;
  archived: number;
  /** of `archived`: the source sent the same message again */
  duplicates: number;
  held: Record<string, number>;
  heldTotal: number;
  failed: number;
  /** external destinations' outcomes in this run */
  delivery: { delivered: number; partial: number; duplicates: number; held: Record<string, number> };
}

interface StoredCounters {
  captured?: number;
  fetched?: number;
  deliveries?: number;
  archived?: number;
  held?: Record<string, number>;
  failed?: number;
  duplicates?: number;
  delivery?: { delivered?: number; partial?: number; duplicates?: number; held?: Record<string, number> };
}

export function runCountersOf(stored: unknown): RunCountersView {
  const c = (stored ?? {}) as StoredCounters;
  const held = c.held ?? {};
  return {
    // Runs stored before `captured` was kept counted only what they processed.
    atSource: c.captured ?? c.fetched ?? 0,
    processed: c.fetched ?? 0,
    afterFanOut: c.deliveries ?? 0,
    archived: c.archived ?? 0,
    duplicates: c.duplicates ?? 0,
    held,
    heldTotal: Object.values(held).reduce((a, b) => a + b, 0),
    failed: c.failed ?? 0,
    delivery: {
      delivered: c.delivery?.delivered ?? 0,
      partial: c.delivery?.partial ?? 0,
      duplicates: c.delivery?.duplicates ?? 0,
      held: c.delivery?.held ?? {},
    },
  };
}

/**
 * `held` when a run that succeeded processed records and archived none of them because every
 * one was held: nothing failed, but nothing reached a mailbox either, and the operator must act.
 */
export function runOutcome(status: string, c: { processed: number; archived: number; heldTotal: number }): RunOutcome {
  if (status !== 'succeeded') {
    return status === 'running' || status === 'failed' || status === 'interrupted' ? status : 'failed';
  }
  return c.processed > 0 && c.archived === 0 && c.heldTotal > 0 ? 'held' : 'succeeded';
}
