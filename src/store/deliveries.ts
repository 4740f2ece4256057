/**
 * The delivery ledger: one row per (item, mailbox, destination), created in the same
 * transaction as the item, then leased by a delivery worker, retried with backoff, and closed
 * as delivered, duplicate, partial or held. A lease that expires (a crashed worker) makes the
 * row due again; the destination's own "do you have this key?" check keeps it exactly-once.
 */
import type { Db } from './db.js';
import type { DeliveryStatus } from './schema.js';
import { transact } from './transaction.js';

export interface DueDelivery {
  id: number;
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
}

/**
 * Leases up to `limit` due rows of a destination (of one mailbox, if given) for `leaseMs`,
 * oldest first. Leasing marks each row in doubt in the same transaction: from here until its
 * outcome is recorded, a crash leaves it to be looked up before it is sent again. Each row
 * comes back with whether it was in doubt before (a previous lease that never finished counts).
 */
export async function leaseDue(
  db: Db,
  opts: { destinationId: string; mailbox?: string; owner: string; now: number; leaseMs: number; limit: number },
): Promise<DueDelivery[]> {
  return transact(db, async (tx) => {
    let q = tx
      .selectFrom('deliveries')
      .select(['id', 'connector_id', 'destination_id', 'item_key', 'mailbox', 'attempts', 'in_doubt', 'lease_owner'])
      .where('destination_id', '=', opts.destinationId)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', opts.now)
      .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', opts.now)]));
    if (opts.mailbox !== undefined) q = q.where('mailbox', '=', opts.mailbox);
    const rows = await q.orderBy('next_attempt_at').orderBy('id').limit(opts.limit).execute();
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      await tx
        .updateTable('deliveries')
        .set({ lease_owner: opts.owner, lease_until: opts.now + opts.leaseMs, in_doubt: 1 })
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
    return rows
      .map((r) => ({
        id: r.id,
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

export interface FinishedDelivery {
  status: Extract<DeliveryStatus, 'delivered' | 'duplicate' | 'partial'>;
  remoteId?: string;
  detail?: string;
  /** for partial: each attachment left out, with why */
  omitted?: { name: string; size: number; sha256: string; reason: string }[];
}

export async function finishDelivery(db: Db, id: number, outcome: FinishedDelivery, now: number): Promise<void> {
  await finishDeliveries(db, [{ id, outcome }], now);
}

/**
 * Records the outcomes of several deliveries in one transaction (one commit, one sync of the
 * database file, instead of one per row). Until it commits, each row stays leased and in
 * doubt, so a crash before it only costs a lookup per row, never a second copy.
 */
export async function finishDeliveries(
  db: Db,
  done: readonly { id: number; outcome: FinishedDelivery }[],
  now: number,
): Promise<void> {
  if (done.length === 0) return;
  await transact(db, async (tx) => {
    for (const { id, outcome } of done) {
      await tx
        .updateTable('deliveries')
        .set((eb) => ({
          status: outcome.status,
          remote_id: outcome.remoteId ?? null,
          error_code: outcome.status === 'partial' ? 'WXA_DEST_PARTIAL' : null,
          error_detail: outcome.detail ?? null,
          omitted_json: outcome.omitted?.length ? JSON.stringify(outcome.omitted) : null,
          attempts: eb('attempts', '+', 1),
          lease_owner: null,
          lease_until: null,
          in_doubt: 0,
          finished_at: now,
        }))
        .where('id', '=', id)
        .execute();
    }
  });
}

/** Gives a row back with a later due time (transient failure or throttling). */
export async function retryDelivery(
  db: Db,
  id: number,
  failure: { code: string; detail: string; nextAttemptAt: number; countAttempt: boolean },
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set((eb) => ({
      error_code: failure.code,
      error_detail: failure.detail,
      next_attempt_at: failure.nextAttemptAt,
      attempts: failure.countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
      lease_owner: null,
      lease_until: null,
    }))
    .where('id', '=', id)
    .execute();
}

/**
 * Moves every pending delivery of a destination (or of one mailbox of it) that would be due
 * before `until` to `until`, with the reason: the service asked all of them to wait (a
 * project-wide quota, a mailbox's daily upload limit). No attempt is counted: it is a pause,
 * not a failure.
 */
export async function deferDeliveries(
  db: Db,
  opts: { connectorId?: string; destinationId: string; mailbox?: string; until: number; code: string; detail: string },
): Promise<number> {
  let q = db
    .updateTable('deliveries')
    .set({ next_attempt_at: opts.until, error_code: opts.code, error_detail: opts.detail })
    .where('destination_id', '=', opts.destinationId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<', opts.until);
  if (opts.mailbox !== undefined) q = q.where('mailbox', '=', opts.mailbox);
  // Destination ids are unique within a connector only: another connector's "gmail" is another project.
  if (opts.connectorId !== undefined) q = q.where('connector_id', '=', opts.connectorId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Releases leases of rows that were never attempted under them, without counting an attempt
 * (e.g. the destination paused for credentials): each gets back the doubt it had before.
 */
export async function releaseLeases(db: Db, rows: readonly Pick<DueDelivery, 'id' | 'inDoubt'>[]): Promise<void> {
  for (const inDoubt of [true, false]) {
    const ids = rows.filter((r) => r.inDoubt === inDoubt).map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      await db
        .updateTable('deliveries')
        .set({ lease_owner: null, lease_until: null, in_doubt: inDoubt ? 1 : 0 })
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
  }
}

/**
 * Queues deliveries of items already in the archive (a destination added later, a replay into a
 * new mailbox). Rows that exist are left as they are.
 */
export async function queueDeliveries(
  db: Db,
  rows: { connectorId: string; destinationId: string; itemKey: string; mailbox: string }[],
  now: number,
): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('deliveries')
      .values(
        rows.slice(i, i + 500).map((r) => ({
          connector_id: r.connectorId,
          destination_id: r.destinationId,
          item_key: r.itemKey,
          mailbox: r.mailbox,
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now,
          lease_owner: null,
          lease_until: null,
          error_code: null,
          error_detail: null,
          remote_id: null,
          created_at: now,
          finished_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(['destination_id', 'item_key', 'mailbox']).doNothing())
      .execute();
  }
}

/** Releases every lease of a connector's deliveries (its previous worker is known to be gone). */
export async function releaseConnectorLeases(db: Db, connectorId: string): Promise<number> {
  const res = await db
    .updateTable('deliveries')
    .set({ lease_owner: null, lease_until: null })
    .where('connector_id', '=', connectorId)
    .where('lease_owner', 'is not', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Holds a delivery the destination refused for good, visible with its reason like every other hold. */
export async function holdDelivery(
  db: Db,
  row: DueDelivery,
  failure: { code: string; detail: string },
  now: number,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('deliveries')
      .set((eb) => ({
        status: 'held',
        error_code: failure.code,
        error_detail: failure.detail,
        attempts: eb('attempts', '+', 1),
        lease_owner: null,
        lease_until: null,
        finished_at: now,
      }))
      .where('id', '=', row.id)
      .execute();
    await tx
      .insertInto('holds')
      .values({
        connector_id: row.connectorId,
        reason: 'destination-refused',
        item_key: row.itemKey,
        raw_id: null,
        participant: row.mailbox,
        participants: null,
        code: failure.code,
        detail: `${row.destinationId} -> ${row.mailbox}: ${failure.detail}`,
        created_at: now,
        released_at: null,
      })
      .execute();
  });
}

export interface DeliveryCount {
  destinationId: string;
  status: DeliveryStatus;
  errorCode: string | null;
  n: number;
}

export async function countDeliveries(
  db: Db,
  opts: { connectorId?: string; since?: number } = {},
): Promise<DeliveryCount[]> {
  let q = db
    .selectFrom('deliveries')
    .select((eb) => ['destination_id', 'status', 'error_code', eb.fn.countAll<number>().as('n')]);
  if (opts.connectorId) q = q.where('connector_id', '=', opts.connectorId);
  if (opts.since !== undefined) q = q.where('created_at', '>=', opts.since);
  const rows = await q.groupBy(['destination_id', 'status', 'error_code']).execute();
  return rows.map((r) => ({
    destinationId: r.destination_id,
    status: r.status,
    errorCode: r.error_code,
    n: Number(r.n),
  }));
}

/** What a delivery needs from the archive: the item's exact bytes and model, and its media. */
export async function loadDeliverable(
  db: Db,
  itemKey: string,
): Promise<{ mimeSha256: string; modelJson: string; msgTime: number; connectorId: string } | undefined> {
  const row = await db
    .selectFrom('items')
    .select(['mime_sha256', 'model_json', 'msg_time', 'connector_id'])
    .where('key', '=', itemKey)
    .executeTakeFirst();
  return row
    ? {
        mimeSha256: row.mime_sha256,
        modelJson: row.model_json,
        msgTime: Number(row.msg_time),
        connectorId: row.connector_id,
      }
    : undefined;
}

export async function mediaBlobs(db: Db, connectorId: string, sdkfileids: string[]): Promise<Map<string, string>> {
  if (sdkfileids.length === 0) return new Map();
  const rows = await db
    .selectFrom('media')
    .select(['sdkfileid', 'sha256'])
    .where('connector_id', '=', connectorId)
    .where('sdkfileid', 'in', sdkfileids)
    .where('sha256', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.sdkfileid, r.sha256!]));
}

/**
 * Marks every row not yet delivered as in doubt: after a database is restored from a backup,
 * a row that was delivered after the backup was taken looks pending again, and only a lookup at
 * the destination before sending keeps it from arriving twice. Returns the rows marked.
 */
export async function markUndeliveredInDoubt(db: Db): Promise<number> {
  const r = await db
    .updateTable('deliveries')
    .set({ in_doubt: 1 })
    .where('status', 'in', ['pending', 'held'])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
