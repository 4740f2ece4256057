/**
 * Group commit of delivery outcomes: rows a destination accepted are recorded in the ledger
 * up to a few hundred at a time, in one transaction (one sync of the database file) instead of
 * one each. That sync blocks this thread (SQLite runs on it), stalling every connection's
 * replies meanwhile, so commits are few: at most one per half second while deliveries flow. Exactly-once does not rest on this write: until it commits, each row stays leased and
 * marked in doubt, so after a crash the next attempt looks for the copy first and records it
 * as a duplicate instead of sending it again. Outcomes are counted when they commit: one whose
 * row had meanwhile been leased by another worker (this one stalled past its lease) is not
 * written, and counted as lost, not as delivered.
 */
import { finishDeliveries, type FinishedDelivery, type LeasedRow, type Store } from '../store/index.js';
import type { DeliveryCounters } from './deliver.js';

export interface OutcomeBufferOptions {
  now: () => number;
  /** where committed outcomes are counted */
  counters: DeliveryCounters;
  /** outcomes that trigger a commit at once (default 256) */
  maxRows?: number;
  /** longest an outcome waits for its commit, ms (default 500) */
  maxWaitMs?: number;
  /** told after each commit has been counted */
  onCommitted?: (counters: DeliveryCounters) => void;
}

export class OutcomeBuffer {
  private pending: { row: LeasedRow; outcome: FinishedDelivery }[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** commits run one after another, in the order their outcomes arrived */
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** rows handed to commits that have not finished yet */
  private backlog = 0;
  /** outcomes recorded so far (committed) */
  committed = 0;

  constructor(
    private readonly store: Store,
    private readonly opts: OutcomeBufferOptions,
  ) {}

  /**
   * Queues one outcome. Resolves at once, unless too many outcomes are waiting for a commit
   * that is slow (a busy disk): then it waits, so memory and the crash window stay bounded.
   */
  async add(row: LeasedRow, outcome: FinishedDelivery): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending.push({ row, outcome });
    const max = this.opts.maxRows ?? 256;
    if (this.pending.length >= max) {
      const done = this.flush();
      if (this.backlog > max * 4) await done;
      return;
    }
    this.timer ??= setTimeout(() => void this.flush(), this.opts.maxWaitMs ?? 500);
  }

  /** Commits what is queued; the returned promise settles when that commit has. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return this.chain;
    this.pending = [];
    this.backlog += batch.length;
    this.chain = this.chain.then(async () => {
      try {
        if (!this.failure) {
          const lost = new Set(await finishDeliveries(this.store.db, batch, this.opts.now()));
          this.committed += batch.length - lost.size;
          const c = this.opts.counters;
          for (const { row, outcome } of batch) {
            if (lost.has(row)) c.leaseLost++;
            else if (outcome.status === 'delivered') c.delivered++;
            else if (outcome.status === 'duplicate') c.duplicates++;
            else c.partial++;
          }
          this.opts.onCommitted?.(c);
        }
      } catch (err) {
        // The rows stay leased and in doubt: nothing is lost, the next run looks them up.
        this.failure ??= err;
      } finally {
        this.backlog -= batch.length;
      }
    });
    return this.chain;
  }

  /** Commits the rest; throws the first commit failure, if any. */
  async close(): Promise<void> {
    await this.flush();
    if (this.failure) throw this.failure;
  }
}
