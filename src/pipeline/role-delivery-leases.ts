/**
 * Keeps a worker's delivery leases alive while their rows are in flight. Under load a chunk of
 * rows (a MULTIAPPEND of a hundred messages, or rows in doubt looked up one by one) can outlast
 * the lease it was taken under; the rows then passed to another worker in doubt, to be looked up
 * before being sent again, and the first worker's outcomes were dropped. Here every row a pass
 * leased is extended on a timer for as long as it is still this pass's and the process's
 * heartbeat is live in the database (`renewDeliveryLeases`). A process that dies or stalls stops
 * extending, so its rows come back one lease after the last extension, as before: the lease
 * still bounds how long a stalled send can land late, it just no longer bounds a live send.
 */
import type { Logger } from '../core/logger.js';
import { renewDeliveryLeases, type Db, type DueDelivery } from '../store/index.js';

export interface DeliveryLeaseKeeperOptions {
  /** the delivery lease, ms: each extension gives the rows this long again */
  leaseMs: number;
  /** the process's heartbeat lease; nothing is extended once it is not live */
  heartbeat?: { name: string; owner: string };
  /** how often to extend, ms (default a quarter of the lease) */
  everyMs?: number;
  now?: () => number;
  logger?: Logger;
}

export class DeliveryLeaseKeeper {
  /** rows leased by the pass and not yet seen finished, released or taken over */
  private readonly rows = new Map<number, DueDelivery>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  /** extensions that moved at least one row's deadline */
  extensions = 0;

  constructor(
    private readonly db: Db,
    private readonly opts: DeliveryLeaseKeeperOptions,
  ) {}

  /** Rows just leased: extended from now on while they stay this pass's. */
  track(rows: readonly DueDelivery[]): void {
    for (const r of rows) this.rows.set(r.id, r);
  }

  start(): this {
    this.timer = setInterval(
      () => void (this.running = this.running.then(() => this.renew())),
      this.opts.everyMs ?? Math.max(50, Math.floor(this.opts.leaseMs / 4)),
    );
    // The deliveries keep the process alive, not the extensions.
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.rows.clear();
  }

  /**
   * Extends every tracked row still under its lease; forgets the others (finished, released,
   * or taken over). The rows' `leaseUntil` moves with it, so a lane sees it may still send.
   */
  async renew(): Promise<void> {
    const now = (this.opts.now ?? Date.now)();
    const tracked = [...this.rows.values()];
    if (tracked.length === 0) return;
    try {
      const { ids, leaseUntil } = await renewDeliveryLeases(this.db, tracked, {
        now,
        leaseMs: this.opts.leaseMs,
        ...(this.opts.heartbeat ? { heartbeat: this.opts.heartbeat } : {}),
      });
      for (const r of tracked) {
        // Replaced meanwhile by a newer lease of the same row (released and leased again).
        if (this.rows.get(r.id) !== r) continue;
        if (ids.has(r.id)) r.leaseUntil = leaseUntil;
        else this.rows.delete(r.id);
      }
      if (ids.size > 0) this.extensions++;
    } catch (err) {
      // The database did not answer: the leases run out as they would have; the lanes see it.
      this.opts.logger?.warn({ err }, 'could not extend delivery leases; they run out unless the next try succeeds');
    }
  }
}
