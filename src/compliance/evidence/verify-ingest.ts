/**
 * Replays the ingest log: every event's link and hash, and every row it names as it is now.
 * A row that changed no longer matches its logged digest; a row that is gone must have a
 * tombstone; a row that no event names was written around the archiver. Items are also held
 * against the raw record they came from.
 */
import { createHash } from 'node:crypto';
import {
  CHAIN_GENESIS,
  entriesByItemKeys,
  entryDigest,
  entryRef,
  hexOf,
  ingestHash,
  ingestPage,
  ingestTombstones,
  itemDigest,
  itemDigestVersionOf,
  itemsByKeys,
  rawByIds,
  rawBySeqKeys,
  rawDigest,
  unloggedRows,
  type Db,
  type IngestRow,
} from '../../store/index.js';
import type { Problems } from './problems.js';

const PAGE = 2000;

/** What tombstones cover: deleted items (with their entries) and deleted raw records. */
export interface TombstoneIndex {
  items: Set<string>;
  /** entry refs (mailbox, folder, item key) deleted while their item stayed */
  entries: Set<string>;
  /** connector + '\n' + seq_key */
  raw: Set<string>;
  count: number;
}

export async function loadTombstones(db: Db): Promise<TombstoneIndex> {
  const out: TombstoneIndex = { items: new Set(), entries: new Set(), raw: new Set(), count: 0 };
  for (const t of await ingestTombstones(db)) {
    out.count++;
    const d = JSON.parse(t.detail_json) as { rawDeleted?: boolean; seqKey?: string; scope?: string };
    if (d.scope === 'entry') {
      out.entries.add(t.ref);
      continue;
    }
    out.items.add(t.ref);
    if (d.rawDeleted && d.seqKey) out.raw.add(`${t.connector_id}\n${d.seqKey}`);
  }
  return out;
}

export interface IngestCheck {
  events: number;
  head: string;
  lastEventId: number;
  rawRecords: number;
  items: number;
  entries: number;
}

function detailOf(e: IngestRow): Record<string, unknown> {
  try {
    return JSON.parse(e.detail_json) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Checks the whole chain (hashing is cheap), and the rows named by events at or after
 * `sinceAt` (0 for all: looking rows up is what costs).
 */
export async function verifyIngest(
  db: Db,
  opts: { sinceAt: number; tombstones: TombstoneIndex; head: { lastId: number; hash: string } },
  problems: Problems,
  /** called after each page with the events read so far */
  onProgress?: (events: number) => void,
): Promise<IngestCheck> {
  const out: IngestCheck = { events: 0, head: CHAIN_GENESIS, lastEventId: 0, rawRecords: 0, items: 0, entries: 0 };
  let prevHash = CHAIN_GENESIS;
  let prevId: number | null = null;
  let after = 0;
  for (;;) {
    const page = await ingestPage(db, after, PAGE);
    if (page.length === 0) break;
    for (const e of page) {
      out.events++;
      const bad = checkLink(e, prevHash, prevId);
      if (bad) problems.add({ kind: 'ingest-event', eventId: e.id, reason: bad });
      // The next event hashes from this one's stored hash: a broken event is named once, not every one after it.
      prevHash = hexOf(e.hash);
      prevId = e.id;
    }
    const recent = opts.sinceAt > 0 ? page.filter((e) => e.at >= opts.sinceAt) : page;
    await checkRows(db, recent, opts.tombstones, problems, out);
    after = page[page.length - 1]!.id;
    onProgress?.(out.events);
  }
  out.head = prevHash;
  out.lastEventId = prevId ?? 0;
  // Removing the newest events leaves a chain that links; the head row (and, beyond the
  // database, the signed checkpoints) still name the real end.
  if (opts.head.lastId !== out.lastEventId || opts.head.hash !== out.head) {
    problems.add({
      kind: 'ingest-event',
      eventId: opts.head.lastId,
      reason: `the log ends at event ${out.lastEventId}, but its head says ${opts.head.lastId}: the newest events were removed or replaced`,
    });
  }
  const unlogged = await unloggedRows(db, opts.sinceAt, 20);
  for (const r of unlogged.raw) {
    problems.add({
      kind: 'raw',
      connectorId: r.connector_id,
      seqKey: r.seq_key,
      msgid: r.msgid,
      reason: 'this raw record is in no ingest event: it was stored around the archiver',
    });
  }
  for (const i of unlogged.items) {
    problems.add({
      kind: 'item',
      itemKey: i.key,
      msgid: i.msgid,
      reason: 'this item is in no ingest event: it was stored around the archiver',
    });
  }
  for (const m of unlogged.entries) {
    problems.add({
      kind: 'entry',
      itemKey: m.item_key,
      mailbox: m.mailbox,
      reason: 'this mailbox entry is in no ingest event: it was stored around the archiver',
    });
  }
  return out;
}

/**
 * An event links when its id follows the one before and its stored hash is the hash of the
 * previous event's hash and its own fields (the previous hash is not stored twice).
 */
function checkLink(e: IngestRow, prevHash: string, prevId: number | null): string | null {
  if (prevId !== null && e.id !== prevId + 1) {
    return `event ${prevId + 1}${e.id > prevId + 2 ? `..${e.id - 1}` : ''} is missing: events were removed`;
  }
  const fields = { ...e, digest: hexOf(e.digest) };
  if (ingestHash(prevHash, fields) === hexOf(e.hash)) return null;
  return prevId === null
    ? 'the first event does not hash from the genesis value: it was altered, or events before it were removed'
    : `the event does not hash from the hash of event ${prevId} and its own fields: it was altered, or events were removed, inserted, reordered or rewritten here`;
}

async function checkRows(
  db: Db,
  page: IngestRow[],
  tomb: TombstoneIndex,
  problems: Problems,
  out: IngestCheck,
): Promise<void> {
  const rawEvents = page.filter((e) => e.kind === 'raw');
  const itemEvents = page.filter((e) => e.kind === 'item');
  const entryEvents = page.filter((e) => e.kind === 'entry');
  // raw records, looked up per connector by seq
  const byConnector = new Map<string, IngestRow[]>();
  for (const e of rawEvents) byConnector.set(e.connector_id, [...(byConnector.get(e.connector_id) ?? []), e]);
  for (const [connectorId, events] of byConnector) {
    const rows = new Map(
      (
        await rawBySeqKeys(
          db,
          connectorId,
          events.map((e) => e.ref),
        )
      ).map((r) => [r.seq_key, r]),
    );
    for (const e of events) {
      out.rawRecords++;
      const row = rows.get(e.ref);
      const where = {
        kind: 'raw' as const,
        connectorId,
        seqKey: e.ref,
        eventId: e.id,
        msgid: String(detailOf(e).msgid ?? ''),
      };
      if (!row) {
        if (!tomb.raw.has(`${connectorId}\n${e.ref}`))
          problems.add({ ...where, reason: 'the raw record was deleted without a tombstone' });
        continue;
      }
      if (createHash('sha256').update(row.record_json).digest('hex') !== row.record_sha256) {
        problems.add({
          ...where,
          reason: 'the record as stored no longer matches its SHA-256: the original was altered',
        });
      } else if (rawDigest(row) !== hexOf(e.digest)) {
        problems.add({ ...where, reason: 'the raw record differs from what was logged when it was captured' });
      }
    }
  }
  // items, and the raw record each came from
  const items = new Map(
    (
      await itemsByKeys(
        db,
        itemEvents.map((e) => e.ref),
      )
    ).map((i) => [i.key, i]),
  );
  const raws = new Map(
    (
      await rawByIds(
        db,
        [...items.values()].map((i) => i.raw_id),
      )
    ).map((r) => [r.id, r]),
  );
  for (const e of itemEvents) {
    out.items++;
    const item = items.get(e.ref);
    const detail = detailOf(e);
    const where = { kind: 'item' as const, itemKey: e.ref, eventId: e.id, msgid: String(detail.msgid ?? '') };
    if (!item) {
      if (!tomb.items.has(e.ref)) problems.add({ ...where, reason: 'the item was deleted without a tombstone' });
      continue;
    }
    // Each item as its event's digest version computes it (version 2 hashes the model as stored now).
    const version = itemDigestVersionOf(detail);
    if (version === undefined) {
      problems.add({ ...where, reason: `the item's event names a digest version this verifier does not know` });
      continue;
    }
    if (itemDigest(item, version) !== hexOf(e.digest)) {
      problems.add({ ...where, reason: 'the item differs from what was logged when it was archived' });
      continue;
    }
    const raw = raws.get(item.raw_id);
    if (!raw) {
      if (!tomb.raw.has(`${item.connector_id}\n${item.seq_key}`)) {
        problems.add({ ...where, reason: `the item's raw record (id ${item.raw_id}) is gone without a tombstone` });
      }
    } else if (raw.msgid !== item.msgid || raw.seq_key !== item.seq_key || raw.connector_id !== item.connector_id) {
      problems.add({
        ...where,
        reason: `the item does not match its raw record (seq ${raw.seq_key}, msgid ${raw.msgid})`,
      });
    }
  }
  // mailbox entries
  const entryKeys = [...new Set(entryEvents.map((e) => e.ref.split('\n')[2] ?? ''))];
  const entries = new Map((await entriesByItemKeys(db, entryKeys)).map((m) => [entryRef(m), m]));
  for (const e of entryEvents) {
    out.entries++;
    const [mailbox, , itemKey] = e.ref.split('\n');
    const entry = entries.get(e.ref);
    const where = { kind: 'entry' as const, itemKey: itemKey ?? '', mailbox: mailbox ?? '', eventId: e.id };
    if (!entry) {
      if (!tomb.items.has(itemKey ?? '') && !tomb.entries.has(e.ref))
        problems.add({ ...where, reason: 'the mailbox entry was deleted without a tombstone' });
    } else if (entryDigest(entry) !== hexOf(e.digest)) {
      problems.add({ ...where, reason: 'the mailbox entry differs from what was logged when it was made' });
    }
  }
}
