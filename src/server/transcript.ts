/**
 * A conversation's items as transcript messages: sender, time, the content as plain text
 * (described by the renderer, so the transcript says what the archived message says), the
 * attachments with download and preview URLs through a mailbox of the reader's scope, and
 * recalls shown as such. Names come from the directory cache as it is now.
 */
import { personKindOf, type ChatMessage, type Person } from '../core/model.js';
import { conversationName } from '../render/describe.js';
import { blocks as blocksText } from '../render/body-text.js';
import { describeContent } from '../render/describe-kinds.js';
import { attachmentFilename } from '../render/describe-media.js';
import { shortName } from '../render/addresses.js';
import type { RenderContext } from '../render/index.js';
import type { Db } from '../store/index.js';
import {
  mailboxesHolding,
  storedMediaSizes,
  type ConversationItemRow,
  type MailboxScope,
} from '../store/conversations.js';
import { findPeople, findRoomNames } from '../store/mailbox-pages.js';
import type { TranscriptAttachment, TranscriptMessage } from './contract.js';
import { itemUrls } from './item-view.js';

/** Image types a browser shows without running anything; the preview route checks the bytes too. */
export const PREVIEW_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

function parseModel(json: string): ChatMessage | undefined {
  try {
    return JSON.parse(json) as ChatMessage;
  } catch {
    return undefined;
  }
}

/** Everyone and every room the messages name, looked up once for the whole page. */
async function directoryFor(db: Db, connectorId: string, models: ChatMessage[]): Promise<RenderContext> {
  const ids = new Set<string>();
  const rooms = new Set<string>();
  for (const m of models) {
    for (const id of [m.from, ...m.tolist]) if (id) ids.add(id);
    if (m.roomid) rooms.add(m.roomid);
  }
  const [people, roomNames] = await Promise.all([
    findPeople(db, connectorId, [...ids]),
    findRoomNames(db, connectorId, [...rooms]),
  ]);
  const byId = new Map<string, Person>(people.map((p) => [p.id, p]));
  return { people: (id) => byId.get(id), roomName: (id) => roomNames.get(id), attachmentBytes: () => undefined };
}

function attachmentsOf(
  msg: ChatMessage,
  stored: Map<string, number>,
  mailbox: string | null,
): { list: TranscriptAttachment[]; sizes: (number | undefined)[] } {
  const sizes = msg.attachments.map((a) => stored.get(a.sdkfileid));
  const urls = mailbox ? itemUrls(mailbox, msg.key) : undefined;
  // The stored message carries only the attachments that were fetched, in order: its index
  // of attachment i is the number of fetched ones before it.
  let mimeIndex = 0;
  const list = msg.attachments.map((ref, index): TranscriptAttachment => {
    const size = sizes[index];
    const isStored = size !== undefined;
    const at = isStored ? mimeIndex++ : -1;
    const url = urls && isStored ? urls.attachment(at) : null;
    return {
      index,
      filename: attachmentFilename(ref, index),
      contentType: ref.contentType,
      size: size ?? null,
      stored: isStored,
      url,
      previewUrl: url && PREVIEW_TYPES.has(ref.contentType.toLowerCase()) ? `${url}/preview` : null,
    };
  });
  return { list, sizes };
}

export interface TranscriptPage {
  messages: TranscriptMessage[];
  name: string;
  kind: 'single' | 'group';
}

/** Transcript messages for rows of one conversation (one connector), in the rows' order. */
export async function transcript(
  db: Db,
  connectorId: string,
  rows: readonly ConversationItemRow[],
  scope: MailboxScope,
  /** items the reader may open on their own; the others are context only (no item or file links) */
  openable?: ReadonlySet<string>,
): Promise<TranscriptPage> {
  const models = rows.map((r) => parseModel(r.modelJson));
  const present = models.filter((m): m is ChatMessage => m !== undefined);
  const [ctx, holders, stored] = await Promise.all([
    directoryFor(db, connectorId, present),
    mailboxesHolding(
      db,
      rows.map((r) => r.itemKey),
      scope,
    ),
    storedMediaSizes(
      db,
      connectorId,
      present.flatMap((m) => m.attachments.map((a) => a.sdkfileid)),
    ),
  ]);
  const first = present[0];
  const messages = rows.map((row, i): TranscriptMessage => {
    const msg = models[i];
    const mailbox = openable && !openable.has(row.itemKey) ? null : (holders.get(row.itemKey)?.[0] ?? null);
    if (!msg) {
      return {
        itemKey: row.itemKey,
        msgid: '',
        time: row.msgTime,
        msgType: 'unknown',
        action: 'send',
        from: { id: '', name: '', external: false },
        title: 'Unreadable (无法读取)',
        text: '',
        recalled: row.recalledAt !== null,
        recalledAt: row.recalledAt,
        recalledMsgid: null,
        attachments: [],
        mailbox,
      };
    }
    const { list, sizes } = attachmentsOf(msg, stored, mailbox);
    const d = describeContent(msg.content, { msg, ctx, sizes, referenced: new Set(), depth: 0 });
    const person = ctx.people(msg.from);
    return {
      itemKey: row.itemKey,
      msgid: msg.msgid,
      time: msg.time,
      msgType: msg.msgtype,
      action: msg.action,
      from: {
        id: msg.from,
        name: shortName(ctx, msg.from),
        external: (person?.kind ?? personKindOf(msg.from)) === 'external',
      },
      title: d.title,
      text: blocksText(d.blocks),
      recalled: row.recalledAt !== null,
      recalledAt: row.recalledAt,
      recalledMsgid: msg.content.kind === 'revoke' ? msg.content.preMsgid : null,
      attachments: list,
      mailbox,
    };
  });
  return {
    messages,
    name: first ? conversationName(first, ctx) : '',
    kind: first?.conversation.kind ?? 'group',
  };
}
