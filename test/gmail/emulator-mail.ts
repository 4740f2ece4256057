// The emulator's mailboxes: labels, imported messages, rfc822msgid search, resumable upload
// sessions, and the per-user quota. Pure state and rules; emulator.ts does the HTTP.
import { randomBytes } from 'node:crypto';
import type { Answer } from './emulator-auth.js';
import { blockedAttachment } from './emulator-blocked.js';

export const MIB = 1024 * 1024;
/** Resumable chunks (all but the last) must be multiples of this. */
export const QUANTUM = 256 * 1024;

/** Quota units per method (Gmail API usage limits page). */
export const COST = { 'labels.list': 1, 'labels.create': 5, 'messages.list': 5, import: 25, 'upload.put': 0 } as const;
export type Route = keyof typeof COST;

export interface Label {
  id: string;
  name: string;
  type: 'system' | 'user';
  messageListVisibility?: string;
  labelListVisibility?: string;
}

export interface ImportParams {
  uploadType: string;
  internalDateSource: string;
  neverMarkSpam: string | null;
  processForCalendar: string | null;
}

export interface StoredMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  raw: Buffer;
  internalDate: number;
  /** the Message-ID header, angle brackets included */
  messageId: string | undefined;
  params: ImportParams;
}

export interface Session {
  id: string;
  user: string;
  labelIds: string[];
  params: ImportParams;
  total: number;
  chunks: Buffer[];
  received: number;
  message?: StoredMessage;
}

export interface MailboxState {
  user: string;
  labels: Label[];
  messages: StoredMessage[];
  quota: { windowStart: number; used: number; refused: number };
  /** bytes imported in the current daily window, and refusals for it */
  upload: { windowStart: number; bytes: number; refused: number };
}

export interface QuotaOptions {
  /** per user (userRateLimitExceeded) */
  units: number;
  windowMs: number;
  /** per project, every user together (rateLimitExceeded) */
  projectUnits: number;
  /** bytes imported per user per window (the daily upload limit) */
  dailyUploadBytes: number;
  dailyWindowMs: number;
  /** the status rate limits are answered with: 429, or 403 as Gmail also does */
  status: 403 | 429;
}

const SYSTEM_LABELS = ['INBOX', 'SENT', 'DRAFT', 'SPAM', 'TRASH', 'UNREAD', 'STARRED', 'IMPORTANT'];

/** Google's JSON error shape: `{"error":{"code","message","errors":[{message,domain,reason}],"status"}}`. */
export function gerr(status: number, message: string, reason: string, canonical: string, domain = 'global'): Answer {
  return {
    status,
    body: { error: { code: status, message, errors: [{ message, domain, reason }], status: canonical } },
  };
}

/** Unfolded header fields of an RFC 5322 message (first occurrence of each name). */
export function headersOf(raw: Buffer): Map<string, string> {
  const end = raw.indexOf('\r\n\r\n');
  const block = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const out = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!out.has(name)) out.set(name, line.slice(i + 1).trim());
  }
  return out;
}

export class MailStore {
  readonly boxes = new Map<string, MailboxState>();
  readonly sessions = new Map<string, Session>();
  /** the project-wide window, shared by every user */
  readonly project = { windowStart: 0, used: 0, refused: 0 };
  /** 400 Invalid attachment answers sent */
  blockedRefusals = 0;
  private labelSeq = 0;

  constructor(
    users: string[],
    private readonly o: { now: () => number; quota: QuotaOptions; maxMessageBytes: number },
  ) {
    for (const u of users) {
      const labels = SYSTEM_LABELS.map((id): Label => ({ id, name: id, type: 'system' }));
      this.boxes.set(u.toLowerCase(), {
        user: u,
        labels,
        messages: [],
        quota: { windowStart: 0, used: 0, refused: 0 },
        upload: { windowStart: 0, bytes: 0, refused: 0 },
      });
    }
  }

  box(user: string): MailboxState {
    const b = this.boxes.get(user.toLowerCase());
    if (!b) throw new Error(`emulator: no mailbox ${user}`);
    return b;
  }

  /**
   * Charges the units against the project's and the user's windows, or answers 429 with the
   * reason of the limit reached (rateLimitExceeded for the project, userRateLimitExceeded for
   * the user) and the time its window ends (header and message).
   */
  charge(user: string, route: Route): Answer | undefined {
    const cost = COST[route];
    if (cost === 0) return undefined;
    const q = this.box(user).quota;
    const p = this.project;
    const now = this.o.now();
    for (const w of [q, p]) {
      if (now >= w.windowStart + this.o.quota.windowMs) {
        w.windowStart = now;
        w.used = 0;
      }
    }
    if (p.used + cost > this.o.quota.projectUnits) {
      p.refused++;
      return rateLimited(
        this.o.quota.status,
        now,
        p.windowStart + this.o.quota.windowMs,
        'Rate Limit Exceeded',
        'rateLimitExceeded',
      );
    }
    if (q.used + cost > this.o.quota.units) {
      q.refused++;
      return userRateLimited(this.o.quota.status, now, q.windowStart + this.o.quota.windowMs);
    }
    q.used += cost;
    p.used += cost;
    return undefined;
  }

  /** Refuses an upload of `size` bytes the user's daily upload volume has no room for. */
  private uploadRoom(user: string, size: number): Answer | undefined {
    const u = this.box(user).upload;
    const now = this.o.now();
    if (now >= u.windowStart + this.o.quota.dailyWindowMs) {
      u.windowStart = now;
      u.bytes = 0;
    }
    if (u.bytes + size <= this.o.quota.dailyUploadBytes) return undefined;
    u.refused++;
    // The daily limit is answered 429 for hours, whatever the per-minute limits use.
    return userRateLimited(429, now, u.windowStart + this.o.quota.dailyWindowMs);
  }

  labelsList(user: string): Answer {
    return { status: 200, body: { labels: this.box(user).labels } };
  }

  labelsCreate(user: string, body: { name?: unknown; messageListVisibility?: unknown; labelListVisibility?: unknown }) {
    const b = this.box(user);
    if (typeof body.name !== 'string' || !body.name.trim()) {
      return gerr(400, 'Invalid label name', 'invalidArgument', 'INVALID_ARGUMENT');
    }
    const name = body.name;
    if (b.labels.some((l) => l.name.toLowerCase() === name.toLowerCase())) {
      return gerr(409, 'Label name exists or conflicts', 'duplicate', 'ABORTED');
    }
    const label: Label = {
      id: `Label_${++this.labelSeq}`,
      name,
      type: 'user',
      ...(typeof body.messageListVisibility === 'string' ? { messageListVisibility: body.messageListVisibility } : {}),
      ...(typeof body.labelListVisibility === 'string' ? { labelListVisibility: body.labelListVisibility } : {}),
    };
    b.labels.push(label);
    return { status: 200, body: label };
  }

  /** users.messages.list with `q` (rfc822msgid: and label: terms only), labelIds and includeSpamTrash. */
  messagesList(user: string, params: URLSearchParams): Answer {
    const b = this.box(user);
    let found = b.messages;
    for (const term of (params.get('q') ?? '').split(/\s+/).filter(Boolean)) {
      const m = /^(rfc822msgid|label):(.+)$/i.exec(term);
      if (!m?.[1] || !m[2]) {
        return gerr(400, `emulator: unsupported search term ${term}`, 'invalidArgument', 'INVALID_ARGUMENT');
      }
      const value = m[2];
      if (m[1].toLowerCase() === 'rfc822msgid') {
        const bare = value.replace(/^<|>$/g, '');
        found = found.filter((x) => x.messageId?.replace(/^<|>$/g, '') === bare);
      } else {
        const label = b.labels.find((l) => l.name.toLowerCase().replace(/ /g, '-') === value.toLowerCase());
        found = found.filter((x) => label !== undefined && x.labelIds.includes(label.id));
      }
    }
    for (const id of params.getAll('labelIds')) found = found.filter((x) => x.labelIds.includes(id));
    if (params.get('includeSpamTrash') !== 'true') {
      found = found.filter((x) => !x.labelIds.includes('SPAM') && !x.labelIds.includes('TRASH'));
    }
    const max = Math.min(500, Number(params.get('maxResults') ?? 100));
    const page = found.slice(0, max).map((x) => ({ id: x.id, threadId: x.threadId }));
    // Gmail leaves `messages` out when nothing matches.
    return {
      status: 200,
      body: page.length ? { messages: page, resultSizeEstimate: found.length } : { resultSizeEstimate: 0 },
    };
  }

  /** Checks what an import names before any byte is stored. */
  validate(user: string, labelIds: string[], size: number | undefined): Answer | undefined {
    if (size !== undefined && size > this.o.maxMessageBytes) {
      return gerr(413, 'Request Entity Too Large', 'uploadTooLarge', 'FAILED_PRECONDITION');
    }
    const full = size === undefined ? undefined : this.uploadRoom(user, size);
    if (full) return full;
    const b = this.box(user);
    const bad = labelIds.find((id) => !b.labels.some((l) => l.id === id));
    return bad ? gerr(400, `Invalid label: ${bad}`, 'invalidArgument', 'INVALID_ARGUMENT') : undefined;
  }

  store(user: string, raw: Buffer, labelIds: string[], params: ImportParams): StoredMessage | Answer {
    const refused = this.validate(user, labelIds, raw.length);
    if (refused) return refused;
    if (raw.length === 0)
      return gerr(
        400,
        "'raw' RFC822 payload message string or uploading message via /upload/* URL required",
        'invalidArgument',
        'INVALID_ARGUMENT',
      );
    const blocked = blockedAttachment(raw);
    if (blocked) {
      this.blockedRefusals++;
      return blocked;
    }
    this.box(user).upload.bytes += raw.length;
    const h = headersOf(raw);
    const dated = Date.parse(h.get('date') ?? '');
    const id = randomBytes(8).toString('hex');
    const m: StoredMessage = {
      id,
      threadId: id,
      labelIds: [...new Set(labelIds)],
      raw,
      // "Internal message time based on 'Date' header in email, when valid."
      internalDate: params.internalDateSource !== 'receivedTime' && !Number.isNaN(dated) ? dated : this.o.now(),
      messageId: h.get('message-id'),
      params,
    };
    this.box(user).messages.push(m);
    return m;
  }

  startSession(user: string, labelIds: string[], params: ImportParams, total: number): Session {
    const s: Session = { id: randomBytes(12).toString('hex'), user, labelIds, params, total, chunks: [], received: 0 };
    this.sessions.set(s.id, s);
    return s;
  }
}

/** Google's 429 (or 403) for a rate limit: the reason, "Retry after <time>" in the message, and Retry-After. */
function rateLimited(status: 403 | 429, now: number, resetAt: number, text: string, reason: string): Answer {
  const message = `${text}  Retry after ${new Date(resetAt).toISOString()}`;
  const a = gerr(status, message, reason, 'RESOURCE_EXHAUSTED', 'usageLimits');
  return { ...a, headers: { 'retry-after': String(Math.max(1, Math.ceil((resetAt - now) / 1000))) } };
}

/** One user's limit (per minute or per day): the reason Gmail gives for both. */
function userRateLimited(status: 403 | 429, now: number, resetAt: number): Answer {
  return rateLimited(status, now, resetAt, 'User-rate limit exceeded.', 'userRateLimitExceeded');
}

export function resource(m: StoredMessage): Answer {
  return { status: 200, body: { id: m.id, threadId: m.threadId, labelIds: m.labelIds } };
}
