/**
 * Maps archived chat items to an RSMF 2.0.0 manifest (Relativity Short Message Format), the
 * format review platforms load chat from. Each event is read back from the archived message,
 * so its body is the text the renderer wrote for that message type (a card, a location, a
 * consent notice...) and its attachments are the archived attachments, by file name.
 */
import type { ParsedMail } from 'mailparser';
import { addressFor } from '../../render/addresses.js';

export const RSMF_VERSION = '2.0.0';
/** Relativity's limit is 10,000 events per RSMF file; stay below it. */
export const RSMF_MAX_EVENTS = 9_999;
/** The .rsmf file's one attachment, and the manifest in it (the names Relativity's loader looks for). */
export const RSMF_ZIP_NAME = 'rsmf.zip';
export const RSMF_MANIFEST_NAME = 'rsmf_manifest.json';
/** The custom field of each event that names its exported item (what verify-export matches items by). */
export const ITEM_KEY_FIELD = 'Item key';

export interface RsmfItem {
  controlNumber: string;
  itemKey: string;
  msgid: string;
  msgtype: string;
  msgTime: number;
  custodian: string | undefined;
  /** WeCom ids (userid or external id) of the sender and the recipients */
  fromId: string;
  toIds: string[];
  /** the msgid of the recall, when this message was recalled (the archived copy predates it) */
  recalledBy?: string;
  mail: ParsedMail;
}

export interface RsmfFileEntry {
  name: string;
  bytes: Uint8Array;
  display: string;
}

interface Participant {
  id: string;
  display?: string;
  email: string;
  account_id?: string;
}

export interface RsmfManifest {
  version: string;
  participants: Participant[];
  conversations: {
    id: string;
    display?: string;
    platform: string;
    type: 'direct' | 'channel';
    participants: string[];
    custodian?: string;
  }[];
  events: RsmfEvent[];
  eventcollectionid: string;
}

export interface RsmfEvent {
  id: string;
  type: 'message' | 'disclaimer' | 'history';
  body: string;
  participant: string;
  conversation: string;
  timestamp: string;
  deleted?: boolean;
  direction?: 'incoming' | 'outgoing';
  attachments?: { id: string; display: string; size: number }[];
  custom: { name: string; value: string }[];
}

/** RSMF event type: consent notices are disclaimers, recalls and account switches history. */
export function eventType(msgtype: string, action: string): RsmfEvent['type'] {
  if (msgtype === 'agree' || msgtype === 'disagree') return 'disclaimer';
  if (msgtype === 'revoke' || msgtype === 'switch' || action === 'recall' || action === 'switch') return 'history';
  return 'message';
}

function header(mail: ParsedMail, name: string): string {
  const v = mail.headers.get(name.toLowerCase());
  return typeof v === 'string' ? v : v === undefined ? '' : String(v);
}

function addresses(v: ParsedMail['from'] | ParsedMail['to']): { address: string; name: string }[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return list.flatMap((a) => a.value).map((a) => ({ address: (a.address ?? '').toLowerCase(), name: a.name ?? '' }));
}

/** A file name unique within the zip: the item's control number, the attachment's index, its name. */
function zipName(controlNumber: string, index: number, filename: string): string {
  // path separators and characters Windows forbids in names, including control characters
  const safe = [...filename].map((ch) => (/[\\/:*?"<>|]/.test(ch) || ch.charCodeAt(0) < 0x20 ? '_' : ch)).join('');
  return `${controlNumber}_${index + 1}_${safe || 'attachment'}`;
}

/** The manifest and the attachment files of one RSMF file (items of one conversation, in time order). */
export function buildRsmf(
  items: readonly RsmfItem[],
  collectionId: string,
): {
  manifest: RsmfManifest;
  files: RsmfFileEntry[];
} {
  const participants = new Map<string, Participant>();
  const see = (a: { address: string; name: string }, accountId?: string): string => {
    const id = a.address || 'unknown@unknown.invalid';
    const p = participants.get(id) ?? { id, ...(a.name ? { display: a.name } : {}), email: id };
    if (accountId && p.account_id === undefined) p.account_id = accountId;
    participants.set(id, p);
    return id;
  };
  const files: RsmfFileEntry[] = [];
  const events: RsmfEvent[] = [];
  const first = items[0]!.mail;
  const convId = header(first, 'X-WeChat-Conversation') || 'conversation';
  const group = header(first, 'X-WeChat-RoomId') !== '';
  const custodian = items[0]!.custodian?.toLowerCase();
  for (const it of items) {
    // The sender's id is known; a recipient's only when its address is the one generated from
    // its id (a mapped mailbox says nothing about the id, so it gets one when it sends).
    const from = see(addresses(it.mail.from)[0] ?? { address: '', name: '' }, it.fromId);
    const generated = new Map(it.toIds.map((t) => [addressFor({ id: t }).toLowerCase(), t]));
    for (const a of [...addresses(it.mail.to), ...addresses(it.mail.cc)])
      if (a.address) see(a, generated.get(a.address));
    const flags = header(it.mail, 'X-WeChat-Flags')
      .split(',')
      .map((f) => f.trim());
    const attachments = it.mail.attachments.map((a, i) => {
      const display = a.filename ?? `attachment-${i + 1}`;
      const name = zipName(it.controlNumber, i, display);
      files.push({ name, bytes: new Uint8Array(a.content), display });
      return { id: name, display, size: a.content.length };
    });
    events.push({
      id: it.msgid,
      type: eventType(it.msgtype, header(it.mail, 'X-WeChat-Action')),
      body: (it.mail.text ?? '').trim(),
      participant: from,
      conversation: convId,
      timestamp: new Date(it.msgTime).toISOString(),
      ...(it.recalledBy !== undefined || flags.includes('recalled') ? { deleted: true } : {}),
      ...(custodian ? { direction: from === custodian ? ('outgoing' as const) : ('incoming' as const) } : {}),
      ...(attachments.length ? { attachments } : {}),
      custom: [
        { name: 'Control number', value: it.controlNumber },
        { name: ITEM_KEY_FIELD, value: it.itemKey },
        { name: 'Message type', value: it.msgtype || 'unknown' },
        ...(it.recalledBy !== undefined ? [{ name: 'Recalled by', value: it.recalledBy }] : []),
      ],
    });
  }
  const ids = [...participants.keys()];
  const topic = header(first, 'Thread-Topic');
  return {
    manifest: {
      version: RSMF_VERSION,
      participants: [...participants.values()],
      conversations: [
        {
          id: convId,
          ...(topic ? { display: topic } : {}),
          platform: 'wecom',
          type: group ? 'channel' : 'direct',
          participants: ids,
          ...(custodian && participants.has(custodian) ? { custodian } : {}),
        },
      ],
      events,
      eventcollectionid: collectionId,
    },
    files,
  };
}
