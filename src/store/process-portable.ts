/**
 * The item transaction of process.ts through Kysely, for PostgreSQL: the same rows, counters,
 * ingest events and record statuses, in one transaction. Where SQLite runs one prepared
 * statement per row (a function call each), a network database would pay a round trip per row,
 * so every kind of row here is one multi-row INSERT ... ON CONFLICT per batch (RETURNING says
 * which rows were new), and the per-record status is one UPDATE ... FROM (VALUES ...).
 * node-postgres sends each as an unnamed parameterised statement: the server plans it per call,
 * which costs far less than the round trips it replaces, and the text varies with the batch's
 * row count, which would defeat named (server-prepared) statements anyway.
 */
import { sql, type Insertable, type Transaction } from 'kysely';
import type { Db } from './db.js';
import { appendIngest, entryEvent, itemEvent, type EntryDigestFields, type LoggedItem } from './ingest-log.js';
import { itemRowOf } from './item-row.js';
import type { CommitContext, ProcessedRecord } from './process.js';
import { fenceClaim } from './record-claims.js';
import type { Database } from './schema.js';
import { writeSupervisionFlags } from './supervision.js';
import { transact } from './transaction.js';
import { updateSearchIndex } from './search-writes.js';

type Tx = Transaction<Database>;
type Ctx = CommitContext;

/** Rows per INSERT: the widest row here (items, 19 columns) stays far under 65,535 parameters. */
const CHUNK = 1000;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

/**
 * The first row of each key, in order: a key twice in one batch is written once, by its first
 * row, as SQLite's statement per row leaves it (its second INSERT finds the first).
 */
function firstOf<T>(rows: readonly T[], keyOf: (r: T) => string): T[] {
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(keyOf(r)) && seen.add(keyOf(r)));
}

export async function commitProcessedPortable(
  db: Db,
  connectorId: string,
  batch: ProcessedRecord[],
  ctx: Ctx,
  archiveFolder: string,
): Promise<{ entriesCreated: number }> {
  let entriesCreated = 0;
  await transact(db, async (tx) => {
    if (ctx.claim) await fenceClaim(tx, ctx.claim);
    await insertBlobs(tx, batch, ctx.now);
    await upsertMedia(tx, connectorId, batch, ctx.now);
    const items = await insertItems(tx, connectorId, batch, ctx.now);
    const flags = batch.flatMap((r) => (r.item && r.supervision ? r.supervision : []));
    if (flags.length > 0) await writeSupervisionFlags(tx, flags, ctx.now);
    const entries = await insertEntries(tx, batch, ctx, archiveFolder);
    entriesCreated = entries.length;
    if (items.length > 0 || entries.length > 0)
      await tx
        .insertInto('connector_counters')
        .values({ connector_id: connectorId, items: items.length, entries: entries.length })
        .onConflict((oc) =>
          oc.column('connector_id').doUpdateSet((eb) => ({
            items: eb('connector_counters.items', '+', eb.ref('excluded.items')),
            entries: eb('connector_counters.entries', '+', eb.ref('excluded.entries')),
          })),
        )
        .execute();
    await appendIngest(tx, [...items.map(itemEvent), ...entries.map((e) => entryEvent(connectorId, e))], ctx.now);
    await enqueueDeliveries(tx, connectorId, batch, ctx);
    await replaceHolds(tx, connectorId, batch, ctx.now);
    for (const r of batch) {
      if (!r.recall) continue;
      await tx
        .updateTable('items')
        .set({ recalled_by: r.recall.byMsgid, recalled_at: r.recall.at })
        .where('connector_id', '=', connectorId)
        .where('msgid', '=', r.recall.preMsgid)
        .execute();
    }
    await updateSearchIndex(db, tx, {
      write: batch.flatMap((r) => (r.item && r.search ? [r.search] : [])),
      recalled: batch.flatMap((r) => (r.recall ? [{ connectorId, msgid: r.recall.preMsgid }] : [])),
      now: ctx.now,
    });
    await setStatuses(tx, batch, ctx.now);
  });
  return { entriesCreated };
}

async function insertBlobs(tx: Tx, batch: ProcessedRecord[], now: number): Promise<void> {
  const rows = new Map<string, Database['blobs']>();
  for (const r of batch)
    for (const b of r.blobs)
      if (!rows.has(b.sha256))
        rows.set(b.sha256, {
          sha256: b.sha256,
          size: b.size,
          kind: b.kind,
          data: b.data,
          encoding: b.encoding,
          created_at: now,
        });
  for (const part of chunks([...rows.values()]))
    await tx
      .insertInto('blobs')
      .values(part)
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
}

async function upsertMedia(tx: Tx, connectorId: string, batch: ProcessedRecord[], now: number): Promise<void> {
  // One row per file: PostgreSQL refuses to update the same row twice in one statement, and on
  // SQLite a file met twice in a batch ends as its last write, so the last one is kept here.
  const rows = new Map<string, Database['media']>();
  for (const r of batch)
    for (const m of r.media)
      rows.set(m.sdkfileid, {
        connector_id: connectorId,
        sdkfileid: m.sdkfileid,
        status: m.status,
        sha256: m.sha256 ?? null,
        size: m.size ?? null,
        md5_expected: m.md5Expected ?? null,
        md5_ok: m.status === 'ok' ? 1 : m.status === 'md5-mismatch' ? 0 : null,
        error_code: m.errorCode ?? null,
        fetched_at: now,
      });
  for (const part of chunks([...rows.values()]))
    await tx
      .insertInto('media')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['connector_id', 'sdkfileid']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          sha256: eb.ref('excluded.sha256'),
          size: eb.ref('excluded.size'),
          md5_expected: eb.ref('excluded.md5_expected'),
          md5_ok: eb.ref('excluded.md5_ok'),
          error_code: eb.ref('excluded.error_code'),
          fetched_at: eb.ref('excluded.fetched_at'),
        })),
      )
      .execute();
}

async function insertItems(tx: Tx, connectorId: string, batch: ProcessedRecord[], now: number) {
  // Written once (invariant 4): a replayed record finds its item there and keeps it.
  const rows: LoggedItem[] = [];
  for (const r of batch) {
    const i = r.item;
    if (!i) continue;
    rows.push({ row: itemRowOf(connectorId, r.rawId, i, now), modelSha256: i.modelSha256 });
  }
  const fresh = new Set<string>();
  for (const part of chunks(firstOf(rows, (r) => r.row.key))) {
    const added = await tx
      .insertInto('items')
      .values(part.map(({ row }) => ({ ...row, recalled_by: null, recalled_at: null })))
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('key')
      .execute();
    for (const a of added) fresh.add(a.key);
  }
  // In batch order, as SQLite logs them; RETURNING's order is not promised.
  return rows.filter(({ row }) => fresh.delete(row.key));
}

async function insertEntries(tx: Tx, batch: ProcessedRecord[], ctx: Ctx, folder: string) {
  const mailboxes = new Map<string, string>();
  for (const r of batch) if (r.item) for (const e of r.entries) mailboxes.set(e.mailbox, e.displayName);
  for (const part of chunks([...mailboxes]))
    await tx
      .insertInto('mailboxes')
      .values(part.map(([address, name]) => ({ address, display_name: name, created_at: ctx.now })))
      .onConflict((oc) => oc.column('address').doNothing())
      .execute();
  const rows: EntryDigestFields[] = [];
  for (const r of batch) {
    if (!r.item) continue;
    for (const e of r.entries)
      rows.push({
        mailbox: e.mailbox,
        folder,
        item_key: r.item.key,
        mime_sha256: r.item.mimeSha256,
        msg_time: r.item.msgTime,
        delivered_at: ctx.now,
        run_id: ctx.runId,
      });
  }
  const key = (e: { mailbox: string; folder: string; item_key: string }) => `${e.mailbox}\n${e.folder}\n${e.item_key}`;
  const fresh = new Set<string>();
  for (const part of chunks(firstOf(rows, key))) {
    const added = await tx
      .insertInto('mailbox_entries')
      .values(part)
      .onConflict((oc) => oc.columns(['mailbox', 'folder', 'item_key']).doNothing())
      .returning(['mailbox', 'folder', 'item_key'])
      .execute();
    for (const a of added) fresh.add(key(a));
  }
  return rows.filter((e) => fresh.delete(key(e)));
}

/** One ledger row per (item, mailbox, external destination), created with the item itself. */
async function enqueueDeliveries(tx: Tx, connectorId: string, batch: ProcessedRecord[], ctx: Ctx): Promise<void> {
  const destinations = ctx.destinations ?? [];
  if (destinations.length === 0) return;
  const rows: Insertable<Database['deliveries']>[] = [];
  for (const r of batch) {
    if (!r.item) continue;
    for (const e of r.entries)
      for (const d of destinations)
        rows.push({
          connector_id: connectorId,
          destination_id: d,
          item_key: r.item.key,
          mailbox: e.mailbox,
          status: 'pending',
          attempts: 0,
          next_attempt_at: ctx.now,
          lease_owner: null,
          lease_until: null,
          error_code: null,
          error_detail: null,
          remote_id: null,
          created_at: ctx.now,
          finished_at: null,
        });
  }
  for (const part of chunks(firstOf(rows, (r) => `${r.destination_id}\n${r.item_key}\n${r.mailbox}`)))
    await tx
      .insertInto('deliveries')
      .values(part)
      .onConflict((oc) => oc.columns(['destination_id', 'item_key', 'mailbox']).doNothing())
      .execute();
}

async function replaceHolds(tx: Tx, connectorId: string, batch: ProcessedRecord[], now: number): Promise<void> {
  const rawIds = batch.map((r) => r.rawId);
  for (const part of chunks(rawIds))
    await tx
      .updateTable('holds')
      .set({ released_at: now })
      .where('raw_id', 'in', part)
      .where('released_at', 'is', null)
      .execute();
  const rows = batch.flatMap((r) =>
    r.holds.map((h) => ({
      connector_id: connectorId,
      reason: h.reason,
      item_key: r.item?.key ?? h.itemKey ?? null,
      raw_id: r.rawId,
      participant: h.participant ?? null,
      participants: h.participants ? JSON.stringify(h.participants) : null,
      code: h.code ?? null,
      detail: h.detail,
      created_at: now,
      released_at: null,
    })),
  );
  for (const part of chunks(rows)) await tx.insertInto('holds').values(part).execute();
}

/** Each record's new status in one statement: UPDATE ... FROM a VALUES list of (id, outcome). */
async function setStatuses(tx: Tx, batch: ProcessedRecord[], now: number): Promise<void> {
  for (const part of chunks(batch)) {
    const values = part.map(
      (r) =>
        sql`(${r.rawId}::bigint, ${r.status}::text, ${r.holdReason ?? null}::text, ${r.errorCode ?? null}::text, ${r.errorDetail ?? null}::text)`,
    );
    await sql`UPDATE raw_records AS r SET status = v.status, hold_reason = v.hold_reason, error_code = v.error_code,
        error_detail = v.error_detail, attempts = r.attempts + 1, updated_at = ${now}
      FROM (VALUES ${sql.join(values)}) AS v(id, status, hold_reason, error_code, error_detail)
      WHERE r.id = v.id`.execute(tx);
  }
}
