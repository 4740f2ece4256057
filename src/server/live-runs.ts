/**
 * Live run events for a console without a supervisor of its own (`serve --role console`, or any
 * console beside role processes on PostgreSQL): the runs that capture and worker processes are
 * doing are read from the database (`liveRunProgress`) on a short poll while someone watches,
 * and each change is sent as the supervisor's events would be: `progress` while a run goes on,
 * `run` once it has finished. One poll per app, however many streams are open.
 */
import { liveRunProgress, listRuns, type Db } from '../store/index.js';
import type { LiveEvent } from './contract.js';
import { runSummary } from './run-summary.js';

/** How often the running runs are read while a stream is open, ms. */
const POLL_MS = 1000;

export interface LiveRuns {
  /** Subscribes; returns the unsubscribe. The poll runs only while there are subscribers. */
  on(listener: (e: LiveEvent) => void): () => void;
  close(): void;
}

export function liveRunsFromStore(db: Db, opts: { pollMs?: number; onError?: (err: unknown) => void } = {}): LiveRuns {
  const listeners = new Set<(e: LiveEvent) => void>();
  /** run id -> its connector and the `at` of the progress last sent */
  let seen = new Map<number, { connectorId: string; at: number }>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  const emit = (e: LiveEvent) => {
    for (const l of listeners) l(e);
  };

  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const live = await liveRunProgress(db);
      const next = new Map<number, { connectorId: string; at: number }>();
      for (const r of live) {
        next.set(r.runId, { connectorId: r.connectorId, at: r.progress.at });
        if (seen.get(r.runId)?.at !== r.progress.at)
          emit({ type: 'progress', data: { connectorId: r.connectorId, runId: r.runId, ...r.progress } });
      }
      // Runs that were going on and are no longer: their summary, as the supervisor sends it.
      for (const [runId, { connectorId }] of seen) {
        if (next.has(runId)) continue;
        // By id: a capture process records a run every interval, so it may be far from the newest.
        const [row] = await listRuns(db, { connectorId, beforeId: runId + 1, limit: 1 });
        if (row?.id === runId && row.status !== 'running') emit({ type: 'run', data: runSummary(row) });
      }
      seen = next;
    } catch (err) {
      opts.onError?.(err);
    } finally {
      polling = false;
    }
  };

  const stopPolling = () => {
    clearInterval(timer);
    timer = undefined;
  };

  return {
    on(listener) {
      listeners.add(listener);
      if (!timer) {
        timer = setInterval(() => void poll(), opts.pollMs ?? POLL_MS);
        timer.unref();
        void poll();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stopPolling();
      };
    },
    close() {
      listeners.clear();
      stopPolling();
    },
  };
}
