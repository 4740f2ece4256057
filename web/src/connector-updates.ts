/**
 * Folds live events (GET /api/events) into connector data already on screen, so lists and
 * detail pages move without a reload. Pure functions: the pages hold the state, this decides
 * what an event changes. Older events than what is shown are ignored (the stream may replay).
 */
import type { ConnectorSummary, LiveEvent, RunSummary } from '../../src/server/contract.js';

/** The connector after `event`; the same object when the event is about another connector or stale. */
export function applyToConnector<T extends ConnectorSummary>(connector: T, event: LiveEvent): T {
  switch (event.type) {
    case 'progress': {
      const p = event.data;
      if (p.connectorId !== connector.id) return connector;
      const shown = connector.progress;
      if (shown && shown.runId === p.runId && shown.at > p.at) return connector;
      return { ...connector, progress: p };
    }
    case 'state': {
      const s = event.data;
      if (s.connectorId !== connector.id) return connector;
      return { ...connector, state: s.state, stateDetail: s.stateDetail };
    }
    case 'run': {
      const run = event.data;
      if (run.connectorId !== connector.id) return connector;
      if (connector.lastRun && connector.lastRun.id > run.id) return connector;
      const progressOfThisRun = connector.progress && (connector.progress.runId ?? run.id) === run.id;
      const finished = run.finishedAt !== null;
      return { ...connector, lastRun: run, progress: finished && progressOfThisRun ? null : connector.progress };
    }
  }
}

/** Applies `event` to every connector of a list. */
export function applyLiveEvent<T extends ConnectorSummary>(connectors: readonly T[], event: LiveEvent): T[] {
  return connectors.map((c) => applyToConnector(c, event));
}

/** Inserts or replaces `run` in a newest-first run history. */
export function upsertRun(runs: readonly RunSummary[], run: RunSummary): RunSummary[] {
  const rest = runs.filter((r) => r.id !== run.id);
  return [...rest, run].sort((a, b) => b.id - a.id);
}
