/**
 * The search document of a message, as a pure function of the message, its mapping, the
 * directory lookups and its attachments' texts: the prepare threads index a message without
 * media with it, the main thread one whose media it fetched (search-row.ts).
 */
import { documentOfMessage, type SearchDocument } from '../compliance/search/document.js';
import type { ChatMessage } from '../core/model.js';
import type { Lookups, MappingOutcome } from './prepare.js';

export function searchDocumentOf(
  connectorId: string,
  msg: ChatMessage,
  mapping: MappingOutcome,
  lookups: Lookups,
  att: { texts: (string | undefined)[]; unreadable: number },
  recalledText: string | undefined,
): SearchDocument {
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
