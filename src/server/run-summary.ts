/**
 * A run as the console shows it: the counters of the report (at source, processed, after
 * fan-out, delivered, partial, duplicates, held and failed by reason) and its outcome, read
 * through the same definitions as `report` from a stored run row or a run that just ended.
 */
import { runCountersOf, runOutcome, type RunRow } from '../store/index.js';
import type { RunSummary } from './contract.js';

export function runSummary(row: RunRow): RunSummary {
  const c = runCountersOf(row.counters);
  const failedByReason: Record<string, number> = {};
  for (const [reason, n] of Object.entries(c.delivery.held)) failedByReason[`delivery:${reason}`] = n;
  if (c.failed) failedByReason.processing = c.failed;
  return {
    id: row.id,
    connectorId: row.connectorId,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    status: row.status,
    outcome: runOutcome(row.status, c),
    atSource: c.atSource,
    processed: c.processed,
    afterFanOut: c.afterFanOut,
    archived: c.archived,
    // Entries in the embedded archive are delivered when written; external destinations add theirs.
    delivered: c.afterFanOut + c.delivery.delivered,
    partial: c.delivery.partial,
    duplicates: c.duplicates + c.delivery.duplicates,
    held: c.held,
    failed: c.failed,
    failedByReason,
    error: row.error,
  };
}
