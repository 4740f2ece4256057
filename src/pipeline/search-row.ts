/**
 * The search document of an item being archived (its index row, and what supervision checks),
 * built on the main thread once its media is at hand, and committed in the same transaction as the item: when a run returns, everything it
 * archived is searchable, and a crash leaves neither the item nor its index row.
 */
import { attachmentTexts } from '../compliance/search/attachment-texts.js';
import { documentOfMessage, type SearchDocument } from '../compliance/search/document.js';
import type { ChatMessage } from '../core/model.js';
import type { Store } from '../store/index.js';
import type { FetchedMedia } from './media.js';
import type { Lookups, MappingOutcome } from './prepare.js';

export async function searchDocumentFor(
  store: Store,
  connectorId: string,
  msg: ChatMessage,
  mapping: MappingOutcome,
  lookups: Lookups,
  fetched: readonly FetchedMedia[],
  recalledText: string | undefined,
): Promise<SearchDocument> {
  const att = await attachmentTexts(msg.attachments, async (i) => {
    const f = fetched[i];
    if (!f?.blob) return f?.bytes;
    return f.bytes ?? f.blob.data ?? (await store.blobs.objects.get(f.blob.sha256));
  });
  const addresses = new Map(mapping.addresses);
  return documentOfMessage(msg, {
    connectorId,
    people: (id) => lookups.people.get(id),
    roomName: (id) => lookups.rooms.get(id),
    addressOf: (id) => addresses.get(id),
    mailboxes: mapping.entries.map((e) => e.mailbox),
    recalled: false,
    attachmentTexts: att.texts,
    unreadableAttachments: att.unreadable,
    ...(recalledText ? { recalledText } : {}),
  });
}
