/**
 * Rebuilds the search index of an existing archive (after a tokenizer change, or for items
 * archived before search existed), while the service keeps running: items are re-indexed in
 * place a batch per transaction, so every query sees each item's old row or its new one and
 * never neither. The position is saved with each batch; a reindex that was killed resumes.
 */
import type { DirectorySnapshot } from '../../core/directory.js';
import type { ChatMessage, Person } from '../../core/model.js';
import {
  clearReindexCursor,
  findItemModel,
  getReindexCursor,
  loadDirectory,
  loadReindexBatch,
  mediaBlobOf,
  orphanSearchKeys,
  reindexItemCounts,
  unreadableAttachmentCount,
  writeReindexBatch,
  type ReindexItem,
  type SearchRowWrite,
  type Store,
} from '../../store/index.js';
import { attachmentTexts } from './attachment-texts.js';
import { documentOfMessage, searchRowOf, type SearchDocument } from './document.js';
import { recallTextOf } from './message-text.js';
import { embeddedSearchIndex } from './search-index.js';

export interface ReindexProgress {
  done: number;
  total: number;
}

export interface ReindexSummary {
  /** items in the archive */
  items: number;
  /** items (re)indexed by this reindex */
  indexed: number;
  /** index rows removed because their item is no longer archived */
  removed: number;
  /** attachments that could not be read, over the whole index */
  unreadableAttachments: number;
  /** true when it continued an interrupted reindex */
  resumed: boolean;
  durationMs: number;
}

export interface ReindexOptions {
  batchSize?: number;
  onProgress?: (p: ReindexProgress) => void;
  now?: () => number;
}

export interface Directory {
  people: Map<string, Person>;
  rooms: Map<string, string>;
}

/** The search document of an archived item, as the pipeline built it when the item arrived. */
export async function documentOfItem(store: Store, item: ReindexItem, dir: Directory): Promise<SearchDocument> {
  const msg = JSON.parse(item.modelJson) as ChatMessage;
  const att = await attachmentTexts(msg.attachments, async (i) => {
    const sha = await mediaBlobOf(store.db, item.connectorId, msg.attachments[i]!.sdkfileid);
    return sha ? store.blobs.read(store.db, sha) : undefined;
  });
  let recalledText: string | undefined;
  if (msg.content.kind === 'revoke') {
    const original = (await findItemModel(store.db, item.connectorId, msg.content.preMsgid)) as ChatMessage | undefined;
    if (original) recalledText = recallTextOf(original.content);
  }
  const addresses = new Map(item.addresses);
  return documentOfMessage(msg, {
    connectorId: item.connectorId,
    people: (id) => dir.people.get(id),
    roomName: (id) => dir.rooms.get(id),
    addressOf: (id) => addresses.get(id),
    mailboxes: item.mailboxes,
    recalled: item.recalled,
    attachmentTexts: att.texts,
    unreadableAttachments: att.unreadable,
    ...(recalledText ? { recalledText } : {}),
  });
}

export function directoryOf(snap: DirectorySnapshot): Directory {
  return { people: new Map(snap.people.map((p) => [p.id, p])), rooms: new Map(snap.rooms.map((r) => [r.id, r.name])) };
}

export async function reindexArchive(store: Store, opts: ReindexOptions = {}): Promise<ReindexSummary> {
  const now = opts.now ?? Date.now;
  const started = now();
  const batchSize = opts.batchSize ?? 500;
  const saved = await getReindexCursor(store.db);
  let cursor = saved ?? '';
  const counts = await reindexItemCounts(store.db, saved);
  const total = counts.total;
  let done = counts.done;
  const dirs = new Map<string, Directory>();
  let indexed = 0;
  const index = embeddedSearchIndex(store.db);
  await index.beginBulkLoad();
  opts.onProgress?.({ done, total });
  for (;;) {
    const batch = await loadReindexBatch(store.db, cursor, batchSize);
    if (batch.length === 0) break;
    const rows: SearchRowWrite[] = [];
    for (const item of batch) {
      let dir = dirs.get(item.connectorId);
      if (!dir) {
        dir = directoryOf(await loadDirectory(store.db, item.connectorId));
        dirs.set(item.connectorId, dir);
      }
      rows.push(searchRowOf(await documentOfItem(store, item, dir)));
    }
    cursor = batch[batch.length - 1]!.key;
    // The batch and its position in one transaction (on SQLite one that waits for the write
    // lock): `serve` may be archiving (and indexing) in its own process at the same time.
    await writeReindexBatch(store.db, rows, cursor, now());
    indexed += batch.length;
    done += batch.length;
    opts.onProgress?.({ done, total: Math.max(total, done) });
    // SQLite answers synchronously, so without this a reindex in a serving process would run
    // to the end before any request got a turn.
    await new Promise((resolve) => setImmediate(resolve));
  }
  let removed = 0;
  for (;;) {
    const orphans = await orphanSearchKeys(store.db, batchSize);
    if (orphans.length === 0) break;
    removed += await index.remove(orphans);
  }
  await clearReindexCursor(store.db);
  // A rebuild leaves the index in many segments, each of which every query reads.
  await index.compact();
  const unreadable = await unreadableAttachmentCount(store.db);
  return {
    items: total,
    indexed,
    removed,
    unreadableAttachments: unreadable,
    resumed: saved !== undefined,
    durationMs: now() - started,
  };
}
