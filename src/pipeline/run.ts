/**
 * One run of a connector: capture what the source has, then process every record that is
 * pending (new, left over by an interrupted run, or released from a hold), and record the
 * run with its counters. A crash anywhere resumes from the store on the next run.
 */
import { describeError } from '../core/errors.js';
import { crashPoint } from '../core/fault-points.js';
import {
  commitProcessed,
  diskFull,
  finishRun,
  listWork,
  markInterruptedRuns,
  releaseOwnerLeases,
  saveDirectory,
  sourceHealth,
  runOutcome,
  startRun,
  type RunOutcome,
  type SourceHealth,
  type Db,
  type Store,
} from '../store/index.js';
import { captureAvailable } from './capture.js';
import { deliverDue, type DeliverOptions, type DeliveryCounters } from './deliver.js';
import { mapParticipants, renderItem } from './prepare.js';
import { addCounters, emptyCounters, heldTotal, type RunCounters } from './counters.js';
import { newRunState, processBatch, type ConnectorRuntime } from './process.js';
import { loadActivePolicies } from '../compliance/supervision/index.js';
import type { PreparedResult } from './decrypt.js';
import type { RawRecordRow } from '../store/index.js';

export interface RunOptions {
  now?: () => number;
  /** records decrypted per worker task and committed per transaction */
  batchSize?: number;
  /** attempts before a failing record is left for an operator */
  maxAttempts?: number;
  onProgress?: (p: RunProgress) => void;
}

export interface RunProgress {
  phase: 'capture' | 'process' | 'deliver' | 'done';
  runId: number;
  captured: number;
  processed: number;
  /** records known to be waiting when processing started */
  total: number;
  /** deliver phase: rows delivered so far, of `toDeliver` due when it began (worker processes say these) */
  delivered?: number;
  toDeliver?: number;
}

export interface RunReport extends RunCounters {
  runId: number;
  connectorId: string;
  status: 'succeeded' | 'failed';
  /** as `report` and the console name it: `held` when every record processed was held */
  outcome: RunOutcome;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  heldTotal: number;
  interruptedRunsFound: number;
  /** lag against the source's 5-day retention, known gaps */
  health: SourceHealth;
  /** outcomes of the external destinations' deliveries in this run */
  delivery?: DeliveryCounters;
  error?: string;
}

/** Who a run's delivery leases belong to: named by the run, so a later run can release them. */
export function runLeaseOwner(runId: number): string {
  return `run:${runId}`;
}

/** How a delivery renders again an item whose attachments a destination refused (with a note in their place). */
export function rerenderWith(rt: ConnectorRuntime): NonNullable<DeliverOptions['rerender']> {
  return (item, omit, note) =>
    renderItem(item.model, mapParticipants(item.model, rt.lookups), rt.lookups, {
      attachmentBytes: (i) => (omit.has(i) ? undefined : item.attachments[i]?.bytes),
      attachmentMissingReason: (i) => (omit.has(i) ? note(i) : undefined),
    });
}

/**
 * Records the connector's runs whose process is gone as interrupted (a single writer's earlier
 * run; a role process whose heartbeat lease ran out) and frees the delivery rows they leased.
 * Those leases belong to nobody now, so the deliveries are due again at once, in doubt (the
 * destinations' own duplicate check keeps them exactly-once), instead of after their lease.
 * Only those runs': other workers' leases of the same connector stay theirs.
 */
export async function interruptRuns(db: Db, connectorId: string, now: number): Promise<number[]> {
  const interrupted = await markInterruptedRuns(db, connectorId, now);
  await releaseOwnerLeases(db, interrupted.map(runLeaseOwner));
  return interrupted;
}

export async function runOnce(store: Store, rt: ConnectorRuntime, opts: RunOptions = {}): Promise<RunReport> {
  const now = opts.now ?? Date.now;
  const batchSize = opts.batchSize ?? 256;
  const started = now();
  const interrupted = await interruptRuns(store.db, rt.id, started);
  const runId = await startRun(store.db, rt.id, started);
  const counters = emptyCounters();
  const progress = (phase: RunProgress['phase'], total = 0) =>
    opts.onProgress?.({ phase, runId, captured: counters.captured, processed: counters.fetched, total });
  let error: string | undefined;
  let delivery: DeliveryCounters | undefined;
  try {
    await saveDirectory(store.db, rt.id, rt.directory, started);
    counters.captured = await captureAvailable(store.db, rt.source, {
      connectorId: rt.id,
      now,
      onBatch: (n) => {
        counters.captured = n;
        progress('capture');
      },
    });
    const state = newRunState();
    const destinationIds = rt.destinations.map((d) => d.id);
    const total = counters.captured;
    const maxAttempts = opts.maxAttempts ?? 5;
    // Batches overlap: while this thread fetches media and commits batch k, the worker threads
    // already prepare batch k+1, so every core stays busy.
    const next = async (after: string): Promise<{ rows: RawRecordRow[]; prepared: Promise<PreparedResult[]> }> => {
      const rows = await listWork(store.db, rt.id, { afterSeqKey: after, limit: batchSize, maxAttempts });
      const prepared = rt.preparer.prepare(rows.map((r) => r.record_json));
      // Observed again when awaited; this only keeps an early failure from being "unhandled".
      prepared.catch(() => undefined);
      return { rows, prepared };
    };
    let current = await next('');
    while (current.rows.length > 0) {
      const prepared = await current.prepared;
      const upcoming = next(current.rows[current.rows.length - 1]!.seq_key);
      upcoming.catch(() => undefined);
      state.supervision = await loadActivePolicies(store.db);
      const batch = emptyCounters();
      const processed = await processBatch(store, rt, current.rows, prepared, state, batch);
      crashPoint('before-commit');
      const committed = await commitProcessed(store.db, rt.id, processed, {
        now: now(),
        runId,
        destinations: destinationIds,
      });
      // After fan-out counts the entries this run made: a record processed again after a mapping
      // change adds its new mailboxes only, so the runs' fan-out adds up to the archive's.
      batch.deliveries = committed.entriesCreated;
      // Committed: the next batch finds these keys' versions in the store.
      state.versions.clear();
      addCounters(counters, batch);
      progress('process', Math.max(total, counters.fetched));
      current = await upcoming;
    }
    counters.unmappedParticipants = state.unmapped.size;
    if (rt.destinations.length > 0) {
      progress('deliver', counters.fetched);
      delivery = await deliverDue(store, rt.destinations, {
        now,
        owner: runLeaseOwner(runId),
        rerender: rerenderWith(rt),
      });
    }
  } catch (err) {
    error = describeError(err);
  }
  const finished = now();
  let status: RunReport['status'] = error ? 'failed' : 'succeeded';
  try {
    await finishRun(store.db, runId, status, delivery ? { ...counters, delivery } : counters, finished, error);
  } catch (err) {
    // On a full disk the run's own record may not fit either: the report still says what was
    // committed, and the run stays marked running, so the next run reports it as interrupted.
    error = `${error ?? 'the run'}; its record could not be saved: ${describeError(diskFull(err) ?? err)}`;
    status = 'failed';
  }
  const head = await rt.source.head?.().catch(() => undefined);
  const health = await sourceHealth(store.db, rt.id, finished, head);
  progress('done', counters.fetched);
  return {
    runId,
    connectorId: rt.id,
    status,
    outcome: runOutcome(status, {
      processed: counters.fetched,
      archived: counters.archived,
      heldTotal: heldTotal(counters),
    }),
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    ...counters,
    heldTotal: heldTotal(counters),
    interruptedRunsFound: interrupted.length,
    health,
    ...(delivery ? { delivery } : {}),
    ...(error ? { error } : {}),
  };
}
