/**
 * One pass of each pipeline role of `serve --role` on one connector, for processes that share a
 * PostgreSQL database. A capture pass (under the connector's capture lease) re-evaluates what a
 * fixed cause held, marks the runs of dead processes interrupted, and stores what the source has,
 * every commit fenced by the lease's token. A worker pass processes the records it can claim
 * (record-worker.ts) and delivers what is due. Each pass is recorded as a run owned by this
 * process, so a run of a live process is never taken for an interrupted one.
 */
import type { ConnectorConfig } from '../config/index.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { SourceRegistry } from '../sources/types.js';
import {
  dueMailboxes,
  finishRun,
  hasWaitingRecords,
  isControlPaused,
  saveConnectorState,
  saveDirectory,
  startRun,
  type DueDelivery,
  type Store,
  type UrlSeal,
} from '../store/index.js';
import { captureAvailable } from './capture.js';
import { buildConnector } from './connector.js';
import { releaseFixedHolds } from './run-connector.js';
import { emptyCounters } from './counters.js';
import { deliverDue, emptyDeliveryCounters, type DeliveryCounters } from './deliver.js';
import type { HeldLease } from './lease-keeper.js';
import { processClaimed } from './record-worker.js';
import { DeliveryLeaseKeeper } from './role-delivery-leases.js';
import { ProgressWriter } from './role-progress.js';
import type { KeptDestinations } from './role-destinations.js';
import { interruptRuns, rerenderWith, runLeaseOwner } from './run.js';
import type { ManagedConnector } from './supervisor.js';

/** How often a worker's deliver phase records its counts for consoles of other processes, ms. */
const PROGRESS_EVERY_MS = 1000;

export interface PassDeps {
  store: Store;
  sources: SourceRegistry;
  /** prepare threads of a worker */
  workers: number;
  /** this process's id: owner of its runs, claims and leases */
  owner: string;
  /** how long a claim or lease lasts unless renewed, ms */
  leaseMs: number;
  /**
   * how long a worker leases delivery rows, ms: longer than any send may take, since a send in
   * flight cannot be fenced; a dead worker's rows wait this long
   */
  deliveryLeaseMs: number;
  /** the schedule's interval, ms: a failed record is tried again after it */
  intervalMs: number;
  seal?: UrlSeal;
  logger?: Logger;
  now?: () => number;
  signal?: AbortSignal;
  /** a worker's destinations, kept across its passes (their connections with them) */
  kept?: KeptDestinations;
  /** this process's heartbeat lease: a worker extends its delivery leases only while it is live */
  heartbeat?: { name: string; owner: string };
  /** the heartbeat lease as this process holds it: no send starts once it may have run out */
  alive?: Pick<HeldLease, 'lease' | 'lapsedAt'>;
}

export interface PassReport {
  connectorId: string;
  runId: number;
  captured: number;
  fetched: number;
  archived: number;
  delivery?: DeliveryCounters;
  /** a worker's batches: committed, given back to claim again from the lowest, dropped to another worker */
  claims?: { committed: number; reclaimed: number; lost: number };
  error?: string;
}

async function build(deps: PassDeps, m: ManagedConnector, opts: { refreshDirectoryAt?: number; workers: number }) {
  const secrets = m.secrets ? await m.secrets() : undefined;
  const destinations = deps.kept ? await deps.kept.of(m.config) : undefined;
  return buildConnector(m.config, {
    ...(destinations ? { destinations } : {}),
    workers: opts.workers,
    sources: deps.sources,
    db: deps.store.db,
    sharedPool: true,
    ...(opts.refreshDirectoryAt !== undefined ? { refreshDirectoryAt: opts.refreshDirectoryAt } : {}),
    ...(secrets ? { secrets } : {}),
    ...(deps.seal ? { seal: deps.seal } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}

/**
 * A worker starts a send only while its heartbeat is surely live in the database, and never one
 * of rows leased before the heartbeat last lapsed: other workers take a dead process's rows at
 * once, so a process that only stalled past its heartbeat must leave those rows to them (its late
 * outcomes are refused by the rows' tokens anyway; this keeps the destination from a second copy).
 */
export function mayStillSendWith(
  alive: Pick<HeldLease, 'lease' | 'lapsedAt'>,
): (row: DueDelivery, now: number) => boolean {
  return (row, now) => now < alive.lease.expiresAt && row.leasedAt > alive.lapsedAt;
}

function progressWriter(deps: PassDeps, runId: () => number | undefined): ProgressWriter {
  return new ProgressWriter(deps.store.db, runId, {
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
}

/** Captures what the source has, holding `lease` (the connector's capture lease). */
export async function capturePass(deps: PassDeps, m: ManagedConnector, lease: HeldLease): Promise<PassReport> {
  const { db } = deps.store;
  const now = deps.now ?? Date.now;
  const cfg: ConnectorConfig = m.config;
  const started = now();
  const built = await build(deps, m, { refreshDirectoryAt: started, workers: 0 });
  try {
    const { state } = await releaseFixedHolds(db, cfg, built, started);
    // Runs whose process is gone (its heartbeat lease ran out) are recorded as interrupted and
    // their delivery rows freed at once (workers do the same on each look).
    await interruptRuns(db, cfg.id, started);
    const runId = await startRun(db, cfg.id, started, deps.owner);
    const counters = emptyCounters();
    const progress = progressWriter(deps, () => runId);
    let error: string | undefined;
    try {
      await saveDirectory(db, cfg.id, built.runtime.directory, started);
      counters.captured = await captureAvailable(db, built.runtime.source, {
        connectorId: cfg.id,
        now,
        fence: () => lease.lease,
        onBatch: (captured) => progress.set({ phase: 'capture', captured, processed: 0, total: 0 }),
        // Stops at the next checkpoint when the lease is lost or the process is told to stop.
        signal: deps.signal ? AbortSignal.any([lease.signal, deps.signal]) : lease.signal,
      });
    } catch (err) {
      // Stopped (SIGTERM): what it committed stands, the rest is read again by the next capture.
      if (!(deps.signal?.aborted && !lease.signal.aborted)) error = describeError(err);
    }
    await progress.close();
    await finishRun(db, runId, error ? 'failed' : 'succeeded', counters, now(), error);
    await saveConnectorState(db, cfg.id, { ...state, mappingFingerprint: built.mappingFingerprint });
    return {
      connectorId: cfg.id,
      runId,
      captured: counters.captured,
      fetched: 0,
      archived: 0,
      ...(error ? { error } : {}),
    };
  } finally {
    await built.close();
  }
}

/**
 * Processes the records this worker can claim and delivers what is due; undefined when there
 * was nothing to do (no run is recorded for an idle look).
 */
export async function workerPass(deps: PassDeps, m: ManagedConnector): Promise<PassReport | undefined> {
  const { db } = deps.store;
  const now = deps.now ?? Date.now;
  const cfg = m.config;
  const retryFailedAfterMs = deps.intervalMs;
  // A dead worker's delivery rows are due again now, not when their (long) lease runs out: its
  // heartbeat ran out, so no send of it can start any more (`mayStillSend` below), and the rows
  // come back in doubt, looked up at the destination before they are sent again.
  await interruptRuns(db, cfg.id, now());
  // Cheap looks first: building the runtime reads the mapping and the directory.
  const waiting = await hasWaitingRecords(db, { connectorId: cfg.id, now: now(), maxAttempts: 5, retryFailedAfterMs });
  let due = false;
  // The ids buildDestinations gives them (a destination without one is named by its kind).
  for (const d of cfg.destinations)
    if ((await dueMailboxes(db, { destinationId: d.id ?? d.kind, now: now() })).length > 0) due = true;
  if (!waiting && !due) return undefined;
  const built = await build(deps, m, { workers: deps.workers });
  let runId: number | undefined;
  const run = async () => (runId ??= await startRun(db, cfg.id, now(), deps.owner));
  let error: string | undefined;
  let counters = emptyCounters();
  let delivery: DeliveryCounters | undefined;
  const claims = { committed: 0, reclaimed: 0, lost: 0 };
  const progress = progressWriter(deps, () => runId);
  try {
    try {
      const r = await processClaimed(deps.store, built.runtime, {
        owner: deps.owner,
        now,
        claimMs: deps.leaseMs,
        retryFailedAfterMs,
        runId: run,
        onCommitted: (c) => progress.set({ phase: 'process', captured: 0, processed: c.fetched, total: c.fetched }),
        // Paused from a console of another process: the batch under way commits, no other is claimed.
        paused: () => isControlPaused(db, cfg.id),
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
      counters = r.counters;
      Object.assign(claims, { committed: r.committed, reclaimed: r.reclaimed, lost: r.lost });
      if (built.runtime.destinations.length > 0 && !(await isControlPaused(db, cfg.id))) {
        // Rows in flight keep their leases while this process lives, however long a send takes.
        const keeper = new DeliveryLeaseKeeper(db, {
          leaseMs: deps.deliveryLeaseMs,
          now,
          ...(deps.heartbeat ? { heartbeat: deps.heartbeat } : {}),
          ...(deps.logger ? { logger: deps.logger } : {}),
        }).start();
        // The run is recorded before the deliver phase's first count, so that count is written at
        // once even when this pass claimed no record (a run's progress needs its id).
        const owner = runLeaseOwner(await run());
        // Live counts of the deliver phase: what this run has delivered of what was due when it began.
        const live = emptyDeliveryCounters();
        let toDeliver = 0;
        for (const d of built.runtime.destinations)
          for (const box of await dueMailboxes(db, { destinationId: d.id, now: now() })) toDeliver += box.due;
        const deliverCounts = () => ({
          phase: 'deliver' as const,
          captured: 0,
          processed: counters.fetched,
          total: counters.fetched,
          delivered: live.delivered + live.duplicates + live.partial,
          toDeliver,
        });
        const deliverProgress = () => progress.set(deliverCounts());
        // The first rows delivered are written at once: a phase shorter than the writer's second
        // would otherwise show 0 delivered to the end, then leave the live view.
        let firstDelivered = false;
        const onCommitted = () => {
          if (firstDelivered || deliverCounts().delivered === 0) return;
          firstDelivered = true;
          progress.setNow(deliverCounts());
        };
        deliverProgress();
        const ticker = setInterval(deliverProgress, PROGRESS_EVERY_MS);
        ticker.unref();
        try {
          delivery = await deliverDue(deps.store, built.runtime.destinations, {
            counters: live,
            now,
            owner,
            leaseMs: deps.deliveryLeaseMs,
            rerender: rerenderWith(built.runtime),
            // Other workers deliver the same destinations: their lanes start elsewhere.
            spread: true,
            onLeased: (rows) => keeper.track(rows),
            onCommitted,
            ...(deps.alive ? { mayStillSend: mayStillSendWith(deps.alive) } : {}),
          });
        } finally {
          clearInterval(ticker);
          await keeper.stop();
        }
      }
    } catch (err) {
      // Stopped (SIGTERM): what it committed stands and its claims were given back; not a failure.
      if (!deps.signal?.aborted) error = describeError(err);
    }
    await progress.close();
    if (runId === undefined && error) await run();
    if (runId === undefined) return undefined;
    const all = { ...counters, claims, ...(delivery ? { delivery } : {}) };
    await finishRun(db, runId, error ? 'failed' : 'succeeded', all, now(), error);
    return {
      connectorId: cfg.id,
      runId,
      captured: 0,
      fetched: counters.fetched,
      archived: counters.archived,
      claims,
      ...(delivery ? { delivery } : {}),
      ...(error ? { error } : {}),
    };
  } finally {
    await built.close();
  }
}
