/**
 * The canonical model: what every source produces and every renderer and destination
 * consumes. A source knows nothing of destinations; they meet here. Versioned so that a
 * fixed parser can be replayed over stored raw records.
 */

/** Bump when the shape of ChatMessage changes; stored items carry the version they were made with. */
export const MODEL_VERSION = 1;

export type PersonKind = 'internal' | 'external' | 'robot';

/** A participant as the source names it (WeCom userid or external id) plus what the directory knows. */
export interface Person {
  id: string;
  kind: PersonKind;
  name?: string;
  mobile?: string;
  email?: string;
  corpName?: string;
}

/** A conversation: a group chat (roomid) or the pair of a one-to-one chat. */
export interface Conversation {
  /** roomid for groups; `single:<a>:<b>` (ids sorted) for one-to-one chats */
  id: string;
  kind: 'group' | 'single';
  name?: string;
}

/** A file the message carries; the bytes are fetched from the source by sdkfileid into the blob store. */
export interface AttachmentRef {
  sdkfileid: string;
  filename: string;
  contentType: string;
  /** size the source announces, in bytes (may be absent or wrong) */
  size?: number;
  /** MD5 hex the source announces (may be empty or wrong) */
  md5?: string;
  /** why the message carries it: the message's own media, a call recording, or media inside a chat record */
  role: 'media' | 'recording' | 'nested';
}

/** Content of an item of a forwarded chat record (`chatrecord`) or a `mixed` message. */
export interface NestedItem {
  /** the WeCom item type as given, e.g. `ChatRecordText`, `text`, `image` */
  type: string;
  /** ms UTC, when the source gives it */
  time?: number;
  fromChatroom?: boolean;
  content: Content;
}

/** The payload of a message, one variant per WeCom msgtype. `unknown` keeps anything we cannot read. */
export type Content =
  | { kind: 'text'; text: string }
  | { kind: 'image'; attachment: number }
  | { kind: 'revoke'; preMsgid: string }
  | { kind: 'agree' | 'disagree'; userid: string; time?: number }
  | { kind: 'voice'; attachment: number; playLength?: number }
  | { kind: 'video'; attachment: number; playLength?: number }
  | { kind: 'card'; corpName: string; userid: string }
  | { kind: 'location'; longitude?: number; latitude?: number; address: string; title: string; zoom?: number }
  | { kind: 'emotion'; attachment: number; emotionType: 'gif' | 'png'; width?: number; height?: number }
  | { kind: 'file'; attachment: number; filename: string }
  | { kind: 'link'; title: string; description: string; url: string; imageUrl: string }
  | { kind: 'weapp'; title: string; description: string; username: string; displayName: string }
  | { kind: 'chatrecord'; title: string; items: NestedItem[] }
  | { kind: 'todo'; title: string; content: string }
  | { kind: 'vote'; title: string; items: string[]; voteType?: number; voteId: string }
  | {
      kind: 'collect';
      roomName: string;
      creator: string;
      createTime: string;
      title: string;
      details: { id?: number; ques: string; type: string }[];
    }
  | {
      kind: 'redpacket';
      packetType?: number;
      wish: string;
      totalCount?: number;
      totalAmountFen?: number;
      external: boolean;
    }
  | {
      kind: 'meeting';
      topic: string;
      startTime?: number;
      endTime?: number;
      address: string;
      remarks: string;
      meetingType?: number;
      meetingId?: string;
      status?: number;
    }
  | { kind: 'meeting_notification'; content: string; meetingId?: string; notificationType?: number }
  | { kind: 'docmsg'; title: string; url: string; creator: string }
  | { kind: 'markdown'; content: string }
  | { kind: 'news'; items: { title: string; description: string; url: string; picUrl: string }[] }
  | {
      kind: 'calendar';
      title: string;
      creatorName: string;
      attendees: string[];
      /** seconds UTC, as the source gives them */
      startTime?: number;
      endTime?: number;
      place: string;
      remarks: string;
    }
  | { kind: 'mixed'; items: NestedItem[] }
  | {
      kind: 'meeting_voice_call';
      voiceId: string;
      /** recording attachment index, when the call was recorded */
      attachment?: number;
      endTime?: number;
      demoFiles: { filename: string; operator: string; startTime?: number; endTime?: number }[];
      shareScreens: { share: string; startTime?: number; endTime?: number }[];
    }
  | { kind: 'voip_doc_share'; voipId: string; attachment: number; filename: string }
  | {
      kind: 'voiptext';
      /** seconds */
      callDuration?: number;
      /** 1 one-to-one video, 2 one-to-one voice, 3 group video, 4 group voice */
      inviteType?: number;
    }
  | { kind: 'sphfeed'; feedType?: number; name: string; description: string }
  | { kind: 'qydiskfile'; filename: string }
  | { kind: 'switch'; user: string }
  | { kind: 'unknown'; msgtype: string; payload: unknown };

export type ContentKind = Content['kind'];

/** Flags that mark what the parser had to do or could not do; shown to reviewers. */
export type MessageFlag =
  /** msgtype we do not know: raw JSON kept and shown */
  | 'unknown-type'
  /** a known type whose payload lacked fields we expected */
  | 'incomplete-payload'
  /** control characters or invalid UTF-8 were removed before parsing */
  | 'cleaned-text'
  /** this message was recalled by its sender later (set when the revoke arrives) */
  | 'recalled';

/** One archived chat message: the unit of rendering, fan-out and delivery. */
export interface ChatMessage {
  modelVersion: number;
  /** stable item key, the idempotency key of every delivery: `wecom:<corpId>:<msgid>` */
  key: string;
  corpId: string;
  msgid: string;
  /** WeCom seq as a decimal string (uint64 exceeds Number.MAX_SAFE_INTEGER) */
  seq: string;
  action: 'send' | 'recall' | 'switch';
  /** WeCom msgtype as given; `switch` for switch events */
  msgtype: string;
  /** ms UTC */
  time: number;
  from: string;
  tolist: string[];
  /** empty for one-to-one chats */
  roomid: string;
  conversation: Conversation;
  content: Content;
  attachments: AttachmentRef[];
  flags: MessageFlag[];
  /** msgid suffix markers: `_external`, `_updown_stream` */
  external: boolean;
  upDownStream: boolean;
}

export function itemKey(corpId: string, msgid: string): string {
  return `wecom:${corpId}:${msgid}`;
}

export function conversationOf(from: string, tolist: readonly string[], roomid: string): Conversation {
  if (roomid) return { id: roomid, kind: 'group' };
  const pair = [from, ...tolist].filter((v, i, a) => v && a.indexOf(v) === i).sort();
  return { id: `single:${pair.join(':')}`, kind: 'single' };
}

/** Classify a WeCom participant id: externals start `wo`/`wm`, robots `wb`, the rest are employees. */
export function personKindOf(id: string): PersonKind {
  if (id.startsWith('wo') || id.startsWith('wm')) return 'external';
  if (id.startsWith('wb')) return 'robot';
  return 'internal';
}

/** Everyone an item is about: the sender and the recipients, each once, sender first. */
export function participantsOf(msg: Pick<ChatMessage, 'from' | 'tolist'>): string[] {
  const out: string[] = [];
  for (const id of [msg.from, ...msg.tolist]) if (id && !out.includes(id)) out.push(id);
  return out;
}
