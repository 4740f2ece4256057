/**
 * Deletions that leave evidence: the one store function that removes an archived item (its
 * mailbox entries, and optionally its raw record) and appends a tombstone to the ingest log in
 * the same transaction, saying what went, why and on whose authority. Retention and admin
 * deletions go through it; `verify` treats anything missing without a tombstone as tampering.
 * Policy changes that decide deletions are logged here too.
 */
import { ArchiverError } from '../core/errors.js';
import type { Db } from './db.js';
import type { Transaction } from 'kysely';
import { appendIngest, entryRef, inTransaction } from './ingest-log.js';
import type { Database } from './schema.js';

export interface TombstoneInput {
  /** why: 'retention', 'erasure-request', ... */
  reason: string;
  /** who or what decided: a username, or 'retention:<policy id>' */
  actor: string;
  /** also delete the raw record the item came from (its seq then counts as deleted, not missing) */
  deleteRaw?: boolean;
  /** policy id, ticket, approver: kept in the tombstone */
  detail?: Record<string, unknown>;
}

export interface Tombstone {
  itemKey: string;
  msgid: string;
  connectorId: string;
  seqKey: string;
  entries: number;
  rawDeleted: boolean;
}

export async function deleteItemWithTombstone(
  db: Db,
  itemKey: string,
  t: TombstoneInput,
  now: number,
): Promise<Tombstone> {
  return inTransaction(db, async (tx) => {
    // The first statement writes, so the transaction holds the write lock before it reads.
    const item = await tx
      .deleteFrom('items')
      .where('key', '=', itemKey)
      .returning(['msgid', 'connector_id', 'seq_key', 'raw_id'])
      .executeTakeFirst();
    if (!item) throw new ArchiverError('WXA_NOT_FOUND', `no archived item has key ${itemKey}`);
    const entries = await tx.deleteFrom('mailbox_entries').where('item_key', '=', itemKey).executeTakeFirst();
    await tx
      .updateTable('connector_counters')
      .set((eb) => ({ items: eb('items', '-', 1), entries: eb('entries', '-', Number(entries.numDeletedRows)) }))
      .where('connector_id', '=', item.connector_id)
      .execute();
    if (t.deleteRaw) await tx.deleteFrom('raw_records').where('id', '=', item.raw_id).execute();
    const out: Tombstone = {
      itemKey,
      msgid: item.msgid,
      connectorId: item.connector_id,
      seqKey: item.seq_key,
      entries: Number(entries.numDeletedRows),
      rawDeleted: t.deleteRaw === true,
    };
    await appendIngest(
      tx,
      [
        {
          kind: 'tombstone',
          connectorId: item.connector_id,
          ref: itemKey,
          digest: '',
          detail: {
            reason: t.reason,
            actor: t.actor,
            msgid: item.msgid,
            seqKey: item.seq_key,
            entries: out.entries,
            rawDeleted: out.rawDeleted,
            ...(t.detail ? { detail: t.detail } : {}),
          },
        },
      ],
      now,
    );
    return out;
  });
}

/** Records a retention policy's creation, change or removal in the ingest log. */
export async function logPolicyChange(
  db: Db,
  p: { policyId: string; change: 'create' | 'update' | 'delete'; actor: string; policy: Record<string, unknown> },
  now: number,
): Promise<void> {
  await inTransaction(db, (tx) =>
    appendIngest(
      tx,
      [
        {
          kind: 'policy',
          connectorId: '',
          ref: p.policyId,
          digest: '',
          detail: { change: p.change, actor: p.actor, policy: p.policy },
        },
      ],
      now,
    ),
  );
}

/**
 * Records, in the caller's transaction, that one mailbox entry was deleted while its item stays
 * (another mailbox still has it, or a hold keeps it there). `ref` is the entry's ingest ref, so
 * `verify` can tell a deleted entry from a missing one.
 */
export async function tombstoneEntry(
  tx: Transaction<Database>,
  e: { connectorId: string; mailbox: string; folder: string; itemKey: string; msgid: string },
  t: TombstoneInput,
  now: number,
): Promise<void> {
  await appendIngest(
    tx,
    [
      {
        kind: 'tombstone',
        connectorId: e.connectorId,
        ref: entryRef({ mailbox: e.mailbox, folder: e.folder, item_key: e.itemKey }),
        digest: '',
        detail: {
          scope: 'entry',
          reason: t.reason,
          actor: t.actor,
          itemKey: e.itemKey,
          msgid: e.msgid,
          mailbox: e.mailbox,
          ...(t.detail ? { detail: t.detail } : {}),
        },
      },
    ],
    now,
  );
}
