/**
 * The parts of a rendered MIME message a Graph item is built from: subject, HTML body, From,
 * To, threading ids and attachment file names. Read back from the rendered bytes with
 * mailparser rather than rendered a second way, so the Graph copy shows exactly what the
 * IMAP and Gmail copies show; the attachment bytes come from the RenderedItem instead.
 */
import type { AddressObject, AttachmentStream, EmailAddress, MessageText } from 'mailparser';
import { DestinationError } from '../types.js';

export interface Mailbox {
  name: string;
  address: string;
}

export interface MimeParts {
  subject: string;
  html: string;
  from: Mailbox | undefined;
  to: Mailbox[];
  inReplyTo: string | undefined;
  references: string | undefined;
  /** file name of each attachment part, in the order of the parts */
  attachmentNames: string[];
}

function flatten(list: EmailAddress[]): Mailbox[] {
  const out: Mailbox[] = [];
  for (const a of list) {
    // A group such as `undisclosed-recipients:;` stands for its members, here none.
    if (a.group) out.push(...flatten(a.group));
    else if (a.address) out.push({ name: a.name ?? '', address: a.address });
  }
  return out;
}

function mailboxes(value: unknown): Mailbox[] {
  if (!value) return [];
  const objects = (Array.isArray(value) ? value : [value]) as AddressObject[];
  return objects.flatMap((o) => flatten(o.value ?? []));
}

function text(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(String).join(' ');
  return typeof value === 'string' ? value : undefined;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * The message with the bodies of its top-level attachment parts emptied. Only their headers
 * (the file names) are needed here, and decoding a 150 MB attachment's base64 just to throw
 * it away costs seconds per mailbox; the multipart structure (RFC 2046 section 5.1.1) is
 * kept, so the parser sees the same parts. Messages of any other shape pass unchanged.
 */
export function withoutAttachmentBodies(mime: Buffer): Buffer {
  const headEnd = mime.indexOf(CRLF2);
  if (headEnd < 0) return mime;
  const head = mime
    .subarray(0, headEnd)
    .toString('latin1')
    .replace(/\r\n[ \t]+/g, ' ');
  const boundary = /^content-type:\s*multipart\/[^\r\n]*?boundary="?([^";\r\n]+)"?/im.exec(head)?.[1];
  if (!boundary) return mime;
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const out: Buffer[] = [];
  let from = 0;
  let at = mime.indexOf(delimiter, headEnd);
  while (at >= 0) {
    const next = mime.indexOf(delimiter, at + delimiter.length);
    if (next < 0) break;
    // A part runs from just after its delimiter line to the next delimiter.
    const partStart = mime.indexOf('\r\n', at + delimiter.length);
    const partHeadEnd = partStart < 0 ? -1 : mime.indexOf(CRLF2, partStart);
    if (partHeadEnd > 0 && partHeadEnd < next) {
      const partHead = mime.subarray(partStart, partHeadEnd).toString('latin1');
      if (/\ncontent-disposition:\s*attachment/i.test(partHead)) {
        out.push(mime.subarray(from, partHeadEnd + CRLF2.length));
        from = next;
      }
    }
    at = next;
  }
  if (from === 0) return mime;
  out.push(mime.subarray(from));
  return Buffer.concat(out);
}

/**
 * mailparser (0.3 s of CPU to load) loads with the first item read back for Graph, not with
 * every process that reads the destinations' code.
 */
let mailparser: Promise<typeof import('mailparser')> | undefined;

export async function parseMimeParts(mime: Buffer): Promise<MimeParts> {
  const { MailParser } = await (mailparser ??= import('mailparser'));
  const parser = new MailParser({ skipImageLinks: true, skipTextLinks: true });
  const parts: MimeParts = {
    subject: '',
    html: '',
    from: undefined,
    to: [],
    inReplyTo: undefined,
    references: undefined,
    attachmentNames: [],
  };
  let plain = '';
  const done = new Promise<void>((resolve, reject) => {
    parser.on('headers', (headers: Map<string, unknown>) => {
      parts.subject = text(headers.get('subject')) ?? '';
      parts.from = mailboxes(headers.get('from'))[0];
      parts.to = mailboxes(headers.get('to'));
      parts.inReplyTo = text(headers.get('in-reply-to'));
      parts.references = text(headers.get('references'));
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'attachment') {
        const part: AttachmentStream = data;
        parts.attachmentNames.push(part.filename ?? `attachment-${parts.attachmentNames.length + 1}`);
        // Only the name is needed; the content is drained unread and released to the parser.
        part.content.on('end', () => part.release?.());
        part.content.resume();
      } else {
        if (typeof data.html === 'string') parts.html = data.html;
        plain = data.textAsHtml ?? '';
      }
    });
    parser.once('end', () => resolve());
    parser.once('error', reject);
  });
  parser.end(withoutAttachmentBodies(mime));
  try {
    await done;
  } catch (err) {
    throw new DestinationError('permanent', `the rendered message cannot be read back (${String(err)})`, {
      cause: err,
    });
  }
  if (!parts.html) parts.html = plain;
  return parts;
}
