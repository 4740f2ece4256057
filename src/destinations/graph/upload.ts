/**
 * Adds one file attachment to a Graph message the way Microsoft prescribes by size: under
 * 3 MB in a single POST (base64 in JSON, the request under 4 MB); from 3 MB to 150 MB through
 * an upload session, PUTting byte ranges in order to its pre-authenticated URL without an
 * Authorization header, each under 4 MB, resuming from the server's nextExpectedRanges (for
 * Outlook attachments a single "{start}": the next byte to send). A session's URL is kept
 * (in the store when one is given) until its file is complete, so an upload handed back as
 * throttled, or cut by a restart, goes on where it stopped instead of starting again at 0.
 */
import { DestinationError } from '../types.js';
import type { PlannedAttachment } from './attachment-plan.js';
import { graphErrorOf, isMessageSizeExceeded } from './graph-errors.js';
import type { GraphHttp } from './http.js';

/**
 * Largest file sent inline. "Under 3 MB" read as 3,000,000 bytes: its base64 (4,000,000
 * characters) plus the JSON around it stays under the 4 MB request cap however Microsoft
 * counts a megabyte. Between this and the session minimum, see attachBySession.
 */
export const INLINE_MAX_BYTES = 3_000_000;

/**
 * Upload chunk: 3.75 MiB, under the 4 MB per request Microsoft asks for and a multiple of
 * 320 KiB, the fragment alignment Microsoft's upload sessions recommend.
 */
export const CHUNK_BYTES = 12 * 320 * 1024;

export interface UploadTarget {
  http: GraphHttp;
  mailbox: string;
  /** Graph id of the message the attachment goes to */
  messageId: string;
  /** `.../users/{m}/messages/{id}` */
  messageUrl: string;
  what: string;
  /** how many times an interrupted session may resume before the attempt is given up */
  maxResumes: number;
  sessions: UploadSessionStore;
  now: () => number;
}

/** An open upload session, kept until its file is complete. */
export interface UploadSessionRecord {
  uploadUrl: string;
  /** ms UTC; Graph's expirationDateTime when the session was created */
  expiresAt: number;
  /** bytes of the file the session was made for */
  size: number;
}

/** Where open upload sessions are kept: in memory, or in the store so they outlive a restart. */
export interface UploadSessionStore {
  get(key: string): Promise<UploadSessionRecord | undefined>;
  put(key: string, session: UploadSessionRecord): Promise<void>;
  delete(key: string): Promise<void>;
}

export function memoryUploadSessions(): UploadSessionStore {
  const map = new Map<string, UploadSessionRecord>();
  return {
    get: async (k) => map.get(k),
    put: async (k, v) => void map.set(k, v),
    delete: async (k) => void map.delete(k),
  };
}

/** One session per attachment of one message in one mailbox. */
export function sessionKey(mailbox: string, messageId: string, attachmentName: string): string {
  return `${mailbox.toLowerCase()}\n${messageId}\n${attachmentName}`;
}

/**
 * Exchange refused a range because the message would cross the mailbox's maximum receive
 * size; `uploadedBytes` of this file were taken before it, which bounds the real limit.
 */
export class MessageSizeExceededError extends DestinationError {
  constructor(
    readonly uploadedBytes: number,
    cause: DestinationError,
  ) {
    super('permanent', cause.message, { cause });
    this.name = 'MessageSizeExceededError';
  }
}

/** A saved session is tried only while it has this much life left. */
const SESSION_MARGIN_MS = 60_000;

export async function attach(t: UploadTarget, a: PlannedAttachment): Promise<void> {
  if (a.bytes.length < INLINE_MAX_BYTES) return attachInline(t, a);
  return attachBySession(t, a);
}

async function attachInline(t: UploadTarget, a: PlannedAttachment): Promise<void> {
  await t.http.send({
    mailbox: t.mailbox,
    method: 'POST',
    url: `${t.messageUrl}/attachments`,
    what: `${t.what}: attaching "${a.name}"`,
    uploadBytes: a.bytes.length,
    json: {
      '@odata.type': '#microsoft.graph.fileAttachment',
      name: a.name,
      contentType: a.contentType,
      isInline: false,
      contentBytes: a.bytes.toString('base64'),
    },
  });
}

/** First byte of `["2097152"]`, `["0-"]` or `["1998457-2097094"]`. */
export function nextStart(ranges: unknown): number | undefined {
  if (!Array.isArray(ranges) || ranges.length === 0) return undefined;
  const m = /^(\d+)/.exec(String(ranges[0]));
  return m ? Number(m[1]) : undefined;
}

async function attachBySession(t: UploadTarget, a: PlannedAttachment): Promise<void> {
  const what = `${t.what}: uploading "${a.name}" (${a.bytes.length} bytes)`;
  const key = sessionKey(t.mailbox, t.messageId, a.name);
  const saved = await t.sessions.get(key);
  if (saved) {
    if (saved.size === a.bytes.length && saved.expiresAt > t.now() + SESSION_MARGIN_MS) {
      const where = await sessionStatus(t, saved.uploadUrl, what);
      if (where !== undefined && where < a.bytes.length) {
        return uploadRanges(t, saved.uploadUrl, a.bytes, where, what, key);
      }
    }
    // Expired, gone, or made for other bytes: the caller found the attachment missing, so a
    // new session is the only way on.
    await t.sessions.delete(key);
  }
  const created = await t.http.send({
    mailbox: t.mailbox,
    method: 'POST',
    url: `${t.messageUrl}/attachments/createUploadSession`,
    what,
    json: {
      AttachmentItem: { attachmentType: 'file', name: a.name, size: a.bytes.length, contentType: a.contentType },
    },
    accept: [400],
  });
  if (created.status === 400) {
    // Exchange's session minimum may be 3 MiB: a file between 3,000,000 bytes and that still
    // fits in one request, so it goes inline instead.
    if (graphErrorOf(created.body).code === 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize') {
      return attachInline(t, a);
    }
    throw new DestinationError(
      'permanent',
      `${what}: Graph refused the upload session (${graphErrorOf(created.body).message})`,
    );
  }
  const session = created.body as { uploadUrl?: unknown; nextExpectedRanges?: unknown; expirationDateTime?: unknown };
  if (typeof session.uploadUrl !== 'string') {
    throw new DestinationError('transient', `${what}: Graph returned an upload session without uploadUrl`);
  }
  const expires = Date.parse(String(session.expirationDateTime ?? ''));
  await t.sessions.put(key, {
    uploadUrl: session.uploadUrl,
    // Without a stated expiry, assume the shortest Graph documents for upload sessions (15 min).
    expiresAt: Number.isNaN(expires) ? t.now() + 15 * 60_000 : expires,
    size: a.bytes.length,
  });
  await uploadRanges(t, session.uploadUrl, a.bytes, nextStart(session.nextExpectedRanges) ?? 0, what, key);
}

async function uploadRanges(
  t: UploadTarget,
  url: string,
  bytes: Buffer,
  start: number,
  what: string,
  key: string,
): Promise<void> {
  try {
    await putRanges(t, url, bytes, start, what);
  } catch (err) {
    // A throttled upload keeps its session for the next attempt; any other end forgets it
    // (the caller then lists the message's attachments and starts over only what is missing).
    if (!(err instanceof DestinationError) || err.failure !== 'throttled') await t.sessions.delete(key);
    throw err;
  }
  await t.sessions.delete(key);
}

async function putRanges(t: UploadTarget, url: string, bytes: Buffer, start: number, what: string): Promise<void> {
  const total = bytes.length;
  let offset = start;
  let resumes = 0;
  for (;;) {
    const end = Math.min(offset + CHUNK_BYTES, total) - 1;
    let reply;
    try {
      reply = await t.http.send({
        mailbox: t.mailbox,
        method: 'PUT',
        url,
        what,
        // Pre-authenticated URL: an Authorization header here is refused.
        bearer: false,
        bytes: bytes.subarray(offset, end + 1),
        uploadBytes: end + 1 - offset,
        headers: { 'content-type': 'application/octet-stream', 'content-range': `bytes ${offset}-${end}/${total}` },
        // 401/404: the session's own token expired or the session is gone (not our credentials).
        accept: [401, 404, 416],
      });
    } catch (err) {
      if (isMessageSizeExceeded(err)) throw new MessageSizeExceededError(offset, err);
      // Only a passing fault is resumed here; throttling past the wait we keep is handed back.
      if (!(err instanceof DestinationError) || err.failure !== 'transient') throw err;
      reply = undefined;
    }
    if (reply?.status === 201) return;
    if (reply?.status === 401 || reply?.status === 404) {
      throw new DestinationError('transient', `${what}: the upload session expired or ended at byte ${offset}`);
    }
    const told =
      reply?.status === 200
        ? nextStart((reply.body as { nextExpectedRanges?: unknown })?.nextExpectedRanges)
        : undefined;
    if (told !== undefined && told > offset) {
      offset = told;
      continue;
    }
    // The chunk failed, or the server expected other bytes: ask the session where it stands.
    if (++resumes > t.maxResumes) {
      throw new DestinationError('transient', `${what}: the upload session stopped making progress at byte ${offset}`);
    }
    const where = await sessionStatus(t, url, what);
    if (where === undefined || where >= total) {
      // The session is gone (expired, or finished while its answer was lost): the caller
      // lists the message's attachments and starts a new session if this one is missing.
      throw new DestinationError('transient', `${what}: the upload session ended at byte ${offset} without completing`);
    }
    offset = where;
  }
}

/** nextExpectedRanges of a session (GET on its URL), or undefined when the session no longer exists. */
async function sessionStatus(t: UploadTarget, url: string, what: string): Promise<number | undefined> {
  const reply = await t.http.send({
    mailbox: t.mailbox,
    method: 'GET',
    url,
    what,
    bearer: false,
    accept: [401, 404, 405],
  });
  if (reply.status !== 200) return undefined;
  return nextStart((reply.body as { nextExpectedRanges?: unknown })?.nextExpectedRanges);
}
