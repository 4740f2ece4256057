/**
 * What disposition reads and records: mailbox entries old enough to have expired under some
 * policy (paged by entry id, so a run over millions of entries holds little in memory), and the
 * review batches a named reviewer approves or postpones. Deleting goes through deletion.ts only.
 */
import { sql, type Selectable } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import { dialectOf, type Db } from './db.js';
import { inTransaction } from './ingest-log.js';
import type { EntryRef } from './deletion.js';
import type { DispositionBatchTable } from './schema.js';

export interface CandidateEntry {
  entryId: number;
  mailbox: string;
  itemKey: string;
  msgid: string;
  msgTime: number;
  connectorId: string;
  /** the canonical ChatMessage JSON: people and conversation kind for scope matching */
  modelJson: string;
}

/** What scope matching needs of an entry, from mailbox_entries (e) joined to items (i). */
const CANDIDATE_COLUMNS = [
  'e.id as entryId',
  'e.mailbox',
  'e.item_key as itemKey',
  'i.msgid',
  'i.msg_time as msgTime',
  'i.connector_id as connectorId',
  'i.model_json as modelJson',
] as const;

function toCandidate(
  r: Omit<CandidateEntry, 'entryId' | 'msgTime'> & { entryId: unknown; msgTime: unknown },
): CandidateEntry {
  return { ...r, entryId: Number(r.entryId), msgTime: Number(r.msgTime) };
}

/** Entries with a message time at or before `atOrBefore`, after entry id `afterId`, oldest id first. */
export async function expiredCandidates(
  db: Db,
  atOrBefore: number,
  afterId: number,
  limit: number,
): Promise<CandidateEntry[]> {
  const rows = await db
    .selectFrom('mailbox_entries as e')
    .innerJoin('items as i', 'i.key', 'e.item_key')
    .select(CANDIDATE_COLUMNS)
    .where('i.msg_time', '<=', atOrBefore)
    .where('e.id', '>', afterId)
    .orderBy('e.id')
    .limit(limit)
    .execute();
  return rows.map(toCandidate);
}

export type BatchRow = Selectable<DispositionBatchTable>;

/** The entries already in an open (pending, postponed or approved) batch: not batched twice. */
export async function entriesUnderReview(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectFrom('disposition_entries as d')
    .innerJoin('disposition_batches as b', 'b.id', 'd.batch_id')
    .select(['d.item_key', 'd.mailbox'])
    .where('b.status', 'in', ['pending', 'postponed', 'approved'])
    .execute();
  return new Set(rows.map((r) => entryKey(r.item_key, r.mailbox)));
}

export function entryKey(itemKey: string, mailbox: string): string {
  return `${itemKey}\u0000${mailbox}`;
}

export async function createBatch(
  db: Db,
  b: { policyId: string; reviewer: string | null; entries: (EntryRef & { msgTime: number })[] },
  now: number,
): Promise<number> {
  return inTransaction(db, async (tx) => {
    const row = await tx
      .insertInto('disposition_batches')
      .values({ policy_id: b.policyId, reviewer: b.reviewer, status: 'pending', created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    for (let i = 0; i < b.entries.length; i += 500) {
      await tx
        .insertInto('disposition_entries')
        .values(
          b.entries
            .slice(i, i + 500)
            .map((e) => ({ batch_id: id, item_key: e.itemKey, mailbox: e.mailbox, msg_time: e.msgTime })),
        )
        .execute();
    }
    return id;
  });
}

export interface BatchSummary extends BatchRow {
  entries: number;
}

/** Every batch, or those of some statuses; with `reviewer`, only the batches naming them. */
export async function listBatches(db: Db, status?: string[], reviewer?: string): Promise<BatchSummary[]> {
  let q = db
    .selectFrom('disposition_batches as b')
    .leftJoin('disposition_entries as d', 'd.batch_id', 'b.id')
    .selectAll('b')
    .select((eb) => eb.fn.count<number>('d.item_key').as('entries'))
    .groupBy('b.id')
    .orderBy('b.id');
  if (status && status.length > 0) q = q.where('b.status', 'in', status);
  if (reviewer !== undefined) q = q.where('b.reviewer', '=', reviewer);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), entries: Number(r.entries) }));
}

export async function getBatch(db: Db, id: number): Promise<BatchRow> {
  const row = await db.selectFrom('disposition_batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ArchiverError('WXA_NOT_FOUND', `no disposition batch has id ${id}`);
  return { ...row, id: Number(row.id) };
}

export async function batchEntries(
  db: Db,
  id: number,
  page?: { offset: number; limit: number },
): Promise<(EntryRef & { msgTime: number; msgid: string | null })[]> {
  let q = db
    .selectFrom('disposition_entries as d')
    .leftJoin('items as i', 'i.key', 'd.item_key')
    .select(['d.item_key', 'd.mailbox', 'd.msg_time', 'i.msgid'])
    .where('d.batch_id', '=', id)
    .orderBy('d.msg_time')
    .orderBy('d.item_key')
    .orderBy('d.mailbox');
  if (page) q = q.offset(page.offset).limit(page.limit);
  const rows = await q.execute();
  return rows.map((r) => ({ itemKey: r.item_key, mailbox: r.mailbox, msgTime: Number(r.msg_time), msgid: r.msgid }));
}

/** Records a reviewer's decision on a pending (or due postponed) batch. */
export async function decideBatch(
  db: Db,
  id: number,
  d: { status: 'approved' | 'postponed'; by: string; until?: number; comment?: string },
  now: number,
): Promise<BatchRow> {
  return inTransaction(db, async (tx) => {
    const b = await getBatch(tx, id);
    if (b.status !== 'pending' && b.status !== 'postponed') {
      throw new ArchiverError(
        'WXA_RETENTION_INVALID',
        `disposition batch ${id} is ${b.status}: only a pending batch can be decided`,
      );
    }
    const row = await tx
      .updateTable('disposition_batches')
      .set({
        status: d.status,
        decided_by: d.by,
        decided_at: now,
        postponed_until: d.status === 'postponed' ? (d.until ?? null) : null,
        comment: d.comment ?? null,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...row, id: Number(row.id) };
  });
}

/** Postponements that ran out go back to the reviewer. */
export async function reopenDuePostponed(db: Db, now: number): Promise<number> {
  const r = await db
    .updateTable('disposition_batches')
    .set({ status: 'pending' })
    .where('status', '=', 'postponed')
    .where('postponed_until', '<=', now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Marks an approved batch carried out; its entries were deleted or found kept. */
export async function finishBatch(db: Db, id: number): Promise<void> {
  await db.updateTable('disposition_batches').set({ status: 'done' }).where('id', '=', id).execute();
}

/** The entries of a batch that are still in the archive, with what scope matching needs. */
export async function presentBatchEntries(db: Db, batchId: number): Promise<CandidateEntry[]> {
  const rows = await db
    .selectFrom('disposition_entries as d')
    .innerJoin('mailbox_entries as e', (j) =>
      j.onRef('e.item_key', '=', 'd.item_key').onRef('e.mailbox', '=', 'd.mailbox'),
    )
    .innerJoin('items as i', 'i.key', 'e.item_key')
    .select(CANDIDATE_COLUMNS)
    .where('d.batch_id', '=', batchId)
    .orderBy('e.id')
    .execute();
  return rows.map(toCandidate);
}

/** How many entries wait for a reviewer (pending or postponed batches). */
export async function entriesWaitingForReview(db: Db): Promise<number> {
  const r = await db
    .selectFrom('disposition_entries as d')
    .innerJoin('disposition_batches as b', 'b.id', 'd.batch_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('b.status', 'in', ['pending', 'postponed'])
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export interface TombstoneEvent {
  id: number;
  at: number;
  ref: string;
  detail: Record<string, unknown>;
}

/** The tombstones the ingest log holds for a msgid: the proof of what was deleted, when and why. */
export async function tombstonesByMsgid(db: Db, msgid: string): Promise<TombstoneEvent[]> {
  const rows = await db
    .selectFrom('ingest_log')
    .select(['id', 'at', 'ref', 'detail_json'])
    .where('kind', '=', 'tombstone')
    .where(dialectOf(db).jsonField(sql.ref('detail_json'), 'msgid'), '=', msgid)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    ref: r.ref,
    detail: JSON.parse(r.detail_json) as Record<string, unknown>,
  }));
}
