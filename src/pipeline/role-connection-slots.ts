/**
 * The per-account connection cap of IMAP destinations, held across worker processes and
 * connectors. Each process's pool caps its own connections to a mailbox (`pool.perMailbox`), so
 * N workers could open N times as many, past a server's per-user limit (Dovecot's
 * mail_max_userip_connections, 10 by default; refused logins past it). Here each connection first
 * takes one of the account's `cap` slots, a named lease in the database
 * (`imap-slot:<host>:<port>/<user>:<n>`), renewed while the connection is open and given back when
 * it closes; a process that dies lets its slots run out with its other leases (its sockets closed
 * with it). The key is the server and the session's user, not the connector or destination: two
 * connectors delivering to the same account count against one limit at the server, so they share
 * one cap. Rejected: the cap divided by the live workers, which exceeds the cap once there are
 * more workers than it allows and leaves slots idle when one worker has a backlog and the others
 * none.
 */
import { isArchiverError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ConnectionSlots } from '../destinations/index.js';
import { releaseLease, renewLease, tryAcquireLease, type Db, type Lease } from '../store/index.js';

export interface SlotOptions {
  /** this process's unique id: owner of its slots */
  owner: string;
  /** who it is, for an operator reading the leases: host, pid, role */
  holder: string;
  /** how long a slot lasts unless renewed, ms: how long a dead process's slots stay taken */
  ttlMs: number;
  now?: () => number;
  logger?: Logger;
}

/** The lease of slot `n` of an account (`host:port/user`). */
export function slotLeaseName(account: string, n: number): string {
  return `imap-slot:${account}:${n}`;
}

/** The slots of one process, for every destination it delivers to; renewed together on a timer. */
export class ProcessSlots implements ConnectionSlots {
  private readonly held = new Set<{ lease: Lease }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly opts: SlotOptions,
  ) {
    this.timer = setInterval(() => void this.renewAll(), Math.max(100, Math.floor(opts.ttlMs / 3)));
    this.timer.unref();
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * Takes a free slot of the account for a new connection: its release, or undefined while all
   * `cap` are taken. A slot stays this process's (skipped here) until its release is recorded:
   * the same owner taking a slot again keeps its token, so a take landing before a release still
   * in flight (another pool connection on PostgreSQL) would have that release free the slot
   * under a live connection, and another process past the cap.
   */
  async take(account: string, cap: number): Promise<(() => Promise<void>) | undefined> {
    const mine = (name: string) => [...this.held].some((h) => h.lease.name === name);
    for (let n = 0; n < cap; n++) {
      const name = slotLeaseName(account, n);
      if (mine(name)) continue;
      const lease = await tryAcquireLease(this.db, {
        name,
        owner: this.opts.owner,
        holder: this.opts.holder,
        ttlMs: this.opts.ttlMs,
        now: this.now(),
      });
      // Taken meanwhile by another connection of this process: try the next.
      if (!lease || mine(name)) continue;
      const slot = { lease };
      this.held.add(slot);
      return async () => {
        try {
          await releaseLease(this.db, slot.lease, this.now());
        } finally {
          this.held.delete(slot);
        }
      };
    }
    return undefined;
  }

  private async renewAll(): Promise<void> {
    for (const slot of [...this.held]) {
      try {
        slot.lease = await renewLease(this.db, slot.lease, { ttlMs: this.opts.ttlMs, now: this.now() });
      } catch (err) {
        // Lost (this process stalled past it): the connection stays until it closes, but the slot
        // is another's now; a database that did not answer is tried again on the next round.
        if (isArchiverError(err, 'WXA_LEASE_LOST')) this.held.delete(slot);
        this.opts.logger?.warn({ err, lease: slot.lease.name }, 'could not renew an IMAP connection slot');
      }
    }
  }

  /** Stops renewing; slots still held are given back by their connections' close, or run out. */
  close(): void {
    clearInterval(this.timer);
  }
}
