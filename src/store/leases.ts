/**
 * Named leases with a fencing token, for roles only one process may play at a time across
 * machines sharing the database (the capture of a connector: its source is one ordered stream).
 * A lease is held until a deadline and renewed before it; a holder that dies lets it expire and
 * another process takes it over with a token one higher. A holder that only stalled learns it
 * lost the lease on its next renew or check, and a write guarded by `fenceLease` in the same
 * transaction is refused, however late the old holder wakes.
 *
 * Each step is one conditional statement (an upsert or an update naming owner and token), atomic
 * on both dialects: PostgreSQL locks the row for the statement and re-checks the condition
 * against the committed winner, SQLite has one writer. Rejected: read-then-write under an
 * advisory lock, which needs a transaction per step for the same guarantee. Times are the
 * callers' clocks in ms; a lease's length must exceed the clock skew between machines (NTP keeps
 * it to milliseconds), and the token keeps writes safe even when it does not.
 */
import { sql, type Transaction } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import type { Db } from './db.js';
import { dialectOf } from './dialect/index.js';
import type { Database } from './schema.js';

export interface Lease {
  name: string;
  /** the holder's unique id (one per process and role) */
  owner: string;
  /** fencing token: higher for every take-over of this name */
  token: number;
  /** ms; renew before it */
  expiresAt: number;
}

export interface LeaseHolder {
  owner: string;
  token: number;
  /** who it is, for the operator: host, pid, role */
  holder: string;
  expiresAt: number;
  acquiredAt: number;
}

export interface TakeOptions {
  name: string;
  owner: string;
  /** who the owner is, shown to anyone refused (host, pid, role); never a secret */
  holder: string;
  /** how long the lease lasts unless renewed, ms */
  ttlMs: number;
}

/**
 * Takes the lease if it is free, released, expired, or already this owner's (then it is
 * extended, same token). Returns undefined while another owner holds it.
 */
export async function tryAcquireLease(db: Db, opts: TakeOptions & { now: number }): Promise<Lease | undefined> {
  const until = opts.now + opts.ttlMs;
  const row = await db
    .insertInto('leases')
    .values({
      name: opts.name,
      owner: opts.owner,
      token: 1,
      expires_at: until,
      acquired_at: opts.now,
      renewed_at: opts.now,
      holder: opts.holder,
    })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({
          owner: opts.owner,
          // A take-over (from nobody, a released or an expired holder) moves the token on; the
          // same owner taking it again keeps its token, since nobody wrote in between.
          token: sql<number>`CASE WHEN leases.owner = ${opts.owner} THEN leases.token ELSE leases.token + 1 END`,
          expires_at: until,
          acquired_at: sql<number>`CASE WHEN leases.owner = ${opts.owner} THEN leases.acquired_at ELSE ${opts.now} END`,
          renewed_at: opts.now,
          holder: opts.holder,
        })
        .where((w) =>
          w.or([
            w('leases.owner', 'is', null),
            w('leases.expires_at', '<=', opts.now),
            w('leases.owner', '=', opts.owner),
          ]),
        ),
    )
    .returning(['token', 'expires_at'])
    .executeTakeFirst();
  return row ? { name: opts.name, owner: opts.owner, token: Number(row.token), expiresAt: until } : undefined;
}

/**
 * Takes the lease, waiting up to `waitMs` (0: refuse at once; Infinity: until it is free or
 * `signal` aborts) while another holds it. Throws WXA_LEASE_HELD naming the holder and when its
 * lease runs out.
 */
export async function acquireLease(
  db: Db,
  opts: TakeOptions & {
    waitMs: number;
    /** how often to try again while waiting, ms (default 1000) */
    pollMs?: number;
    now?: () => number;
    signal?: AbortSignal;
  },
): Promise<Lease> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.waitMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    const lease = await tryAcquireLease(db, { ...opts, now: now() });
    if (lease) return lease;
    const t = now();
    const current = await leaseHolder(db, opts.name, t);
    if (t >= deadline) throw heldError(opts.name, current, t);
    // Try again at the next poll, or as soon as the holder's lease runs out if that is sooner.
    const untilFree = current ? Math.max(1, current.expiresAt - t) : 1;
    const wait = Math.min(opts.pollMs ?? 1000, untilFree, deadline - t);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(done, wait);
      function done() {
        opts.signal?.removeEventListener('abort', aborted);
        resolve();
      }
      function aborted() {
        clearTimeout(timer);
        reject(opts.signal?.reason);
      }
      opts.signal?.addEventListener('abort', aborted, { once: true });
    });
  }
}

function heldError(name: string, h: LeaseHolder | undefined, now: number): ArchiverError {
  const who = h
    ? `${h.holder || h.owner} (token ${h.token}, until ${new Date(h.expiresAt).toISOString()})`
    : 'another process';
  return new ArchiverError(
    'WXA_LEASE_HELD',
    `the lease "${name}" is held by ${who}; wait for that process to finish or stop it ` +
      `(a stopped process's lease runs out by itself in ${h ? Math.max(0, h.expiresAt - now) : 0} ms)`,
    { details: { name, ...(h ? { token: h.token, expiresAt: h.expiresAt } : {}) } },
  );
}

function lostError(lease: Lease, what: string): ArchiverError {
  return new ArchiverError(
    'WXA_LEASE_LOST',
    `the lease "${lease.name}" (token ${lease.token}) passed to another process before this one could ${what}; ` +
      'this process stalled past its lease: its work since is dropped and the new holder carries on',
    { details: { name: lease.name, token: lease.token } },
  );
}

/**
 * Extends a lease this owner still holds (same token), also after its deadline if nobody took it
 * over meanwhile. Throws WXA_LEASE_LOST when another owner has it now or it was released.
 */
export async function renewLease(db: Db, lease: Lease, opts: { ttlMs: number; now: number }): Promise<Lease> {
  const until = opts.now + opts.ttlMs;
  const res = await db
    .updateTable('leases')
    .set({ expires_at: until, renewed_at: opts.now })
    .where('name', '=', lease.name)
    .where('owner', '=', lease.owner)
    .where('token', '=', lease.token)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) throw lostError(lease, 'renew it');
  return { ...lease, expiresAt: until };
}

/** Gives the lease up so the next process need not wait for it to expire; false if it was no longer ours. */
export async function releaseLease(db: Db, lease: Lease, now: number): Promise<boolean> {
  const res = await db
    .updateTable('leases')
    .set({ owner: null, expires_at: null, renewed_at: now })
    .where('name', '=', lease.name)
    .where('owner', '=', lease.owner)
    .where('token', '=', lease.token)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/**
 * Where a holder stands: 'held' (ours, in time), 'expired' (still ours, past its deadline:
 * renew before doing more) or 'lost' (another owner took it, or it was released).
 */
export async function checkLease(db: Db, lease: Lease, now: number): Promise<'held' | 'expired' | 'lost'> {
  const row = await db
    .selectFrom('leases')
    .select(['owner', 'token', 'expires_at'])
    .where('name', '=', lease.name)
    .executeTakeFirst();
  if (!row || row.owner !== lease.owner || Number(row.token) !== lease.token || row.expires_at === null) return 'lost';
  return Number(row.expires_at) > now ? 'held' : 'expired';
}

/**
 * Inside a transaction whose writes only the lease's holder may make: throws WXA_LEASE_LOST
 * (rolling it back) unless the lease still has this owner and token, and keeps it so until the
 * transaction ends (PostgreSQL: the row is share-locked, so a take-over waits for the commit;
 * SQLite: one writer at a time).
 */
export async function fenceLease(tx: Transaction<Database>, lease: Lease): Promise<void> {
  const row = await dialectOf(tx)
    .shareRows(
      tx
        .selectFrom('leases')
        .select('token')
        .where('name', '=', lease.name)
        .where('owner', '=', lease.owner)
        .where('token', '=', lease.token),
    )
    .executeTakeFirst();
  if (!row) throw lostError(lease, 'commit its work');
}

/** Who holds the lease now; undefined when it is free (never taken, released or expired). */
export async function leaseHolder(db: Db, name: string, now: number): Promise<LeaseHolder | undefined> {
  const row = await db.selectFrom('leases').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row || row.owner === null || row.expires_at === null || Number(row.expires_at) <= now) return undefined;
  return {
    owner: row.owner,
    token: Number(row.token),
    holder: row.holder,
    expiresAt: Number(row.expires_at),
    acquiredAt: Number(row.acquired_at),
  };
}
