/**
 * Leasing delivery rows to workers. A worker leases a chunk of due rows for a while; each lease
 * moves the row's fencing token on by one, and every write that follows it (outcome, retry,
 * hold, release) names owner and token, so a worker that stalled past its lease while another
 * leased the row again writes nothing (see deliveries.ts). On PostgreSQL concurrent workers
 * claim rows with `FOR UPDATE SKIP LOCKED` and get disjoint chunks without waiting on each
 * other; SQLite keeps its single writer, which serialises the same transaction.
 */
import type { ExpressionBuilder } from 'kysely';
import type { Db } from './db.js';
import { dialectOf } from './dialect/index.js';
import type { Database } from './schema.js';
import { transact } from './transaction.js';

/** A row as its lease left it: writes after the lease name all three. */
export interface LeasedRow {
  id: number;
  /** who leased it: one id per delivery pass (a run's, a worker's) */
  owner: string;
  /** the row's fencing token under this lease */
  leaseToken: number;
}

export interface DueDelivery extends LeasedRow {
  connectorId: string;
  destinationId: string;
  itemKey: string;
  mailbox: string;
  attempts: number;
  /**
   * Whether an earlier attempt may have stored the item without its outcome being recorded
   * (a crash or a lost connection after the write): only then must the destination look for
   * a copy before writing. False means no earlier attempt can have written anything.
   */
  inDoubt: boolean;
  /** ms; past it, another worker may lease the row again: do not start a send after it */
  leaseUntil: number;
  /** when this lease was taken, ms */
  leasedAt: number;
}

/**
 * Leases up to `limit` due rows of a destination (of one mailbox, if given) for `leaseMs`,
 * oldest first. Leasing marks each row in doubt in the same transaction: from here until its
 * outcome is recorded, a crash leaves it to be looked up before it is sent again. Each row
 * comes back with whether it was in doubt before (a previous lease that never finished counts)
 * and its new fencing token.
 */
export async function leaseDue(
  db: Db,
  opts: { destinationId: string; mailbox?: string; owner: string; now: number; leaseMs: number; limit: number },
): Promise<DueDelivery[]> {
  return transact(db, async (tx) => {
    let q = tx
      .selectFrom('deliveries')
      .select([
        'id',
        'connector_id',
        'destination_id',
        'item_key',
        'mailbox',
        'attempts',
        'in_doubt',
        'lease_owner',
        'lease_token',
      ])
      .where('destination_id', '=', opts.destinationId)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', opts.now)
      .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', opts.now)]));
    if (opts.mailbox !== undefined) q = q.where('mailbox', '=', opts.mailbox);
    const rows = await dialectOf(tx).claimRows(q.orderBy('next_attempt_at').orderBy('id').limit(opts.limit)).execute();
    const ids = rows.map((r) => r.id);
    const leaseUntil = opts.now + opts.leaseMs;
    for (let i = 0; i < ids.length; i += 500) {
      await tx
        .updateTable('deliveries')
        .set((eb) => ({
          lease_owner: opts.owner,
          lease_until: leaseUntil,
          in_doubt: 1,
          lease_token: eb('lease_token', '+', 1),
        }))
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
    return rows
      .map((r) => ({
        id: r.id,
        owner: opts.owner,
        // The rows are this transaction's (claimed on PostgreSQL, one writer on SQLite): the
        // update above moved each token on by exactly one.
        leaseToken: Number(r.lease_token) + 1,
        leaseUntil,
        leasedAt: opts.now,
        connectorId: r.connector_id,
        destinationId: r.destination_id,
        itemKey: r.item_key,
        mailbox: r.mailbox,
        attempts: r.attempts,
        inDoubt: r.in_doubt !== 0 || r.lease_owner !== null,
      }))
      .sort((a, b) => a.id - b.id);
  });
}

/** The mailboxes of a destination with rows due now, the longest-waiting first, with how many. */
export async function dueMailboxes(
  db: Db,
  opts: { destinationId: string; now: number },
): Promise<{ mailbox: string; due: number }[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => ['mailbox', eb.fn.countAll<number>().as('due'), eb.fn.min('next_attempt_at').as('oldest')])
    .where('destination_id', '=', opts.destinationId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', opts.now)
    .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', opts.now)]))
    .groupBy('mailbox')
    .orderBy('oldest')
    .orderBy('mailbox')
    .execute();
  return rows.map((r) => ({ mailbox: r.mailbox, due: Number(r.due) }));
}

/**
 * Locks these delivery rows for the transaction in ascending id order (StoreDialect.lockRows):
 * every transaction that updates several of them at once takes them so first.
 */
export async function lockDeliveries(tx: Db, ids: readonly number[]): Promise<void> {
  // One row cannot be taken in another order.
  if (ids.length < 2) return;
  const sorted = [...ids].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i += 500)
    await dialectOf(tx).lockRows(
      tx
        .selectFrom('deliveries')
        .select('id')
        .where('id', 'in', sorted.slice(i, i + 500))
        .orderBy('id'),
    );
}

/** The rows of `chunk` still under the leases they were given (id, owner and token alike). */
function stillLeased(chunk: readonly LeasedRow[]) {
  return ({ eb, refTuple, tuple }: ExpressionBuilder<Database, 'deliveries'>) =>
    eb(
      refTuple('id', 'lease_owner', 'lease_token'),
      'in',
      chunk.map((r) => tuple(r.id, r.owner, r.leaseToken)),
    );
}

/**
 * Releases leases of rows that were never attempted under them, without counting an attempt
 * (e.g. the destination paused for credentials): each gets back the doubt it had before. A row
 * whose lease has passed to another worker is left alone. Returns how many were released.
 */
export async function releaseLeases(
  db: Db,
  rows: readonly Pick<DueDelivery, 'id' | 'owner' | 'leaseToken' | 'inDoubt'>[],
): Promise<number> {
  let released = 0;
  for (const inDoubt of [true, false]) {
    const mine = rows.filter((r) => r.inDoubt === inDoubt);
    for (let i = 0; i < mine.length; i += 500) {
      const chunk = mine.slice(i, i + 500);
      const res = await transact(db, async (tx) => {
        await lockDeliveries(
          tx,
          chunk.map((r) => r.id),
        );
        return tx
          .updateTable('deliveries')
          .set({ lease_owner: null, lease_until: null, in_doubt: inDoubt ? 1 : 0 })
          .where(stillLeased(chunk))
          .executeTakeFirst();
      });
      released += Number(res.numUpdatedRows);
    }
  }
  return released;
}

/**
 * Releases every lease these owners hold (their processes are known to be gone: an interrupted
 * run of this machine), so the rows are due again at once instead of when the leases run out.
 * Leases of every other owner stay. The rows stay in doubt: an attempt may have landed.
 */
export async function releaseOwnerLeases(db: Db, owners: readonly string[]): Promise<number> {
  if (owners.length === 0) return 0;
  const res = await db
    .updateTable('deliveries')
    .set({ lease_owner: null, lease_until: null })
    .where('lease_owner', 'in', [...owners])
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Extends the leases of rows a delivery pass still holds, for a worker whose sends outlast a
 * lease under load. Fenced twice: a row is extended only while it is still under the same live
 * lease (owner and token, not run out), so a row that passed to another worker keeps its new
 * owner; and only while the process's heartbeat lease (`heartbeat`) is live in the database, so
 * a process that stalled past its heartbeat extends nothing, and its rows come back once their
 * last extension runs out. Returns the ids extended and their new deadline.
 */
export async function renewDeliveryLeases(
  db: Db,
  rows: readonly Pick<DueDelivery, 'id' | 'owner' | 'leaseToken'>[],
  opts: { now: number; leaseMs: number; heartbeat?: { name: string; owner: string } },
): Promise<{ ids: Set<number>; leaseUntil: number }> {
  const leaseUntil = opts.now + opts.leaseMs;
  const ids = new Set<number>();
  const hb = opts.heartbeat;
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const extended = await transact(db, async (tx) => {
      await lockDeliveries(
        tx,
        chunk.map((r) => r.id),
      );
      let q = tx
        .updateTable('deliveries')
        .set({ lease_until: leaseUntil })
        .where(stillLeased(chunk))
        .where('status', '=', 'pending')
        .where('lease_until', '>=', opts.now);
      if (hb)
        q = q.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('leases')
              .select('name')
              .where('name', '=', hb.name)
              .where('owner', '=', hb.owner)
              .where('expires_at', '>=', opts.now),
          ),
        );
      return q.returning('id').execute();
    });
    for (const r of extended) ids.add(r.id);
  }
  return { ids, leaseUntil };
}
