/**
 * The ingest log: an append-only hash chain with one event for every raw record stored, item
 * archived, mailbox entry made, item deleted (a tombstone) and retention policy changed. Events
 * are appended inside the transaction that writes the rows they cover, so the log and the
 * archive can never disagree after a crash. Checkpoints sign its head; `verify` replays it.
 */
import type { Transaction } from 'kysely';
import type { Db } from './db.js';
import { canonicalJson, chainHash } from './hash-chain.js';
import type { IngestEventInput } from './ingest-digest.js';
import type { Database } from './schema.js';

export * from './ingest-digest.js';

/** Rows per INSERT: 9 columns stay well under SQLite's 32,766 bound parameters. */
const CHUNK = 500;

/** The hash of one stored event: what `verify` and an auditor recompute. */
export function ingestHash(
  prevHash: string,
  e: { at: number; kind: string; connector_id: string; ref: string; digest: string; detail_json: string },
): string {
  return chainHash(prevHash, [e.at, e.kind, e.connector_id, e.ref, e.digest, e.detail_json]);
}

/**
 * Appends events in order. Must run inside the caller's transaction: updating the head row
 * first takes SQLite's write lock, so the head read here is still the head when the events
 * commit, and the events commit or roll back with the rows they describe.
 */
export async function appendIngest(tx: Transaction<Database>, events: IngestEventInput[], now: number): Promise<void> {
  if (events.length === 0) return;
  const head = await tx
    .updateTable('ingest_head')
    .set({ updated_at: now })
    .where('id', '=', 1)
    .returning(['last_id', 'hash'])
    .executeTakeFirstOrThrow();
  let prev = head.hash;
  let id = Number(head.last_id);
  const rows = events.map((e) => {
    id++;
    const row = {
      id,
      at: now,
      kind: e.kind,
      connector_id: e.connectorId,
      ref: e.ref,
      digest: e.digest,
      detail_json: canonicalJson(e.detail ?? {}),
      prev_hash: prev,
      hash: '',
    };
    row.hash = ingestHash(prev, row);
    prev = row.hash;
    return row;
  });
  for (let i = 0; i < rows.length; i += CHUNK)
    await tx
      .insertInto('ingest_log')
      .values(rows.slice(i, i + CHUNK))
      .execute();
  await tx.updateTable('ingest_head').set({ last_id: id, hash: prev }).where('id', '=', 1).execute();
}

export interface IngestHead {
  lastId: number;
  hash: string;
  events: number;
}

/** The chain's head and length as the database holds them now. */
export async function ingestHead(db: Db): Promise<IngestHead> {
  const head = await db.selectFrom('ingest_head').select(['last_id', 'hash']).where('id', '=', 1).executeTakeFirst();
  const n = await db.selectFrom('ingest_log').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { lastId: Number(head?.last_id ?? 0), hash: head?.hash ?? '0'.repeat(64), events: Number(n.n) };
}

/** Runs `fn` in the caller's transaction, or in a new one. */
export async function inTransaction<T>(db: Db, fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Transaction<Database>) : db.transaction().execute(fn);
}
