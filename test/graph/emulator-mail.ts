/**
 * The Exchange half of the Graph emulator: mail folders, messages created from JSON in a
 * folder, file attachments (one POST up to 3 MB; upload sessions from 3 MB to 150 MB, their
 * byte ranges PUT in order to a pre-authenticated URL), and the lookups a client makes by
 * display name and by extended property. A message created without PR_MESSAGE_FLAGS (or with
 * mfUnsent) is a draft, as in Exchange.
 */
import { createHash } from 'node:crypto';
import {
  checkPropValue,
  messageJson,
  newId,
  parseFolderFilter,
  parsePropExpand,
  parsePropFilter,
  propKey,
  type MailboxState,
  type StoredMessage,
  type UploadSession,
} from './emulator-state.js';

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** after storing the work, drop the connection instead of answering */
  drop?: 'after-create-message' | 'after-attach' | 'after-chunk';
}

export interface MailLimits {
  inlineMaxBytes: number;
  sessionMinBytes: number;
  sessionMaxBytes: number;
  chunkMaxBytes: number;
  /** body plus attachments of one message */
  maxMessageBytes: number;
  keepUploadBytes: boolean;
  now: () => number;
}

const err = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });
/** The body Graph answers when a message would grow past the mailbox's maximum receive size. */
const tooBig = () => err(400, 'ErrorMessageSizeExceeded', 'The message exceeds the maximum supported size.');
const MFUNSENT = 0x8;
const MFREAD = 0x1;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class MailStore {
  readonly mailboxes = new Map<string, MailboxState>();
  readonly sessions = new Map<string, UploadSession>();
  /** size of every upload-session PUT received */
  readonly chunkSizes: number[] = [];
  /** bytes taken into upload sessions per `mailbox/attachment name`, over every session */
  readonly uploadedBytes = new Map<string, number>();
  /** ErrorMessageSizeExceeded answers sent */
  sizeExceeded = 0;

  /** What a message counts against the maximum receive size: its body and its attachments. */
  messageSize(m: StoredMessage): number {
    return Buffer.byteLength(m.body, 'utf8') + m.attachments.reduce((n, a) => n + a.size, 0);
  }

  constructor(
    private readonly origin: () => string,
    private readonly limits: MailLimits,
  ) {}

  addMailbox(upn: string): void {
    this.mailboxes.set(upn.toLowerCase(), { upn, folders: [], messages: [] });
  }

  get(upn: string): MailboxState | undefined {
    return this.mailboxes.get(upn.toLowerCase());
  }

  folders(mb: MailboxState, method: string, query: URLSearchParams, body: Buffer): Answer {
    if (method === 'GET') {
      const filter = query.get('$filter');
      let list = mb.folders;
      if (filter !== null) {
        const name = parseFolderFilter(filter);
        if (name === undefined)
          return err(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
        list = list.filter((f) => f.displayName.toLowerCase() === name.toLowerCase());
      }
      return { status: 200, body: { value: list.map((f) => ({ id: f.id, displayName: f.displayName })) } };
    }
    const json = parseJson(body);
    const displayName = json?.displayName;
    if (typeof displayName !== 'string' || !displayName)
      return err(400, 'ErrorInvalidRequest', 'displayName is required.');
    if (mb.folders.some((f) => f.displayName.toLowerCase() === displayName.toLowerCase())) {
      return err(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
    }
    const folder = { id: newId('AQMkAD'), displayName };
    mb.folders.push(folder);
    return { status: 201, body: folder };
  }

  folderMessages(mb: MailboxState, folderId: string, method: string, query: URLSearchParams, body: Buffer): Answer {
    if (!mb.folders.some((f) => f.id === folderId))
      return err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    if (method === 'POST') return this.createMessage(mb, folderId, body);
    let list = mb.messages.filter((m) => m.folderId === folderId);
    const filter = query.get('$filter');
    if (filter !== null) {
      const f = parsePropFilter(filter);
      const key = f && propKey(f.id);
      if (!f || !key)
        return err(400, 'ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.');
      // Documented: the value of an extended property is compared without regard to case.
      list = list.filter((m) => m.props.get(key)?.value.toLowerCase() === f.value.toLowerCase());
    }
    const expand = query.get('$expand');
    const ids = expand === null ? undefined : parsePropExpand(expand);
    if (expand !== null && !ids) return err(400, 'BadRequest', 'Parsing OData Select and Expand failed.');
    const top = Number(query.get('$top') ?? 10);
    return { status: 200, body: { value: list.slice(0, top).map((m) => messageJson(m, ids)) } };
  }

  private createMessage(mb: MailboxState, folderId: string, body: Buffer): Answer {
    const json = parseJson(body);
    if (!json) return err(400, 'BadRequest', 'Unable to read JSON request payload.');
    const props = new Map<string, { id: string; value: string }>();
    for (const p of (json.singleValueExtendedProperties as { id?: unknown; value?: unknown }[] | undefined) ?? []) {
      const key = typeof p.id === 'string' ? propKey(p.id) : undefined;
      if (!key) return err(400, 'ErrorInvalidProperty', `The extended property id '${String(p.id)}' is not valid.`);
      const problem = checkPropValue(String(p.id), p.value);
      if (problem) return err(400, 'ErrorInvalidExtendedPropertyValue', problem);
      props.set(key, { id: String(p.id), value: String(p.value) });
    }
    const flagsText = props.get('integer 0xe07')?.value;
    const flags = flagsText === undefined ? undefined : Number(flagsText);
    const isDraft = flags === undefined || (flags & MFUNSENT) !== 0;
    const iso = (v: string | undefined) => (v === undefined ? undefined : new Date(v).toISOString());
    const now = new Date(this.limits.now()).toISOString();
    const b = (json.body ?? {}) as { contentType?: unknown; content?: unknown };
    const m: StoredMessage = {
      id: newId(),
      folderId,
      subject: typeof json.subject === 'string' ? json.subject : '',
      bodyType: String(b.contentType ?? 'text').toLowerCase(),
      body: typeof b.content === 'string' ? b.content : '',
      from: json.from,
      toRecipients: Array.isArray(json.toRecipients) ? json.toRecipients : [],
      isRead: json.isRead === true || (flags !== undefined && (flags & MFREAD) !== 0),
      isDraft,
      receivedDateTime: iso(props.get('systemtime 0xe06')?.value) ?? now,
      sentDateTime: iso(props.get('systemtime 0x39')?.value) ?? (isDraft ? null : now),
      internetMessageId: props.get('string 0x1035')?.value ?? `<${newId('')}@emulator.invalid>`,
      props,
      attachments: [],
    };
    mb.messages.push(m);
    return { status: 201, body: messageJson(m), drop: 'after-create-message' };
  }

  message(mb: MailboxState, id: string): StoredMessage | undefined {
    return mb.messages.find((m) => m.id === id);
  }

  deleteMessage(mb: MailboxState, id: string): Answer {
    const at = mb.messages.findIndex((m) => m.id === id);
    if (at < 0) return err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    mb.messages.splice(at, 1);
    return { status: 204 };
  }

  attachments(mb: MailboxState, id: string, method: string, body: Buffer): Answer {
    const m = this.message(mb, id);
    if (!m) return err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    if (method === 'GET') {
      const value = m.attachments.map((a) => ({
        '@odata.type': '#microsoft.graph.fileAttachment',
        id: a.id,
        name: a.name,
        contentType: a.contentType,
        size: a.size,
        isInline: false,
      }));
      return { status: 200, body: { value } };
    }
    const json = parseJson(body);
    if (!json) return err(400, 'BadRequest', 'Unable to read JSON request payload.');
    if (json['@odata.type'] !== '#microsoft.graph.fileAttachment') {
      return err(
        400,
        'UnprocessableType',
        "Cannot process input of abstract type 'Microsoft.OutlookServices.Attachment'",
      );
    }
    if (typeof json.name !== 'string' || typeof json.contentBytes !== 'string') {
      return err(400, 'ErrorInvalidRequest', 'name and contentBytes are required.');
    }
    const bytes = Buffer.from(json.contentBytes, 'base64');
    if (bytes.length > this.limits.inlineMaxBytes) {
      return err(413, 'ErrorRequestEntityTooLarge', 'Attachments over 3 MB must be added through an upload session.');
    }
    if (this.messageSize(m) + bytes.length > this.limits.maxMessageBytes) {
      this.sizeExceeded++;
      return tooBig();
    }
    const a = {
      id: newId('AAMkADatt'),
      name: json.name,
      contentType: String(json.contentType ?? 'application/octet-stream'),
      bytes,
      size: bytes.length,
      sha256: sha256(bytes),
      via: 'inline' as const,
    };
    m.attachments.push(a);
    return { status: 201, body: { id: a.id, name: a.name, size: bytes.length }, drop: 'after-attach' };
  }

  createUploadSession(mb: MailboxState, id: string, body: Buffer): Answer {
    const m = this.message(mb, id);
    if (!m) return err(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    const item = parseJson(body)?.AttachmentItem as
      { attachmentType?: unknown; name?: unknown; size?: unknown; contentType?: unknown } | undefined;
    if (!item || item.attachmentType !== 'file' || typeof item.name !== 'string' || typeof item.size !== 'number') {
      return err(400, 'ErrorInvalidRequest', 'AttachmentItem with attachmentType file, name and size is required.');
    }
    if (item.size < this.limits.sessionMinBytes) {
      return err(
        400,
        'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
        'Attachment size should not be less than the minimum size of 3 MB.',
      );
    }
    if (item.size > this.limits.sessionMaxBytes) {
      return err(
        400,
        'ErrorAttachmentSizeShouldNotBeGreaterThanMaximumSize',
        'Attachment size should not be greater than 150 MB.',
      );
    }
    const s: UploadSession = {
      id: newId('AAMkADses'),
      mailbox: mb.upn,
      messageId: id,
      token: newId('tok'),
      name: item.name,
      contentType: String(item.contentType ?? 'application/octet-stream'),
      size: item.size,
      received: [],
      hash: createHash('sha256'),
      receivedBytes: 0,
      expires: this.limits.now() + 24 * 3600_000,
    };
    this.sessions.set(s.id, s);
    const uploadUrl = `${this.origin()}/outlook/api/v2.0/Users('${encodeURIComponent(mb.upn)}')/Messages('${encodeURIComponent(id)}')/AttachmentSessions('${encodeURIComponent(s.id)}')?authtoken=${s.token}`;
    return {
      status: 201,
      body: { uploadUrl, expirationDateTime: new Date(s.expires).toISOString(), nextExpectedRanges: ['0-'] },
    };
  }

  /** PUT, GET (status) or DELETE on an upload URL, which needs its authtoken and no Authorization header. */
  upload(
    s: UploadSession,
    method: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ): Answer {
    const expiration = new Date(s.expires).toISOString();
    if (method === 'DELETE') {
      this.sessions.delete(s.id);
      return { status: 204 };
    }
    if (method === 'GET')
      return { status: 200, body: { expirationDateTime: expiration, nextExpectedRanges: [`${s.receivedBytes}-`] } };
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(headers['content-range'] ?? ''));
    if (!range) return err(400, 'ErrorInvalidContentRange', 'Content-Range must be "bytes start-end/total".');
    const [start, end, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (total !== s.size || end < start || end >= total || end - start + 1 !== body.length) {
      return err(400, 'ErrorInvalidContentRange', 'Content-Range does not match the session or the body.');
    }
    if (body.length > this.limits.chunkMaxBytes)
      return err(413, 'ErrorRequestEntityTooLarge', 'A byte range must be under 4 MB.');
    if (start !== s.receivedBytes) {
      return err(
        416,
        'InvalidRange',
        `The uploaded fragment is out of order; the session expects byte ${s.receivedBytes}.`,
      );
    }
    const key = `${s.mailbox.toLowerCase()}/${s.name}`;
    this.uploadedBytes.set(key, (this.uploadedBytes.get(key) ?? 0) + body.length);
    const target = this.message(this.get(s.mailbox) as MailboxState, s.messageId);
    if (target && this.messageSize(target) + s.receivedBytes + body.length > this.limits.maxMessageBytes) {
      // Exchange stops the upload where the message crosses the cap; the session is over.
      this.sessions.delete(s.id);
      this.sizeExceeded++;
      return tooBig();
    }
    this.chunkSizes.push(body.length);
    if (this.limits.keepUploadBytes) s.received.push(body);
    s.hash.update(body);
    s.receivedBytes += body.length;
    if (s.receivedBytes < s.size) {
      return {
        status: 200,
        body: { expirationDateTime: expiration, nextExpectedRanges: [String(s.receivedBytes)] },
        drop: 'after-chunk',
      };
    }
    this.sessions.delete(s.id);
    const m = this.message(this.get(s.mailbox) as MailboxState, s.messageId);
    const a = {
      id: newId('AAMkADatt'),
      name: s.name,
      contentType: s.contentType,
      bytes: Buffer.concat(s.received),
      size: s.receivedBytes,
      sha256: s.hash.digest('hex'),
      via: 'session' as const,
    };
    m?.attachments.push(a);
    const location = `${this.origin()}/outlook/api/v2.0/Users('${encodeURIComponent(s.mailbox)}')/Messages('${encodeURIComponent(s.messageId)}')/Attachments('${encodeURIComponent(a.id)}')`;
    return { status: 201, headers: { location }, drop: 'after-chunk' };
  }
}
