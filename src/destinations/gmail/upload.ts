/**
 * users.messages.import uploads. The label can only travel in the request's metadata part,
 * which a simple (`uploadType=media`) upload has none of, so small items go as one
 * `multipart/related` request (metadata JSON, then the message/rfc822 bytes) and larger ones
 * through a resumable session (metadata in the initiating POST, the bytes PUT in chunks to
 * the session URI from its Location header). After a failed chunk the session is asked what
 * it holds (`Content-Range: bytes *\/total`, answered 308 with `Range`) and the upload goes on
 * from there. A session that is gone (404/410) is handed back to the caller, which looks for
 * the copy before it starts a new one.
 */
import { randomBytes } from 'node:crypto';
import { DestinationError } from '../types.js';
import { GMAIL_CHUNK_QUANTUM } from './config.js';
import { backoffMs, type Clock, type GmailHttp, type GmailReply } from './http.js';

/**
 * Date the copy by its Date header (the item's time), never let the spam classifier move an
 * archived record, and do not turn calendar items into events of the user's calendar.
 */
export const IMPORT_QUERY = 'internalDateSource=dateHeader&neverMarkSpam=true&processForCalendar=false';

export interface ImportedMessage {
  id: string;
  threadId?: string;
}

export interface UploadContext {
  http: GmailHttp;
  uploadBaseUrl: string;
  chunkBytes: number;
  maxRetries: number;
  clock: Clock;
  random: () => number;
}

export interface ImportRequest {
  mailbox: string;
  labelId: string;
  mime: Buffer;
  /** e.g. `importing item K into M` */
  what: string;
}

export function importUrl(uploadBaseUrl: string, uploadType: 'multipart' | 'resumable'): string {
  const base = uploadBaseUrl.replace(/\/+$/, '');
  return `${base}/upload/gmail/v1/users/me/messages/import?uploadType=${uploadType}&${IMPORT_QUERY}`;
}

/** A multipart/related body (metadata, then media) with a boundary that does not occur in the message. */
export function multipartBody(metadata: unknown, mime: Buffer): { body: Buffer; contentType: string } {
  let boundary: string;
  do boundary = `wxa_import_${randomBytes(16).toString('hex')}`;
  while (mime.includes(`--${boundary}`, 0, 'latin1'));
  const head =
    `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n${JSON.stringify(metadata)}\r\n` +
    `--${boundary}\r\nContent-Type: message/rfc822\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head, 'utf8'), mime, Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1')]),
    contentType: `multipart/related; boundary=${boundary}`,
  };
}

function importedFrom(reply: GmailReply, what: string): ImportedMessage {
  const m = reply.body as { id?: unknown; threadId?: unknown } | undefined;
  if (typeof m?.id !== 'string') {
    throw new DestinationError('transient', `${what}: Gmail answered ${reply.status} without a message id`);
  }
  return { id: m.id, ...(typeof m.threadId === 'string' ? { threadId: m.threadId } : {}) };
}

/** One request; its outcome is unknown when it fails, so it is not repeated here. */
export async function importMultipart(ctx: UploadContext, req: ImportRequest): Promise<ImportedMessage> {
  const { body, contentType } = multipartBody({ labelIds: [req.labelId] }, req.mime);
  const reply = await ctx.http.send({
    mailbox: req.mailbox,
    method: 'POST',
    url: importUrl(ctx.uploadBaseUrl, 'multipart'),
    what: req.what,
    body,
    headers: { 'content-type': contentType },
    idempotent: false,
  });
  return importedFrom(reply, req.what);
}

/** `Range: bytes=0-N` of a 308: the next byte to send (0 when the header is absent: nothing kept). */
export function nextOffset(range: string | null): number {
  const m = range ? /bytes=0-(\d+)/.exec(range) : null;
  return m?.[1] ? Number(m[1]) + 1 : 0;
}

type SessionState = { done: ImportedMessage } | { offset: number } | { gone: true };

function stateOf(reply: GmailReply, what: string): SessionState {
  if (reply.status === 200 || reply.status === 201) return { done: importedFrom(reply, what) };
  if (reply.status === 404 || reply.status === 410) return { gone: true };
  return { offset: nextOffset(reply.headers.get('range')) };
}

export async function importResumable(ctx: UploadContext, req: ImportRequest): Promise<ImportedMessage> {
  const total = req.mime.length;
  const chunk = Math.max(GMAIL_CHUNK_QUANTUM, ctx.chunkBytes - (ctx.chunkBytes % GMAIL_CHUNK_QUANTUM));
  let session: string | undefined;
  let offset = 0;
  /** consecutive failures without progress */
  let failures = 0;

  const fail = async (err: DestinationError) => {
    if (++failures > ctx.maxRetries) throw err;
    await ctx.clock.sleep(backoffMs(failures - 1, ctx.random));
  };

  for (;;) {
    if (!session) {
      // No message exists until the last byte arrives, so starting a session is always safe to repeat.
      const init = importUrl(ctx.uploadBaseUrl, 'resumable');
      const reply = await ctx.http.send({
        mailbox: req.mailbox,
        method: 'POST',
        url: init,
        what: `${req.what} (starting an upload session)`,
        json: { labelIds: [req.labelId] },
        headers: { 'x-upload-content-type': 'message/rfc822', 'x-upload-content-length': String(total) },
        idempotent: true,
      });
      const location = reply.headers.get('location');
      if (!location) throw new DestinationError('transient', `${req.what}: Gmail started no upload session`);
      session = new URL(location, init).toString();
      offset = 0;
    }
    const end = Math.min(offset + chunk, total);
    let state: SessionState;
    let failed = false;
    try {
      const reply = await ctx.http.send({
        mailbox: req.mailbox,
        method: 'PUT',
        url: session,
        what: `${req.what} (bytes ${offset}-${end - 1} of ${total})`,
        body: req.mime.subarray(offset, end),
        headers: { 'content-type': 'message/rfc822', 'content-range': `bytes ${offset}-${end - 1}/${total}` },
        idempotent: false,
        accept: [308, 404, 410],
      });
      state = stateOf(reply, req.what);
    } catch (err) {
      if (!(err instanceof DestinationError) || err.failure !== 'transient') throw err;
      failed = true;
      await fail(err);
      state = await query(ctx, req, session, total);
    }
    if ('done' in state) return state.done;
    if ('gone' in state) {
      // Expired, or finished and forgotten: the caller looks for the copy before a new session.
      throw new DestinationError('transient', `${req.what}: the upload session is gone (expired or lost)`);
    }
    if (state.offset > offset) failures = 0;
    else if (!failed)
      await fail(new DestinationError('transient', `${req.what}: the upload session kept none of a chunk`));
    offset = state.offset;
  }
}

/** Asks the session how many bytes it holds (or whether it already finished). */
async function query(ctx: UploadContext, req: ImportRequest, session: string, total: number): Promise<SessionState> {
  const reply = await ctx.http.send({
    mailbox: req.mailbox,
    method: 'PUT',
    url: session,
    what: `${req.what} (asking the upload session how far it got)`,
    body: '',
    headers: { 'content-range': `bytes */${total}` },
    idempotent: true,
    accept: [308, 404, 410],
  });
  return stateOf(reply, req.what);
}
