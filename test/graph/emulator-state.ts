/**
 * What the Graph emulator holds: per mailbox, its mail folders, their messages with the
 * extended properties and attachments set on them, and the open upload sessions; plus the
 * OData it understands. Only the query forms Microsoft documents for these resources are
 * accepted; anything else is refused as Graph refuses an invalid filter, so a client that
 * drifts from the documented syntax fails here too.
 */
import { randomBytes, type Hash } from 'node:crypto';

export interface StoredAttachment {
  id: string;
  name: string;
  contentType: string;
  /** the content; empty when the emulator keeps only size and hash (keepUploadBytes: false) */
  bytes: Buffer;
  size: number;
  sha256: string;
  /** how it arrived: one POST, or an upload session */
  via: 'inline' | 'session';
}

export interface StoredMessage {
  id: string;
  folderId: string;
  subject: string;
  bodyType: string;
  body: string;
  from: unknown;
  toRecipients: unknown[];
  isRead: boolean;
  isDraft: boolean;
  receivedDateTime: string;
  sentDateTime: string | null;
  internetMessageId: string;
  /** extended properties as set, keyed by their normalised id */
  props: Map<string, { id: string; value: string }>;
  attachments: StoredAttachment[];
}

export interface StoredFolder {
  id: string;
  displayName: string;
}

export interface UploadSession {
  id: string;
  mailbox: string;
  messageId: string;
  token: string;
  name: string;
  contentType: string;
  size: number;
  received: Buffer[];
  hash: Hash;
  receivedBytes: number;
  expires: number;
}

export interface MailboxState {
  upn: string;
  folders: StoredFolder[];
  messages: StoredMessage[];
}

/** Graph-like ids: base64 with `-`, `_` and `=`, so clients must escape them in URLs. */
export function newId(prefix = 'AAMkAD'): string {
  return `${prefix}${randomBytes(24).toString('base64url')}=`;
}

/**
 * Property ids compared as Exchange compares them: type, tag and GUID without regard to case
 * or leading zeros; the Name of a named property case-sensitively.
 */
export function propKey(id: string): string | undefined {
  const named =
    /^(String|Integer|SystemTime|Boolean|Long|Double|Binary|CLSID)\s+(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\})\s+Name\s+(\S.*)$/i.exec(
      id.trim(),
    );
  if (named) return `${named[1]?.toLowerCase()} ${named[2]?.toLowerCase()} Name ${named[3]}`;
  const tag = /^(String|Integer|SystemTime|Boolean|Long|Double|Binary|CLSID)\s+0x([0-9a-f]{1,4})$/i.exec(id.trim());
  if (tag) return `${tag[1]?.toLowerCase()} 0x${Number.parseInt(tag[2] ?? '0', 16).toString(16)}`;
  return undefined;
}

/** A valid value for the property's type, or the reason it is not. */
export function checkPropValue(id: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return `the value of ${id} must be a string`;
  const type = id.trim().split(/\s+/)[0]?.toLowerCase();
  if (type === 'integer' && !/^-?\d+$/.test(value)) return `${value} is not an Integer`;
  if (type === 'systemtime' && Number.isNaN(Date.parse(value))) return `${value} is not a SystemTime`;
  return undefined;
}

const LITERAL = `'((?:[^']|'')*)'`;
const unquote = (s: string | undefined): string => (s ?? '').replace(/''/g, "'");

/** `displayName eq '...'`, the documented way to find a folder by name. */
export function parseFolderFilter(filter: string): string | undefined {
  const m = new RegExp(`^\\s*displayName\\s+eq\\s+${LITERAL}\\s*$`).exec(filter);
  return m ? unquote(m[1]) : undefined;
}

/** `singleValueExtendedProperties/Any(ep: ep/id eq '...' and ep/value eq '...')`. */
export function parsePropFilter(filter: string): { id: string; value: string } | undefined {
  const m = new RegExp(
    `^\\s*singleValueExtendedProperties/Any\\(\\s*(\\w+)\\s*:\\s*\\1/id\\s+eq\\s+${LITERAL}\\s+and\\s+\\1/value\\s+eq\\s+${LITERAL}\\s*\\)\\s*$`,
  ).exec(filter);
  return m ? { id: unquote(m[2]), value: unquote(m[3]) } : undefined;
}

/**
 * `singleValueExtendedProperties($filter=id eq '...' [or id eq '...'])`: the property ids to
 * return with each message. undefined when the expand is not of that form.
 */
export function parsePropExpand(expand: string): string[] | undefined {
  const m = /^\s*singleValueExtendedProperties\(\$filter=(.*)\)\s*$/.exec(expand);
  if (!m) return undefined;
  const ids: string[] = [];
  for (const clause of (m[1] ?? '').split(/\s+or\s+/)) {
    const c = new RegExp(`^\\s*id\\s+eq\\s+${LITERAL}\\s*$`).exec(clause);
    if (!c) return undefined;
    ids.push(unquote(c[1]));
  }
  return ids;
}

/** Graph's answer for a message, with the requested extended properties when expanded. */
export function messageJson(m: StoredMessage, expandIds?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: m.id,
    subject: m.subject,
    body: { contentType: m.bodyType, content: m.body },
    from: m.from,
    toRecipients: m.toRecipients,
    isRead: m.isRead,
    isDraft: m.isDraft,
    receivedDateTime: m.receivedDateTime,
    sentDateTime: m.sentDateTime,
    internetMessageId: m.internetMessageId,
    hasAttachments: m.attachments.length > 0,
  };
  if (expandIds) {
    const want = new Set(expandIds.map(propKey));
    // Graph echoes tag ids in its own spelling (e.g. `Integer 0xe07`); named ones as set.
    out.singleValueExtendedProperties = [...m.props.entries()]
      .filter(([k]) => want.has(k))
      .map(([k, p]) => ({
        id: k.includes(' Name ') ? p.id : k.replace(/^(\w)/, (c) => c.toUpperCase()),
        value: p.value,
      }));
  }
  return out;
}
