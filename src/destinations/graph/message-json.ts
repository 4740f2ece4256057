/**
 * The JSON a Graph copy of an item is created from: what the reader sees (subject, HTML body,
 * From, To) and the MAPI properties that make it a read, received message dated at the
 * item's time and findable by its key. JSON rather than a MIME upload, because a MIME upload
 * always becomes a draft and is capped by the 4 MB request limit.
 */
import type { RenderedItem } from '../types.js';
import { omittedNoteHtml, withNote, type AttachmentPlan } from './attachment-plan.js';
import type { Mailbox, MimeParts } from './mime-parts.js';
import { MESSAGE_CLASS, MESSAGE_FLAGS_READ, PROP } from './props.js';

interface Recipient {
  emailAddress: { name?: string; address: string };
}

function recipient(m: Mailbox): Recipient {
  return { emailAddress: m.name ? { name: m.name, address: m.address } : { address: m.address } };
}

export interface GraphMessage {
  subject: string;
  body: { contentType: 'html'; content: string };
  from?: Recipient;
  sender?: Recipient;
  toRecipients: Recipient[];
  isRead: true;
  singleValueExtendedProperties: { id: string; value: string }[];
}

export function buildMessage(
  item: RenderedItem,
  parts: MimeParts,
  plan: AttachmentPlan,
  maxMessageBytes: number,
): GraphMessage {
  const time = new Date(item.time).toISOString();
  const props: { id: string; value: string }[] = [
    { id: PROP.messageFlags, value: String(MESSAGE_FLAGS_READ) },
    { id: PROP.deliveryTime, value: time },
    { id: PROP.submitTime, value: time },
    { id: PROP.internetMessageId, value: item.messageId },
    { id: PROP.messageClass, value: MESSAGE_CLASS },
    { id: PROP.sourceItemId, value: item.key },
    { id: PROP.attachmentCount, value: String(plan.attach.length) },
  ];
  if (parts.inReplyTo) props.push({ id: PROP.inReplyTo, value: parts.inReplyTo });
  if (parts.references) props.push({ id: PROP.references, value: parts.references });
  const html = plan.omitted.length ? withNote(parts.html, omittedNoteHtml(plan.omitted, maxMessageBytes)) : parts.html;
  const msg: GraphMessage = {
    subject: parts.subject,
    body: { contentType: 'html', content: html },
    toRecipients: parts.to.map(recipient),
    isRead: true,
    singleValueExtendedProperties: props,
  };
  if (parts.from) {
    msg.from = recipient(parts.from);
    msg.sender = recipient(parts.from);
  }
  return msg;
}
