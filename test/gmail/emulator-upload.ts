// The emulator's users.messages.import uploads: media, multipart/related and resumable
// sessions, with the faults tests inject into them (a PUT dropped part-way, an import stored
// and then its answer lost). See emulator.ts for what is modelled and what is assumed.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Answer } from './emulator-auth.js';
import { gerr, QUANTUM, resource, type ImportParams, type MailStore, type Session } from './emulator-mail.js';
import type { Faults, LoggedRequest } from './emulator.js';

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The first `n` bytes of the body (or all of a shorter one), leaving the rest unread. */
function readUpTo(req: IncomingMessage, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    const onData = (c: Buffer) => {
      chunks.push(c);
      len += c.length;
      if (len >= n) {
        req.off('data', onData);
        req.pause();
        resolve(Buffer.concat(chunks).subarray(0, n));
      }
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface UploadCall {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  store: MailStore;
  faults: Faults;
  entry: LoggedRequest;
}

const bad = (message: string) => gerr(400, message, 'badRequest', 'INVALID_ARGUMENT');

function importParams(url: URL): ImportParams | Answer {
  const source = url.searchParams.get('internalDateSource') ?? 'dateHeader';
  if (source !== 'dateHeader' && source !== 'receivedTime') {
    return bad(`Invalid value at 'internal_date_source' (${source})`);
  }
  return {
    uploadType: url.searchParams.get('uploadType') ?? '',
    internalDateSource: source,
    neverMarkSpam: url.searchParams.get('neverMarkSpam'),
    processForCalendar: url.searchParams.get('processForCalendar'),
  };
}

/** A multipart/related body: the JSON metadata part, then the message part. */
export function parseMultipart(body: Buffer, contentType: string): { meta: Buffer; media: Buffer } | Answer {
  const b = /^multipart\/related;.*boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!b) return bad('emulator: multipart upload without a multipart/related boundary');
  const delim = Buffer.from(`--${b}`, 'latin1');
  const next = Buffer.from(`\r\n--${b}`, 'latin1');
  const parts: { headers: string; content: Buffer }[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) return bad('emulator: no multipart delimiter');
  pos += delim.length;
  while (body.subarray(pos, pos + 2).toString('latin1') !== '--') {
    pos += 2;
    const end = body.indexOf(next, pos);
    if (end < 0) return bad('emulator: unterminated multipart body');
    const part = body.subarray(pos, end);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return bad('emulator: multipart part without headers');
    parts.push({
      headers: part.subarray(0, split).toString('latin1').toLowerCase(),
      content: part.subarray(split + 4),
    });
    pos = end + next.length;
  }
  const [meta, media] = parts;
  if (parts.length !== 2 || !meta?.headers.includes('application/json') || !media?.headers.includes('message/')) {
    return bad('emulator: expected a JSON metadata part and a message/rfc822 part');
  }
  return { meta: meta.content, media: media.content };
}

function labelIdsOf(json: Buffer): string[] | Answer {
  try {
    const meta = (json.length ? JSON.parse(json.toString('utf8')) : {}) as { labelIds?: unknown };
    return Array.isArray(meta.labelIds) ? meta.labelIds.map(String) : [];
  } catch {
    return bad('Invalid JSON payload received.');
  }
}

function dropConnection(call: UploadCall): 'dropped' {
  call.req.socket.destroy();
  return 'dropped';
}

/** POST /upload/gmail/v1/users/{userId}/messages/import (already authorized and charged). */
export function handleImport(call: UploadCall & { user: string; body: Buffer; origin: string }): Answer | 'dropped' {
  const { url, store, body, user } = call;
  const params = importParams(url);
  if ('status' in params) return params;
  const contentType = call.req.headers['content-type'] ?? '';
  let raw: Buffer;
  let labelIds: string[] | Answer = [];
  if (params.uploadType === 'resumable') {
    labelIds = labelIdsOf(body);
    if (!Array.isArray(labelIds)) return labelIds;
    const total = Number(call.req.headers['x-upload-content-length']);
    if (!Number.isInteger(total) || total <= 0) return bad('emulator: X-Upload-Content-Length is required');
    const refused = store.validate(user, labelIds, total);
    if (refused) return refused;
    const s = store.startSession(user, labelIds, params, total);
    return {
      status: 200,
      body: undefined,
      headers: { location: `${call.origin}${url.pathname}?uploadType=resumable&upload_id=${s.id}` },
    };
  } else if (params.uploadType === 'multipart') {
    const parts = parseMultipart(body, contentType);
    if ('status' in parts) return parts;
    labelIds = labelIdsOf(parts.meta);
    if (!Array.isArray(labelIds)) return labelIds;
    raw = parts.media;
  } else if (params.uploadType === 'media') {
    if (!contentType.startsWith('message/')) return bad(`Media type '${contentType}' is not supported.`);
    raw = body;
  } else {
    return bad('emulator: uploadType must be media, multipart or resumable');
  }
  const stored = store.store(user, raw, labelIds, params);
  if (!('raw' in stored)) return stored;
  if (call.faults.dropAfterImport > 0) {
    call.faults.dropAfterImport--;
    return dropConnection(call);
  }
  return resource(stored);
}

function incomplete(s: Session): Answer {
  return { status: 308, body: undefined, headers: s.received > 0 ? { range: `bytes=0-${s.received - 1}` } : {} };
}

/** Appends the bytes of a range starting at `start`; a cut-off range keeps only whole 256 KiB blocks. */
function persist(s: Session, start: number, bytes: Buffer, cutOff: boolean): void {
  let end = start + bytes.length;
  if (cutOff) end = Math.floor(end / QUANTUM) * QUANTUM;
  if (start > s.received || end <= s.received) return;
  s.chunks.push(Buffer.from(bytes.subarray(s.received - start, end - start)));
  s.received = end;
}

/** PUT to a session URI: a byte range, or `bytes *\/total` asking for the session's state. */
export async function handlePut(call: UploadCall): Promise<Answer | 'dropped'> {
  const { req, url, store, faults, entry } = call;
  const id = url.searchParams.get('upload_id');
  const s = id ? store.sessions.get(id) : undefined;
  const injected = s ? faults.take('upload.put') : undefined;
  if (!s || injected) {
    entry.bytesIn = (await readBody(req)).length;
    return injected ?? gerr(404, 'Not Found', 'notFound', 'NOT_FOUND');
  }
  entry.user = s.user;
  const range = String(req.headers['content-range'] ?? '');
  if (/^bytes \*\/\d+$/.test(range)) {
    entry.bytesIn = (await readBody(req)).length;
    return s.message ? resource(s.message) : incomplete(s);
  }
  let start = 0;
  let last: number | undefined;
  let total = s.total;
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(range);
  if (m) [start, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if (range) return bad(`emulator: unreadable Content-Range ${range}`);
  const drop = faults.dropUpload;
  if (drop && drop.times > 0 && !s.message) {
    drop.times--;
    const got = await readUpTo(req, drop.afterBytes);
    entry.bytesIn = got.length;
    persist(s, start, got, true);
    return dropConnection(call);
  }
  const body = await readBody(req);
  entry.bytesIn = body.length;
  if (s.message) return resource(s.message);
  last ??= body.length - 1;
  if (total !== s.total) return bad(`emulator: total ${total} differs from X-Upload-Content-Length ${s.total}`);
  if (body.length !== last - start + 1) return bad('emulator: body length does not match Content-Range');
  if (start > s.received) return bad(`emulator: range starts at ${start} but the session holds ${s.received} bytes`);
  if (last + 1 < total && body.length % QUANTUM !== 0) return bad('emulator: chunk size is not a multiple of 256 KiB');
  persist(s, start, body, false);
  if (s.received < s.total) return incomplete(s);
  const stored = store.store(s.user, Buffer.concat(s.chunks), s.labelIds, s.params);
  if (!('raw' in stored)) return stored;
  s.message = stored;
  if (faults.dropAfterImport > 0) {
    faults.dropAfterImport--;
    return dropConnection(call);
  }
  return resource(stored);
}
