/**
 * A run as the console shows it: the counters of the report (at source, after fan-out,
 * delivered, partial, duplicates, held and failed by reason), from a stored run row or from the
 * report of a run that just ended.
 */
import type { RunRow } from '../store/index.js';
import type { RunSummary } from './contract.js';

interface StoredCounters {
  fetched?: number;
  deliveries?: number;
  archived?: number;
  held?: Record<string, number>;
  failed?: number;
  duplicates?: number;
  delivery?: { delivered?: number; partial?: number; duplicates?: number; held?: Record<string, number> };
}

export function runSummary(row: RunRow): RunSummary {
  const c = (row.counters ?? {}) as StoredCounters;
  const failedByReason: Record<string, number> = {};
  for (const [reason, n] of Object.entries(c.delivery?.held ?? {})) failedByReason[`delivery:${reason}`] = n;
  if (c.failed) failedByReason.processing = c.failed;
  return {
    id: row.id,
    connectorId: row.connectorId,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    status: row.status,
    atSource: c.fetched ?? 0,
    afterFanOut: c.deliveries ?? 0,
    archived: c.archived ?? 0,
    // Entries in the embedded archive are delivered when written; external destinations add theirs.
    delivered: (c.deliveries ?? 0) + (c.delivery?.delivered ?? 0),
    partial: c.delivery?.partial ?? 0,
    duplicates: (c.duplicates ?? 0) + (c.delivery?.duplicates ?? 0),
    held: c.held ?? {},
    failed: c.failed ?? 0,
    failedByReason,
    error: row.error,
  };
}
