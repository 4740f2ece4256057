/**
 * What the index holds for one item, built from the archived message, the directory and the
 * mapping at the time it is indexed: the message's own text, file names, attachment text, its
 * participants (name, userid, mobile, email, mailbox) and the conversation's name. The same
 * function serves the pipeline (as items are archived) and `reindex`, so both index alike.
 */
import { createHash } from 'node:crypto';
import { personKindOf, type ChatMessage, type Person } from '../../core/model.js';
import type { SearchRowWrite } from '../../store/search-index.js';
import { aliasKey, mobileKeys } from './aliases.js';
import { contentTexts } from './message-text.js';
import { TOKENIZER_VERSION, tokenizeFields } from './tokenize.js';

/** A participant with what the directory and mapping know of them. */
export interface SearchParticipant {
  id: string;
  name?: string;
  mobile?: string;
  email?: string;
  mailbox?: string;
  external?: boolean;
}

/** One item, ready to be tokenized: independent of where it came from. */
export interface SearchDocument {
  itemKey: string;
  msgid: string;
  connectorId: string;
  /** ms UTC */
  time: number;
  msgtype: string;
  from: SearchParticipant;
  to: SearchParticipant[];
  conversation: { id: string; name?: string; kind: 'single' | 'group' };
  mailboxes: string[];
  recalled: boolean;
  hasAttachments: boolean;
  external: boolean;
  /** the message's own texts, in reading order */
  texts: string[];
  fileNames: string[];
  attachmentTexts: string[];
  /** attachments whose text could not be read (indexed by name only) */
  unreadableAttachments: number;
}

/** The quoted text of a result is cut here: snippets need the start, not a whole document. */
const BODY_MAX = 4000;

function participantFields(p: SearchParticipant): string[] {
  return [p.name, p.id, p.mobile, p.email, p.mailbox].filter((v): v is string => !!v);
}

/** A bilingual name ("张建华 Zhang Jianhua") is also found by either half. */
function nameParts(name: string): string[] {
  const cjk = name.match(/[\p{Script=Han}]+/gu) ?? [];
  const rest = name
    .replace(/[\p{Script=Han}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cjk.length > 0 && rest ? [...cjk, rest] : [];
}

function aliasesOf(p: SearchParticipant): { alias: string; personId: string }[] {
  const personId = aliasKey(p.id);
  const keys = [p.id, p.name, ...(p.name ? nameParts(p.name) : []), p.email, p.mailbox]
    .filter((v): v is string => !!v)
    .map(aliasKey);
  if (p.mobile) keys.push(...mobileKeys(p.mobile));
  return [...new Set(keys)].filter((k) => k !== '').map((alias) => ({ alias, personId }));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The index row of a document: tokens, facets and aliases. */
export function searchRowOf(doc: SearchDocument): SearchRowWrite {
  const people = [doc.from, ...doc.to];
  const fields = [
    ...doc.texts,
    ...doc.fileNames,
    ...doc.attachmentTexts,
    ...people.flatMap(participantFields),
    ...(doc.conversation.name ? [doc.conversation.name] : []),
  ];
  const tokens = tokenizeFields(unique(fields)).join(' ');
  const facets: SearchRowWrite['facets'] = [
    { field: 'from', value: aliasKey(doc.from.id) },
    ...doc.to.map((p) => ({ field: 'to' as const, value: aliasKey(p.id) })),
    ...doc.mailboxes.map((m) => ({ field: 'mailbox' as const, value: aliasKey(m) })),
    { field: 'conversation', value: aliasKey(doc.conversation.id) },
    ...(doc.conversation.name ? [{ field: 'conversation' as const, value: aliasKey(doc.conversation.name) }] : []),
  ];
  const aliases = people.flatMap(aliasesOf);
  const body = unique([...doc.texts, ...doc.fileNames])
    .join('\n')
    .slice(0, BODY_MAX);
  const docSha256 = createHash('sha256')
    .update(JSON.stringify([tokens, facets, doc.hasAttachments, doc.external, body]))
    .digest('hex');
  return {
    itemKey: doc.itemKey,
    connectorId: doc.connectorId,
    msgid: doc.msgid,
    time: doc.time,
    msgtype: doc.msgtype,
    fromId: doc.from.id,
    ...(doc.from.name ? { fromName: doc.from.name } : {}),
    ...(doc.from.mailbox ? { fromMailbox: doc.from.mailbox } : {}),
    conversationId: doc.conversation.id,
    ...(doc.conversation.name ? { conversationName: doc.conversation.name } : {}),
    conversationKind: doc.conversation.kind,
    mailboxes: doc.mailboxes,
    addresses: people.flatMap((p) => (p.mailbox ? [[p.id, p.mailbox] as [string, string]] : [])),
    recalled: doc.recalled,
    hasAttachments: doc.hasAttachments,
    external: doc.external,
    body,
    tokens,
    docSha256,
    tokenizerVersion: TOKENIZER_VERSION,
    unreadableAttachments: doc.unreadableAttachments,
    facets,
    aliases,
  };
}

/** What the rest of the archive knows about a message when it is indexed. */
export interface MessageContext {
  connectorId: string;
  people: (id: string) => Person | undefined;
  roomName?: (roomid: string) => string | undefined;
  /** participant id -> mapped mailbox */
  addressOf: (id: string) => string | undefined;
  mailboxes: string[];
  recalled: boolean;
  /** text extracted from each attachment, by index; undefined when not read */
  attachmentTexts: readonly (string | undefined)[];
  unreadableAttachments: number;
  /** for a recall: the recalled message's text, so the recall is found by it */
  recalledText?: string;
}

function participant(id: string, ctx: MessageContext): SearchParticipant {
  const p = ctx.people(id);
  const mailbox = ctx.addressOf(id);
  return {
    id,
    ...(p?.name ? { name: p.name } : {}),
    ...(p?.mobile ? { mobile: p.mobile } : {}),
    ...(p?.email ? { email: p.email } : {}),
    ...(mailbox ? { mailbox } : {}),
    external: (p?.kind ?? personKindOf(id)) === 'external',
  };
}

/** The search document of an archived message. */
export function documentOfMessage(msg: ChatMessage, ctx: MessageContext): SearchDocument {
  const from = participant(msg.from, ctx);
  const to = msg.tolist.filter((id) => id && id !== msg.from).map((id) => participant(id, ctx));
  const roomName = msg.roomid ? ctx.roomName?.(msg.roomid) : undefined;
  // A one-to-one chat has no name of its own: its people's names, in id order like the renderer's.
  const pairName =
    msg.conversation.kind === 'single'
      ? [from, ...to]
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
          .map((p) => p.name ?? p.id)
          .join(' & ')
      : undefined;
  const convName = roomName?.trim() || msg.conversation.name?.trim() || pairName || undefined;
  const texts = contentTexts(msg.content);
  if (ctx.recalledText) texts.push(ctx.recalledText);
  return {
    itemKey: msg.key,
    msgid: msg.msgid,
    connectorId: ctx.connectorId,
    time: msg.time,
    msgtype: msg.msgtype,
    from,
    to,
    conversation: { id: msg.conversation.id, ...(convName ? { name: convName } : {}), kind: msg.conversation.kind },
    mailboxes: ctx.mailboxes,
    recalled: ctx.recalled,
    hasAttachments: msg.attachments.length > 0,
    external: msg.external || from.external === true || to.some((p) => p.external),
    texts,
    fileNames: msg.attachments.map((a) => a.filename).filter((f) => !!f),
    attachmentTexts: ctx.attachmentTexts.filter((t): t is string => !!t),
    unreadableAttachments: ctx.unreadableAttachments,
  };
}
