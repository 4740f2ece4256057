/**
 * What a checkpoint states and where it is kept: both chains' heads and the archive's counts
 * read in one snapshot, and the signed checkpoints themselves, each naming its predecessor so
 * that a removed checkpoint breaks the sequence.
 */
import type { Selectable } from 'kysely';
import { dialectOf, type Db } from './db.js';
import { CHAIN_GENESIS } from './hash-chain.js';
import { hexOf } from './ingest-log.js';
import type { CheckpointTable } from './schema.js';

export interface ChainHead {
  lastEventId: number;
  head: string;
  events: number;
}

export interface CheckpointBasis {
  ingest: ChainHead;
  audit: ChainHead;
  counts: { rawRecords: number; items: number; mailboxEntries: number; blobs: number };
  previous: { id: number; statement: string } | null;
}

export type CheckpointRow = Selectable<CheckpointTable>;

async function count(
  db: Db,
  table: 'raw_records' | 'items' | 'mailbox_entries' | 'blobs' | 'ingest_log' | 'audit_events',
): Promise<number> {
  const r = await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Heads, counts and the latest checkpoint, read in one snapshot so that they agree. */
export async function readCheckpointBasis(db: Db): Promise<CheckpointBasis> {
  return dialectOf(db)
    .snapshotTransaction(db)
    .execute(async (tx) => {
      const ingest = await tx
        .selectFrom('ingest_head')
        .select(['last_id', 'hash'])
        .where('id', '=', 1)
        .executeTakeFirst();
      const audit = await tx
        .selectFrom('audit_events')
        .select(['id', 'hash'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      const previous = await tx
        .selectFrom('checkpoints')
        .select(['id', 'statement'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return {
        ingest: {
          lastEventId: Number(ingest?.last_id ?? 0),
          head: ingest?.hash ?? CHAIN_GENESIS,
          events: await count(tx, 'ingest_log'),
        },
        audit: {
          lastEventId: audit?.id ?? 0,
          head: audit?.hash ?? CHAIN_GENESIS,
          events: await count(tx, 'audit_events'),
        },
        counts: {
          rawRecords: await count(tx, 'raw_records'),
          items: await count(tx, 'items'),
          mailboxEntries: await count(tx, 'mailbox_entries'),
          blobs: await count(tx, 'blobs'),
        },
        previous: previous ?? null,
      };
    });
}

/**
 * Stores a checkpoint unless another was stored since `previousId` was read (then false, and
 * the caller builds a new statement): checkpoints form one sequence, never a fork.
 */
export async function insertCheckpoint(
  db: Db,
  row: Omit<CheckpointRow, 'id'>,
  previousId: number | null,
): Promise<number | null> {
  // Insert first, then look back: a transaction that read before writing would fail at once
  // with SQLITE_BUSY (not wait) when another process wrote in between.
  const stale = new Error('stale checkpoint');
  try {
    return await db.transaction().execute(async (tx) => {
      // PostgreSQL: another process's checkpoint not yet committed is invisible to the look
      // back below, so two could name the same predecessor (a fork); the lock orders them.
      await dialectOf(tx).lockInTransaction(tx, 'checkpoints');
      const { id } = await tx.insertInto('checkpoints').values(row).returning('id').executeTakeFirstOrThrow();
      const before = await tx
        .selectFrom('checkpoints')
        .select('id')
        .where('id', '<', id)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if ((before?.id ?? null) !== previousId) throw stale;
      return id;
    });
  } catch (err) {
    if (err === stale) return null;
    throw err;
  }
}

export async function listCheckpoints(db: Db, opts: { sinceAt?: number } = {}): Promise<CheckpointRow[]> {
  let q = db.selectFrom('checkpoints').selectAll();
  if (opts.sinceAt !== undefined) q = q.where('at', '>=', opts.sinceAt);
  return q.orderBy('id', 'asc').execute();
}

export async function latestCheckpoint(db: Db): Promise<CheckpointRow | undefined> {
  return db.selectFrom('checkpoints').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** The stored hash (hex) of one event of a chain, to compare with what a checkpoint stated. */
export async function chainHashAt(db: Db, chain: 'ingest' | 'audit', id: number): Promise<string | undefined> {
  if (chain === 'audit') {
    const r = await db.selectFrom('audit_events').select('hash').where('id', '=', id).executeTakeFirst();
    return r?.hash;
  }
  const r = await db.selectFrom('ingest_log').select('hash').where('id', '=', id).executeTakeFirst();
  return r ? hexOf(r.hash) : undefined;
}
