/**
 * Reading archived items for delivery: the exact MIME bytes, the model and the media, a lease's
 * items at a time, and a small cache of recent items, since a message of a group chat goes to
 * every member's mailbox and the delivery lanes working those mailboxes reach it at about the
 * same time.
 */
import type { ChatMessage } from '../core/model.js';
import type { RenderedItem } from '../destinations/types.js';
import { messageIdFor } from '../render/index.js';
import { loadDeliverables, mediaBlobs, type Store } from '../store/index.js';

/** An item as loaded: the item, undefined when it is not archived, or why it could not be read. */
export type LoadedItem = RenderedItem | undefined | Error;

/**
 * Archived items as destinations take them, by key: one query for the items, one per connector
 * for their media and a batch read of the blobs (each checked against its SHA-256), where one
 * item at a time cost several queries each. A blob missing or damaged fails only the items that
 * use it; a failure of the database rejects the whole call.
 */
export async function loadRenderedItems(store: Store, keys: readonly string[]): Promise<Map<string, LoadedItem>> {
  const rows = await loadDeliverables(store.db, keys);
  const models = new Map<string, ChatMessage>();
  const idsByConnector = new Map<string, Set<string>>();
  for (const [key, row] of rows) {
    const model = JSON.parse(row.modelJson) as ChatMessage;
    models.set(key, model);
    if (model.attachments.length === 0) continue;
    const ids = idsByConnector.get(row.connectorId) ?? new Set<string>();
    for (const a of model.attachments) ids.add(a.sdkfileid);
    idsByConnector.set(row.connectorId, ids);
  }
  const mediaOf = new Map<string, Map<string, string>>();
  for (const [connectorId, ids] of idsByConnector)
    mediaOf.set(connectorId, await mediaBlobs(store.db, connectorId, [...ids]));
  // Each item's attachments' blobs, in the model's order (undefined: the medium was never fetched).
  const attachmentShas = new Map<string, (string | undefined)[]>();
  const shas: string[] = [];
  for (const [key, row] of rows) {
    const media = models.get(key)!.attachments.map((a) => mediaOf.get(row.connectorId)?.get(a.sdkfileid));
    attachmentShas.set(key, media);
    shas.push(row.mimeSha256, ...media.filter((sha) => sha !== undefined));
  }
  const blobs = await store.blobs.readMany(store.db, shas);
  const out = new Map<string, LoadedItem>();
  for (const key of keys) {
    const row = rows.get(key);
    if (!row) {
      out.set(key, undefined);
      continue;
    }
    const mime = blobs.get(row.mimeSha256)!;
    if (mime instanceof Error) {
      out.set(key, mime);
      continue;
    }
    const model = models.get(key)!;
    let failed: Error | undefined;
    const media = attachmentShas.get(key)!;
    const attachments = model.attachments.map((ref, i) => {
      const sha = media[i];
      const bytes = sha ? blobs.get(sha)! : undefined;
      if (bytes instanceof Error) failed ??= bytes;
      return { ref, bytes: bytes instanceof Error ? undefined : bytes };
    });
    out.set(key, failed ?? { key, messageId: messageIdFor(key), mime, time: row.msgTime, model, attachments });
  }
  return out;
}

/** One archived item as destinations take it (see loadRenderedItems). */
export async function loadRenderedItem(store: Store, key: string): Promise<RenderedItem | undefined> {
  const item = (await loadRenderedItems(store, [key])).get(key);
  if (item instanceof Error) throw item;
  return item;
}

/** Items most recently asked for, bounded in count and bytes; a load in progress is shared. */
export class ItemCache {
  private readonly entries = new Map<string, { item: Promise<RenderedItem | undefined>; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly store: Store,
    private readonly maxItems = 512,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  get(key: string): Promise<RenderedItem | undefined> {
    return this.getMany([key])[0]!;
  }

  /** The items of `keys`, in order; those not cached are read together in one batch. */
  getMany(keys: readonly string[]): Promise<RenderedItem | undefined>[] {
    const found = new Map<string, Promise<RenderedItem | undefined>>();
    for (const k of keys) {
      const hit = this.entries.get(k);
      if (hit) found.set(k, hit.item);
    }
    const missing = [...new Set(keys.filter((k) => !found.has(k)))];
    if (missing.length > 0) {
      const batch = loadRenderedItems(this.store, missing);
      for (const key of missing) {
        const item = batch.then((m) => {
          const got = m.get(key);
          if (got instanceof Error) throw got;
          return got;
        });
        found.set(key, item);
        this.keep(key, item);
      }
      this.trim();
    }
    return keys.map((k) => found.get(k)!);
  }

  private keep(key: string, item: Promise<RenderedItem | undefined>): void {
    const entry = { item, bytes: 0 };
    this.entries.set(key, entry);
    item.then(
      (loaded) => {
        if (this.entries.get(key) !== entry || !loaded) return;
        entry.bytes = loaded.mime.length + loaded.attachments.reduce((a, x) => a + (x.bytes?.length ?? 0), 0);
        this.bytes += entry.bytes;
        this.trim();
      },
      // A failed load is not kept: the next caller tries again (and sees the error itself).
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
  }

  /** Drops the oldest entries until both bounds hold. */
  private trim(): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxItems && this.bytes <= this.maxBytes) return;
      this.entries.delete(key);
      this.bytes -= e.bytes;
    }
  }
}
