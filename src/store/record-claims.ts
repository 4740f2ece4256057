/**
 * Raw records claimed by worker processes (`serve --role worker`). A worker claims a batch of a
 * connector's waiting records, lowest seq first, for a while; each claim moves every record's
 * fencing token on by one, and the commit of the batch's outcome names owner and token
 * (`fenceClaim`, first statement of the commit's transaction), so a worker that stalled past its
 * claim while another claimed the records again commits nothing. On PostgreSQL concurrent
 * workers claim with `FOR UPDATE SKIP LOCKED` and get disjoint batches without waiting on each
 * other; SQLite's single writer serialises the same transaction.
 *
 * Processing depends on order (the first of two records with one item key owns it; a recall
 * reads its original), so a claim is committed only once no waiting record before it remains
 * (`recordsBefore`): batches are prepared in parallel and committed in seq order.
 */
import { sql, type ExpressionBuilder, type Transaction } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import type { RawRecordRow } from './capture.js';
import type { Db } from './db.js';
import { dialectOf } from './dialect/index.js';
import type { Database } from './schema.js';
import { transact } from './transaction.js';

export interface ClaimedRecord extends RawRecordRow {
  /** the record's fencing token under this claim */
  claimToken: number;
}

export interface RecordClaim {
  connectorId: string;
  /** the claiming worker's unique id */
  owner: string;
  /** ms; renew before it (`renewClaim`), past it another worker may claim the records */
  until: number;
  /** in seq order */
  records: ClaimedRecord[];
}

export interface ClaimOptions {
  connectorId: string;
  owner: string;
  now: number;
  /** how long the claim lasts unless renewed, ms */
  leaseMs: number;
  limit: number;
  /** attempts before a failing record is left for an operator */
  maxAttempts: number;
  /** a failed record is tried again this long after its last attempt, ms (a run's interval) */
  retryFailedAfterMs: number;
}

/** The records a claim would take: waiting (pending, or failed with attempts left and rested) and not under a live claim. */
function claimable(opts: Omit<ClaimOptions, 'owner' | 'leaseMs' | 'limit'>) {
  return ({ eb, and, or }: ExpressionBuilder<Database, 'raw_records'>) =>
    and([
      eb('connector_id', '=', opts.connectorId),
      or([
        eb('status', '=', 'pending'),
        and([
          eb('status', '=', 'failed'),
          eb('attempts', '<', opts.maxAttempts),
          eb('updated_at', '<=', opts.now - opts.retryFailedAfterMs),
        ]),
      ]),
      or([eb('claim_until', 'is', null), eb('claim_until', '<', opts.now)]),
    ]);
}

/** Whether a claim now would find any record (a cheap look before a worker builds its runtime). */
export async function hasWaitingRecords(
  db: Db,
  opts: Omit<ClaimOptions, 'owner' | 'leaseMs' | 'limit'>,
): Promise<boolean> {
  const row = await db.selectFrom('raw_records').select('id').where(claimable(opts)).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Rows per statement naming (id, owner, token) tuples: far under either dialect's parameter limit. */
const CHUNK = 500;

/**
 * Claims up to `limit` waiting records of a connector that no live claim holds, lowest seq
 * first: pending ones, and failed ones with attempts left whose last attempt is old enough.
 */
export async function claimRecords(db: Db, opts: ClaimOptions): Promise<RecordClaim> {
  const until = opts.now + opts.leaseMs;
  const records = await transact(db, async (tx) => {
    const q = tx
      .selectFrom('raw_records')
      .select(['id', 'seq_key', 'msgid', 'publickey_ver', 'record_json', 'attempts', 'claim_token'])
      .where(claimable(opts))
      .orderBy('seq_key')
      .limit(opts.limit);
    const rows = await dialectOf(tx).claimRows(q).execute();
    const ids = rows.map((r) => r.id);
    for (let i = 0; i < ids.length; i += CHUNK)
      await tx
        .updateTable('raw_records')
        .set((eb) => ({ claim_owner: opts.owner, claim_until: until, claim_token: eb('claim_token', '+', 1) }))
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
    // The rows are this transaction's (locked on PostgreSQL, one writer on SQLite): each token
    // moved on by exactly one.
    return rows.map(({ claim_token, ...r }) => ({ ...r, claimToken: Number(claim_token) + 1 }));
  });
  return { connectorId: opts.connectorId, owner: opts.owner, until, records };
}

/** The records of `part` still under this owner's claim, each with its token. */
function underClaim(owner: string, part: ClaimedRecord[]) {
  return ({ eb, refTuple, tuple }: ExpressionBuilder<Database, 'raw_records'>) =>
    eb(
      refTuple('id', 'claim_owner', 'claim_token'),
      'in',
      part.map((r) => tuple(r.id, owner, r.claimToken)),
    );
}

/**
 * Extends the claim on every record still under it; returns the claim with its new deadline and
 * only the records still held (a worker whose claim was partly taken over drops the batch).
 */
export async function renewClaim(
  db: Db,
  claim: RecordClaim,
  opts: { now: number; leaseMs: number },
): Promise<RecordClaim> {
  const until = opts.now + opts.leaseMs;
  const held = new Set<number>();
  for (let i = 0; i < claim.records.length; i += CHUNK) {
    const part = claim.records.slice(i, i + CHUNK);
    const rows = await db
      .updateTable('raw_records')
      .set({ claim_until: until })
      .where(underClaim(claim.owner, part))
      .returning('id')
      .execute();
    for (const r of rows) held.add(r.id);
  }
  return { ...claim, until, records: claim.records.filter((r) => held.has(r.id)) };
}

/** Ends the claim on the records still under it; how many were. */
async function endClaim(db: Db | Transaction<Database>, claim: RecordClaim): Promise<number> {
  let ended = 0;
  for (let i = 0; i < claim.records.length; i += CHUNK) {
    const res = await db
      .updateTable('raw_records')
      .set({ claim_owner: null, claim_until: null })
      .where(underClaim(claim.owner, claim.records.slice(i, i + CHUNK)))
      .executeTakeFirst();
    ended += Number(res.numUpdatedRows);
  }
  return ended;
}

/** Gives the records back unprocessed (so the next claim starts from the lowest); returns how many were still ours. */
export function releaseClaim(db: Db, claim: RecordClaim): Promise<number> {
  return endClaim(db, claim);
}

/**
 * Inside the transaction that commits the claim's outcome, before any other write: ends the
 * claim on every record, and throws WXA_RECORD_CLAIM_LOST (rolling the transaction back) unless
 * every record is still under it. The update locks the rows (PostgreSQL) until the commit, so
 * no other worker can claim them in between.
 */
export async function fenceClaim(tx: Transaction<Database>, claim: RecordClaim): Promise<void> {
  const held = await endClaim(tx, claim);
  if (held !== claim.records.length)
    throw new ArchiverError(
      'WXA_RECORD_CLAIM_LOST',
      `connector ${claim.connectorId}: ${claim.records.length - held} of ${claim.records.length} records claimed by ` +
        `${claim.owner} were claimed by another worker before this one committed (it stalled past its claim); ` +
        'nothing of this batch was written and the other worker carries on',
      { details: { connectorId: claim.connectorId, owner: claim.owner } },
    );
}

/** The waiting records of other workers (or of nobody) among and before a claim's. */
export interface RecordsAhead {
  /** before the claim's first record, under another worker's live claim: wait for its commit */
  claimed: number;
  /** before the claim's first record, unclaimed or claimed by a worker whose claim ran out: claim again from the lowest */
  free: number;
  /**
   * the lowest such record between the claim's first and last (the claim is not contiguous: it
   * was taken beside a concurrent claim, or a record went back to pending): commit only the
   * records before it, give back the rest
   */
  firstBetween: string | null;
}

/**
 * The pending records of a connector before a claim's last record that are not this owner's: a
 * record is committed only after every waiting record before it, since processing reads what
 * earlier records committed.
 */
export async function recordsAhead(
  db: Db,
  opts: { connectorId: string; first: string; last: string; owner: string; now: number },
): Promise<RecordsAhead> {
  const before = sql`seq_key < ${opts.first}`;
  const row = await db
    .selectFrom('raw_records')
    .select([
      sql<number>`COALESCE(SUM(CASE WHEN ${before} AND claim_until >= ${opts.now} THEN 1 ELSE 0 END), 0)`.as('claimed'),
      sql<number>`COALESCE(SUM(CASE WHEN ${before} AND (claim_until IS NULL OR claim_until < ${opts.now}) THEN 1 ELSE 0 END), 0)`.as(
        'free',
      ),
      sql<string | null>`MIN(CASE WHEN seq_key > ${opts.first} THEN seq_key END)`.as('firstBetween'),
    ])
    .where('connector_id', '=', opts.connectorId)
    .where('status', '=', 'pending')
    .where('seq_key', '<', opts.last)
    .where((w) => w.or([w('claim_owner', 'is', null), w('claim_owner', '!=', opts.owner)]))
    .executeTakeFirstOrThrow();
  return { claimed: Number(row.claimed), free: Number(row.free), firstBetween: row.firstBetween ?? null };
}
