/**
 * Holding a named lease for as long as some work lasts: taken (waiting while another process
 * has it), renewed in the background well before it runs out, and given up at the end. The
 * capture of a connector runs under one (`captureLeaseName`): its source is a single ordered
 * stream, so a second capture process of the same connector waits, and takes over with a higher
 * token when the first dies and its lease runs out. When a renewal finds the lease gone (this
 * process stalled past it and another took it), `signal` aborts with WXA_LEASE_LOST: the work
 * stops at its next check, and writes fenced with the token (store `fenceLease`) are refused.
 */
import { ArchiverError, isArchiverError } from '../core/errors.js';
import { acquireLease, releaseLease, renewLease, type Db, type Lease } from '../store/index.js';

/** The lease every capture of a connector holds. */
export function captureLeaseName(connectorId: string): string {
  return `capture:${connectorId}`;
}

export interface HeldLease {
  /** the lease as last renewed; its token fences the holder's writes */
  readonly lease: Lease;
  /** aborted (reason: WXA_LEASE_LOST) once the lease is known to be lost */
  readonly signal: AbortSignal;
  /**
   * when a renewal last found the lease already run out (this process stalled past it, though
   * nobody took it over), ms; 0 if never. Others may have acted on its lapse meanwhile (a dead
   * process's delivery rows are taken at once), so work begun before it must not go on.
   */
  readonly lapsedAt: number;
  /** renews now; false (and `signal` aborted) when the lease was lost */
  check(): Promise<boolean>;
  /** stops renewing and gives the lease up for the next process */
  release(): Promise<void>;
}

export interface HoldOptions {
  /** this holder's unique id */
  owner: string;
  /** who it is, shown to a process refused or waiting: host, pid, role */
  holder: string;
  /** lease length, ms (default 30 s): how long a dead holder keeps others waiting */
  ttlMs?: number;
  /** renewal interval, ms (default a third of the lease, so two renewals may fail in a row) */
  renewEveryMs?: number;
  /** how long to wait while another holds it, ms (default: until it is free or `signal` aborts) */
  waitMs?: number;
  pollMs?: number;
  signal?: AbortSignal;
  now?: () => number;
}

export async function holdLease(db: Db, name: string, opts: HoldOptions): Promise<HeldLease> {
  const now = opts.now ?? Date.now;
  const ttlMs = opts.ttlMs ?? 30_000;
  let lease = await acquireLease(db, {
    name,
    owner: opts.owner,
    holder: opts.holder,
    ttlMs,
    waitMs: opts.waitMs ?? Infinity,
    now,
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const lost = new AbortController();
  let released = false;
  let lapsedAt = 0;

  const renew = async (): Promise<boolean> => {
    if (lost.signal.aborted || released) return !lost.signal.aborted;
    try {
      const at = now();
      const before = lease.expiresAt;
      lease = await renewLease(db, lease, { ttlMs, now: at });
      if (at >= before) lapsedAt = at;
      return true;
    } catch (err) {
      if (isArchiverError(err, 'WXA_LEASE_LOST')) {
        lost.abort(err);
        return false;
      }
      // The database did not answer: the lease may still be ours, until its deadline passes.
      if (now() < lease.expiresAt) return true;
      lost.abort(
        new ArchiverError(
          'WXA_LEASE_LOST',
          `the lease "${name}" ran out while the database could not be reached to renew it; ` +
            'another process may hold it now, so this one stops',
          { cause: err },
        ),
      );
      return false;
    }
  };
  const timer = setInterval(() => void renew(), opts.renewEveryMs ?? Math.floor(ttlMs / 3));
  // The holder's work keeps the process alive, not the renewals.
  timer.unref();

  return {
    get lease() {
      return lease;
    },
    get lapsedAt() {
      return lapsedAt;
    },
    signal: lost.signal,
    check: renew,
    release: async () => {
      released = true;
      clearInterval(timer);
      if (!lost.signal.aborted) await releaseLease(db, lease, now());
    },
  };
}
