/**
 * The delivery ledger: one row per (item, mailbox, destination), created in the same
 * transaction as the item, then leased by a delivery worker (delivery-leases.ts), retried with
 * backoff, and closed as delivered, duplicate, partial or held. A lease that expires (a crashed
 * worker) makes the row due again; the destination's own "do you have this key?" check keeps it
 * exactly-once. Every write that follows a lease names the lease's owner and fencing token and
 * changes nothing once the row was leased again: a worker that stalled past its lease cannot
 * overwrite what the worker after it recorded.
 */
import type { ExpressionBuilder, Transaction, UpdateQueryBuilder, UpdateResult } from 'kysely';
import type SQLite from 'better-sqlite3';
import { connectionOf, dialectKind, preparedPerConnection, type Db } from './db.js';
import { dialectOf } from './dialect/index.js';
import { lockDeliveries, type DueDelivery, type LeasedRow } from './delivery-leases.js';
import type { Database, DeliveryStatus } from './schema.js';
import { transact } from './transaction.js';

export * from './delivery-leases.js';

type RowUpdate = UpdateQueryBuilder<Database, 'deliveries', 'deliveries', UpdateResult>;

/** Narrows an update to one row as long as it is still under the lease it was leased with. */
function fenced(q: RowUpdate, row: LeasedRow): RowUpdate {
  return q.where('id', '=', row.id).where('lease_owner', '=', row.owner).where('lease_token', '=', row.leaseToken);
}

export interface FinishedDelivery {
  status: Extract<DeliveryStatus, 'delivered' | 'duplicate' | 'partial'>;
  remoteId?: string;
  detail?: string;
  /** for partial: each attachment left out, with why */
  omitted?: { name: string; size: number; sha256: string; reason: string }[];
}

/**
 * Records an outcome found outside any lease (an operator's or an import's record of a copy the
 * destination already has): the row is closed whoever leased it.
 */
export async function finishDelivery(db: Db, id: number, outcome: FinishedDelivery, now: number): Promise<void> {
  await transact(db, async (tx) => {
    await writeOutcome(tx, outcome, now).where('id', '=', id).execute();
  });
}

/** The columns an outcome sets besides the lease's (the same on both write paths). */
function outcomeColumns(outcome: FinishedDelivery, now: number) {
  return {
    status: outcome.status,
    remote_id: outcome.remoteId ?? null,
    error_code: outcome.status === 'partial' ? 'WXA_DEST_PARTIAL' : null,
    error_detail: outcome.detail ?? null,
    omitted_json: outcome.omitted?.length ? JSON.stringify(outcome.omitted) : null,
    finished_at: now,
  };
}

function writeOutcome(tx: Transaction<Database>, outcome: FinishedDelivery, now: number): RowUpdate {
  return tx.updateTable('deliveries').set((eb) => ({
    ...outcomeColumns(outcome, now),
    attempts: eb('attempts', '+', 1),
    lease_owner: null,
    lease_until: null,
    in_doubt: 0,
  }));
}

/**
 * Records the outcomes of several leased deliveries in one transaction (one commit, one sync of
 * the database file, instead of one per row). Until it commits, each row stays leased and in
 * doubt, so a crash before it only costs a lookup per row, never a second copy. Returns the
 * rows whose lease had passed to another worker: nothing was written for them, and the caller
 * drops their outcome (the other worker records its own).
 */
export async function finishDeliveries(
  db: Db,
  done: readonly { row: LeasedRow; outcome: FinishedDelivery }[],
  now: number,
): Promise<LeasedRow[]> {
  if (done.length === 0) return [];
  if (dialectKind(db) === 'sqlite') return finishOnSqlite(db, done, now);
  return transact(db, async (tx) => {
    await lockDeliveries(
      tx,
      done.map((d) => d.row.id),
    );
    const lost: LeasedRow[] = [];
    for (const { row, outcome } of done) {
      const res = await fenced(writeOutcome(tx, outcome, now), row).executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) lost.push(row);
    }
    return lost;
  });
}

interface DeliveryStatements {
  /** the fenced outcome update of writeOutcome */
  finish: SQLite.Statement;
  /** what delivery needs of items, given their keys as one JSON array */
  deliverables: SQLite.Statement;
}

/**
 * SQLite's hot paths of delivery, prepared once per connection: building each statement through
 * the query builder cost more than running it (a group commit records a few hundred outcomes; a
 * lease reads a hundred items).
 */
const statements = preparedPerConnection((c): DeliveryStatements => ({
  finish: c.prepare(`UPDATE deliveries SET status = @status, remote_id = @remote_id, error_code = @error_code,
        error_detail = @error_detail, omitted_json = @omitted_json, finished_at = @finished_at,
        attempts = attempts + 1, lease_owner = NULL, lease_until = NULL, in_doubt = 0
        WHERE id = @id AND lease_owner = @owner AND lease_token = @token`),
  deliverables: c.prepare(`SELECT key, mime_sha256, model_json, msg_time, connector_id
        FROM items WHERE key IN (SELECT value FROM json_each(?))`),
}));

/**
 * finishDeliveries on SQLite (one writer, so nothing to lock): the same fenced update as
 * writeOutcome (the same outcomeColumns), through its prepared statement, in one transaction.
 */
async function finishOnSqlite(
  db: Db,
  done: readonly { row: LeasedRow; outcome: FinishedDelivery }[],
  now: number,
): Promise<LeasedRow[]> {
  const update = statements(connectionOf(db)).finish;
  return transact(db, async () => {
    const lost: LeasedRow[] = [];
    for (const { row, outcome } of done) {
      const res = update.run({ ...outcomeColumns(outcome, now), id: row.id, owner: row.owner, token: row.leaseToken });
      if (res.changes === 0) lost.push(row);
    }
    return lost;
  });
}

/**
 * Gives a leased row back with a later due time (transient failure or throttling). False when
 * its lease had passed to another worker: then nothing is written.
 */
export async function retryDelivery(
  db: Db,
  row: LeasedRow,
  failure: { code: string; detail: string; nextAttemptAt: number; countAttempt: boolean },
): Promise<boolean> {
  const res = await fenced(
    db.updateTable('deliveries').set((eb) => ({
      error_code: failure.code,
      error_detail: failure.detail,
      next_attempt_at: failure.nextAttemptAt,
      attempts: failure.countAttempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
      lease_owner: null,
      lease_until: null,
    })),
    row,
  ).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** The pending deliveries `deferDeliveries` moves: of the destination (and mailbox), due before `until`. */
function dueToDefer(opts: { connectorId?: string; destinationId: string; mailbox?: string; until: number }) {
  return (eb: ExpressionBuilder<Database, 'deliveries'>) => {
    const due = [
      eb('destination_id', '=', opts.destinationId),
      eb('status', '=', 'pending'),
      eb('next_attempt_at', '<', opts.until),
    ];
    if (opts.mailbox !== undefined) due.push(eb('mailbox', '=', opts.mailbox));
    // Destination ids are unique within a connector only: another connector's "gmail" is another project.
    if (opts.connectorId !== undefined) due.push(eb('connector_id', '=', opts.connectorId));
    return eb.and(due);
  };
}

/**
 * Moves every pending delivery of a destination (or of one mailbox of it) that would be due
 * before `until` to `until`, with the reason: the service asked all of them to wait (a
 * project-wide quota, a mailbox's daily upload limit). No attempt is counted: it is a pause,
 * not a failure. Given the leased row whose attempt the service answered so, that row's lease
 * is released with it, and nothing is moved when the lease had passed to another worker
 * (returns -1 then): that worker's own attempt decides.
 */
export async function deferDeliveries(
  db: Db,
  opts: {
    connectorId?: string;
    destinationId: string;
    mailbox?: string;
    until: number;
    code: string;
    detail: string;
    after?: LeasedRow;
  },
): Promise<number> {
  return transact(db, async (tx) => {
    // The rows this moves, the leased one among them, locked in one order first (lockRows).
    const due = dueToDefer(opts);
    await dialectOf(tx).lockRows(
      tx
        .selectFrom('deliveries')
        .select('id')
        .where((w) => (opts.after ? w.or([due(w), w('id', '=', opts.after.id)]) : due(w)))
        .orderBy('id'),
    );
    if (opts.after) {
      const mine = await fenced(
        tx.updateTable('deliveries').set({
          next_attempt_at: opts.until,
          error_code: opts.code,
          error_detail: opts.detail,
          lease_owner: null,
          lease_until: null,
        }),
        opts.after,
      ).executeTakeFirst();
      if (Number(mine.numUpdatedRows) === 0) return -1;
    }
    const res = await tx
      .updateTable('deliveries')
      .set({ next_attempt_at: opts.until, error_code: opts.code, error_detail: opts.detail })
      .where(due)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) + (opts.after ? 1 : 0);
  });
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

/**
 * Holds a leased delivery the destination refused for good, visible with its reason like every
 * other hold. False when its lease had passed to another worker: then nothing is written, no
 * hold either.
 */
export async function holdDelivery(
  db: Db,
  row: DueDelivery,
  failure: { code: string; detail: string },
  now: number,
): Promise<boolean> {
  return transact(db, async (tx) => {
    const res = await fenced(
      tx.updateTable('deliveries').set((eb) => ({
        status: 'held',
        error_code: failure.code,
        error_detail: failure.detail,
        attempts: eb('attempts', '+', 1),
        lease_owner: null,
        lease_until: null,
        finished_at: now,
      })),
      row,
    ).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return false;
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
    return true;
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
export interface Deliverable {
  mimeSha256: string;
  modelJson: string;
  msgTime: number;
  connectorId: string;
}

type DeliverableRow = {
  key: string;
  mime_sha256: string;
  model_json: string;
  msg_time: number | string | bigint;
  connector_id: string;
};

/** What delivery needs of each archived item, by key; a key not archived is absent from the map. */
export async function loadDeliverables(db: Db, keys: readonly string[]): Promise<Map<string, Deliverable>> {
  const out = new Map<string, Deliverable>();
  const put = (r: DeliverableRow) =>
    out.set(r.key, {
      mimeSha256: r.mime_sha256,
      modelJson: r.model_json,
      msgTime: Number(r.msg_time),
      connectorId: r.connector_id,
    });
  for (let i = 0; i < keys.length; i += 500) {
    const slice = keys.slice(i, i + 500);
    if (dialectKind(db) === 'sqlite') {
      for (const r of statements(connectionOf(db)).deliverables.all(JSON.stringify(slice)) as DeliverableRow[]) put(r);
      continue;
    }
    for (const r of await db
      .selectFrom('items')
      .select(['key', 'mime_sha256', 'model_json', 'msg_time', 'connector_id'])
      .where('key', 'in', slice)
      .execute())
      put(r);
  }
  return out;
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
