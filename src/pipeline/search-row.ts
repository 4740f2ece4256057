/**
 * The search document of an item being archived (its index row, and what supervision checks),
 * committed in the same transaction as the item: when a run returns, everything it archived is
 * searchable, and a crash leaves neither the item nor its index row. A message without media is
 * indexed on the prepare threads with its rendering (search-document.ts); one with media here,
 * on the main thread, once its media is at hand.
 */
import { attachmentTexts } from '../compliance/search/attachment-texts.js';
import type { SearchDocument } from '../compliance/search/document.js';
import type { ChatMessage } from '../core/model.js';
import type { Store } from '../store/index.js';
import type { FetchedMedia } from '../sources/types.js';
import type { Lookups, MappingOutcome } from './prepare.js';
import { searchDocumentOf } from './search-document.js';

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
  return searchDocumentOf(connectorId, msg, mapping, lookups, att, recalledText);
}
