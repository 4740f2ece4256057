/**
 * The work of a worker process (`serve --role worker`) on one connector: claim a batch of the
 * waiting raw records, prepare it (decrypt, parse, map, render on the thread pool) while other
 * workers prepare theirs, and commit it in seq order. The commit waits until no waiting record
 * before the batch remains, because processing reads what earlier records committed (the first
 * record of an item key owns it; a recall names its original); when what waits before it is
 * claimed by nobody (its worker died), the batch is given back and the worker claims again from
 * the lowest, so a dead worker never blocks the others. What runs in parallel across workers is
 * the decryption and rendering, the CPU-heavy part; the commits are serial per connector.
 *
 * The commit is fenced by the claim's tokens: a worker that stalled past its claim while another
 * claimed the records drops its result (WXA_RECORD_CLAIM_LOST) instead of writing it twice.
 */
import { isArchiverError } from '../core/errors.js';
import { crashPoint } from '../core/fault-points.js';
import {
  claimRecords,
  commitProcessed,
  recordsAhead,
  releaseClaim,
  renewClaim,
  type RecordClaim,
  type Store,
} from '../store/index.js';
import { loadActivePolicies } from '../compliance/supervision/index.js';
import { addCounters, emptyCounters, type RunCounters } from './counters.js';
import { newRunState, processBatch, type ConnectorRuntime } from './process.js';

export interface RecordWorkerOptions {
  /** this worker's unique id */
  owner: string;
  now?: () => number;
  /** records per claim (decrypted per worker task and committed per transaction) */
  batchSize?: number;
  maxAttempts?: number;
  /** how long a claim lasts unless renewed, ms: how long a dead worker's records wait */
  claimMs: number;
  /** a failed record is tried again this long after its last attempt, ms */
  retryFailedAfterMs: number;
  /** how often to look again while earlier records are being committed by another worker, ms */
  pollMs?: number;
  /** the run the committed entries are recorded under (called at the first commit) */
  runId: () => Promise<number>;
  signal?: AbortSignal;
  /** told the pass's counters after each committed batch (live progress for the console) */
  onCommitted?: (counters: RunCounters) => void;
  /** asked before each claim: true (the console paused the connector) ends the pass, claiming nothing more */
  paused?: () => Promise<boolean>;
}

export interface RecordWorkerReport {
  counters: RunCounters;
  /** batches committed */
  committed: number;
  /** batches given back to claim again from the lowest (earlier records nobody held) */
  reclaimed: number;
  /** batches dropped because another worker claimed their records first */
  lost: number;
}

/** Processes waiting records of the connector until none is left to claim (or `signal` aborts). */
export async function processClaimed(
  store: Store,
  rt: ConnectorRuntime,
  opts: RecordWorkerOptions,
): Promise<RecordWorkerReport> {
  const now = opts.now ?? Date.now;
  const report: RecordWorkerReport = { counters: emptyCounters(), committed: 0, reclaimed: 0, lost: 0 };
  const claimOpts = {
    connectorId: rt.id,
    owner: opts.owner,
    leaseMs: opts.claimMs,
    limit: opts.batchSize ?? 256,
    maxAttempts: opts.maxAttempts ?? 5,
    retryFailedAfterMs: opts.retryFailedAfterMs,
  };
  // Distinct people across the pass's batches (a person unmapped in two batches counts once).
  const unmapped = new Set<string>();
  for (;;) {
    opts.signal?.throwIfAborted();
    if (await opts.paused?.()) return report;
    const claim = await claimRecords(store.db, { ...claimOpts, now: now() });
    if (claim.records.length === 0) return report;
    let current = claim;
    try {
      const outcome = await oneBatch(store, rt, claim, opts, now, (c) => (current = c));
      if (outcome === 'reclaimed') report.reclaimed++;
      else if (outcome === 'lost') report.lost++;
      else {
        report.committed++;
        addCounters(report.counters, outcome.counters);
        for (const u of outcome.unmapped) unmapped.add(u);
        report.counters.unmappedParticipants = unmapped.size;
        opts.onCommitted?.(report.counters);
      }
    } catch (err) {
      // Given back at once rather than when the claim runs out: another worker may do better.
      await releaseClaim(store.db, current).catch(() => undefined);
      throw err;
    }
  }
}

/** Prepares, waits its turn and commits one claim: its counters, or what became of it instead. */
async function oneBatch(
  store: Store,
  rt: ConnectorRuntime,
  claimed: RecordClaim,
  opts: RecordWorkerOptions,
  now: () => number,
  track: (c: RecordClaim) => void,
): Promise<{ counters: RunCounters; unmapped: ReadonlySet<string> } | 'reclaimed' | 'lost'> {
  const prepared = rt.preparer.prepare(claimed.records.map((r) => r.record_json));
  // Observed again when awaited; this only keeps an early failure from being "unhandled".
  prepared.catch(() => undefined);
  const ready = await inTurn(store, claimed, opts, now);
  if (ready === 'reclaim') {
    await prepared.catch(() => undefined);
    return 'reclaimed';
  }
  track(ready);
  // Only the records kept in turn (a prefix of the claim) are processed.
  const results = (await prepared).slice(0, ready.records.length);
  // The wait above may have outlasted the claim: renew it, and drop the batch if any record passed on.
  const claim = await renewClaim(store.db, ready, { now: now(), leaseMs: opts.claimMs });
  track(claim);
  if (claim.records.length !== ready.records.length) {
    await releaseClaim(store.db, claim);
    return 'lost';
  }
  const state = newRunState();
  state.supervision = await loadActivePolicies(store.db);
  const batch = emptyCounters();
  const processed = await processBatch(store, rt, claim.records, results, state, batch);
  crashPoint('before-commit');
  try {
    const committed = await commitProcessed(store.db, rt.id, processed, {
      now: now(),
      runId: await opts.runId(),
      destinations: rt.destinations.map((d) => d.id),
      claim,
    });
    batch.deliveries = committed.entriesCreated;
  } catch (err) {
    if (!isArchiverError(err, 'WXA_RECORD_CLAIM_LOST')) throw err;
    return 'lost';
  }
  return { counters: batch, unmapped: state.unmapped };
}

/**
 * Waits until no waiting record before the claim remains that is not this worker's: returns the
 * claim to commit (renewed while waiting; only its records before another's, when the claim is
 * not contiguous, the rest given back), or 'reclaim' after giving it all back because a record
 * before it is held by nobody.
 */
async function inTurn(
  store: Store,
  claim: RecordClaim,
  opts: RecordWorkerOptions,
  now: () => number,
): Promise<RecordClaim | 'reclaim'> {
  for (;;) {
    opts.signal?.throwIfAborted();
    const ahead = await recordsAhead(store.db, {
      connectorId: claim.connectorId,
      first: claim.records[0]!.seq_key,
      last: claim.records[claim.records.length - 1]!.seq_key,
      owner: claim.owner,
      now: now(),
    });
    if (ahead.free > 0) {
      await releaseClaim(store.db, claim);
      return 'reclaim';
    }
    if (ahead.claimed === 0) {
      const cut = ahead.firstBetween;
      if (cut === null) return claim;
      const keep = claim.records.filter((r) => r.seq_key < cut);
      await releaseClaim(store.db, { ...claim, records: claim.records.filter((r) => r.seq_key >= cut) });
      return { ...claim, records: keep };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
    if (claim.until - now() < opts.claimMs / 2) {
      const renewed = await renewClaim(store.db, claim, { now: now(), leaseMs: opts.claimMs });
      // Records that passed on: the rest goes back too, a batch is committed whole.
      if (renewed.records.length !== claim.records.length) {
        await releaseClaim(store.db, renewed);
        return 'reclaim';
      }
      claim = renewed;
    }
  }
}
