/**
 * Reading archived items for delivery: the exact MIME bytes, the model and the media, and a
 * small cache of recent items, since a message of a group chat goes to every member's mailbox
 * and the delivery lanes working those mailboxes reach it at about the same time.
 */
import type { ChatMessage } from '../core/model.js';
import type { RenderedItem } from '../destinations/types.js';
import { messageIdFor } from '../render/index.js';
import { loadDeliverable, mediaBlobs, type Store } from '../store/index.js';

/** An archived item as destinations take it: its exact MIME bytes, its model and its media. */
export async function loadRenderedItem(store: Store, key: string): Promise<RenderedItem | undefined> {
  const row = await loadDeliverable(store.db, key);
  if (!row) return undefined;
  const model = JSON.parse(row.modelJson) as ChatMessage;
  const shas = await mediaBlobs(
    store.db,
    row.connectorId,
    model.attachments.map((a) => a.sdkfileid),
  );
  const attachments = await Promise.all(
    model.attachments.map(async (ref) => {
      const sha = shas.get(ref.sdkfileid);
      return { ref, bytes: sha ? await store.blobs.read(store.db, sha) : undefined };
    }),
  );
  return {
    key,
    messageId: messageIdFor(key),
    mime: await store.blobs.read(store.db, row.mimeSha256),
    time: row.msgTime,
    model,
    attachments,
  };
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
    const hit = this.entries.get(key);
    if (hit) return hit.item;
    const entry = { item: loadRenderedItem(this.store, key), bytes: 0 };
    this.entries.set(key, entry);
    entry.item.then(
      (item) => {
        if (this.entries.get(key) !== entry || !item) return;
        entry.bytes = item.mime.length + item.attachments.reduce((a, x) => a + (x.bytes?.length ?? 0), 0);
        this.bytes += entry.bytes;
        this.trim();
      },
      // A failed load is not kept: the next caller tries again (and sees the error itself).
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    this.trim();
    return entry.item;
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
