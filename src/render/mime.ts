/**
 * One chat message as one RFC 5322 / MIME message with deterministic bytes: the structure
 * (multipart/mixed holding multipart/alternative text + HTML, then each fetched attachment),
 * the top-level headers, and the assembly. Same message and context, same bytes: ids and
 * boundaries come from hashes of the item key, never from the clock or a random source.
 */
import libmime from 'libmime';
import { ArchiverError } from '../core/errors.js';
import type { AttachmentRef, ChatMessage } from '../core/model.js';
import { addressFor, mailboxOf, shortName } from './addresses.js';
import { renderHtml } from './body-html.js';
import { renderText } from './body-text.js';
import type { RenderContext } from './context.js';
import { describeMessage } from './describe.js';
import { attachmentFilename } from './describe-media.js';
import { MAX_TIME_MS, rfc5322Date, snippet } from './format.js';
import { encodeText, formatAddress, headerLine, itemIds, threadIdFor } from './headers.js';
import { base64Lines, encodeTextBody } from './transfer-encoding.js';
import type { MessageView } from './view.js';

/** Bump when the rendered bytes of an unchanged message change; stored with each delivery. */
export const RENDER_VERSION = 1;

/** Room names longer than this are cut in the subject (the body and Thread-Topic keep them whole). */
const SUBJECT_ROOM_MAX = 40;

/** `type/subtype` made only of RFC 2045 token characters; anything else is sent as octet-stream. */
const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

function checkTime(msg: ChatMessage): void {
  if (!Number.isFinite(msg.time) || msg.time < 0 || msg.time > MAX_TIME_MS) {
    throw new ArchiverError(
      'WXA_RENDER_FAILED',
      `message ${msg.key} has time ${msg.time}, which is not a date a mail header can carry; the parser must be fixed and the item replayed`,
    );
  }
}

function subjectOf(msg: ChatMessage, ctx: RenderContext, view: MessageView): string {
  const sender = msg.from ? shortName(ctx, msg.from) : 'Unknown';
  const room = msg.conversation.kind === 'group' ? `${snippet(view.conversation, SUBJECT_ROOM_MAX)} | ` : '';
  return `[WeChat] ${room}${sender}: ${view.summary}`;
}

/** The From of a message: the sender's display name and address, or a stable stand-in when unknown. */
export function senderOf(msg: ChatMessage, ctx: RenderContext): { name: string; address: string } {
  return msg.from
    ? mailboxOf(ctx, msg.from)
    : { name: 'Unknown sender', address: addressFor({ id: 'unknown', kind: 'internal' }) };
}

/**
 * The Subject of a message before RFC 2047 encoding, as renderMimeParts writes it; the console
 * lists items by it without reading every stored message.
 */
export function subjectFor(msg: ChatMessage, ctx: RenderContext): string {
  const sizes = msg.attachments.map((_, i) => ctx.attachmentBytes(i)?.length ?? ctx.attachmentSize?.(i));
  return subjectOf(msg, ctx, describeMessage(msg, ctx, sizes));
}

/**
 * Top-level headers. `Auto-Submitted: auto-generated` (RFC 3834) and Exchange's
 * `X-Auto-Response-Suppress: All` are set because the From and To addresses are real
 * colleagues' mailboxes: an archived copy must never trigger a vacation reply or a read
 * receipt to them. They do not hide the message in any client.
 */
function topHeaders(
  msg: ChatMessage,
  ctx: RenderContext,
  view: MessageView,
  messageId: string,
  boundary: string,
): string {
  const from = senderOf(msg, ctx);
  const to = msg.tolist.map((id) => mailboxOf(ctx, id));
  const thread = threadIdFor(msg.conversation.id, msg.corpId);
  const flags = [...msg.flags];
  if (ctx.recalledAt !== undefined && !flags.includes('recalled')) flags.push('recalled');
  let h =
    headerLine('Message-ID', messageId) +
    headerLine('Date', rfc5322Date(msg.time)) +
    headerLine('From', formatAddress(from.name, from.address)) +
    // RFC 5322 section 3.6.3: an empty group says "no recipients" without inventing one.
    headerLine(
      'To',
      to.length ? to.map((m) => formatAddress(m.name, m.address)).join(', ') : 'undisclosed-recipients:;',
    ) +
    headerLine('Subject', encodeText(subjectOf(msg, ctx, view))) +
    headerLine('Thread-Topic', encodeText(view.conversation)) +
    headerLine('In-Reply-To', thread) +
    headerLine('References', thread) +
    headerLine('MIME-Version', '1.0') +
    headerLine('Content-Type', `multipart/mixed; boundary="${boundary}"`) +
    headerLine('Auto-Submitted', 'auto-generated') +
    headerLine('X-Auto-Response-Suppress', 'All') +
    headerLine('X-WeChat-Item-Key', encodeText(msg.key)) +
    headerLine('X-WeChat-Corp', encodeText(msg.corpId)) +
    headerLine('X-WeChat-MsgId', encodeText(msg.msgid)) +
    headerLine('X-WeChat-Seq', encodeText(msg.seq)) +
    headerLine('X-WeChat-MsgTime', String(msg.time)) +
    headerLine('X-WeChat-MsgType', encodeText(msg.msgtype || msg.content.kind)) +
    headerLine('X-WeChat-Action', encodeText(msg.action)) +
    headerLine('X-WeChat-Conversation', encodeText(msg.conversation.id));
  if (msg.roomid) h += headerLine('X-WeChat-RoomId', encodeText(msg.roomid));
  if (flags.length) h += headerLine('X-WeChat-Flags', flags.join(', '));
  if (msg.external) h += headerLine('X-WeChat-External', 'yes');
  if (msg.upDownStream) h += headerLine('X-WeChat-UpDownStream', 'yes');
  h += headerLine('X-WeChat-Model-Version', String(msg.modelVersion));
  h += headerLine('X-WeChat-Render-Version', String(RENDER_VERSION));
  return h;
}

function textPart(contentType: string, text: string, preferBase64 = false): string {
  const { encoding, body } = encodeTextBody(text, preferBase64);
  return (
    headerLine('Content-Type', `${contentType}; charset=utf-8`) +
    headerLine('Content-Transfer-Encoding', encoding) +
    `\r\n${body}${body.endsWith('\r\n') ? '' : '\r\n'}`
  );
}

function attachmentHeaders(ref: AttachmentRef, index: number): string {
  const filename = attachmentFilename(ref, index);
  const type = MEDIA_TYPE.test(ref.contentType) ? ref.contentType.toLowerCase() : 'application/octet-stream';
  // RFC 2231 parameters (with continuations for long or non-ASCII names); libmime quotes and
  // splits them the way mail clients expect.
  return (
    headerLine('Content-Type', libmime.buildHeaderValue({ value: type, params: { name: filename } })) +
    headerLine('Content-Transfer-Encoding', 'base64') +
    headerLine('Content-Disposition', libmime.buildHeaderValue({ value: 'attachment', params: { filename } })) +
    '\r\n'
  );
}

/**
 * The message as literal byte runs and attachment slots: slot `i` stands for the base64 body
 * of attachment `i` (`base64Lines` of its bytes). The archive stores this skeleton and the
 * media once, instead of the media a second time inside every message (single-instance
 * storage); `assembleMime` gives back the exact bytes.
 */
export interface MimeParts {
  chunks: (Buffer | number)[];
}

export function renderMimeParts(msg: ChatMessage, ctx: RenderContext): MimeParts {
  checkTime(msg);
  const sizes = msg.attachments.map((_, i) => ctx.attachmentBytes(i)?.length ?? ctx.attachmentSize?.(i));
  const view = describeMessage(msg, ctx, sizes);
  // "=_" cannot occur in quoted-printable or base64 output, so no part body can contain a boundary.
  const { messageId, boundarySeed } = itemIds(msg.key);
  const mixed = `----=_wxa_m_${boundarySeed}`;
  const alt = `----=_wxa_a_${boundarySeed}`;
  let head =
    topHeaders(msg, ctx, view, messageId, mixed) +
    '\r\n' +
    `--${mixed}\r\n` +
    headerLine('Content-Type', `multipart/alternative; boundary="${alt}"`) +
    '\r\n' +
    `--${alt}\r\n${textPart('text/plain', renderText(view))}` +
    `\r\n--${alt}\r\n${textPart('text/html', renderHtml(view), true)}` +
    `\r\n--${alt}--\r\n`;
  const chunks: (Buffer | number)[] = [];
  msg.attachments.forEach((ref, i) => {
    if (sizes[i] === undefined) return;
    head += `\r\n--${mixed}\r\n${attachmentHeaders(ref, i)}`;
    chunks.push(Buffer.from(head, 'latin1'), i);
    head = '';
  });
  head += `\r\n--${mixed}--\r\n`;
  chunks.push(Buffer.from(head, 'latin1'));
  return { chunks };
}

/** The exact message bytes from its parts and the attachments' bytes. */
export function assembleMime(parts: MimeParts, attachment: (i: number) => Buffer | undefined): Buffer {
  const out = parts.chunks.map((c) => {
    if (typeof c !== 'number') return c;
    const data = attachment(c);
    if (!data) throw new ArchiverError('WXA_RENDER_FAILED', `attachment ${c} is needed to assemble the message`);
    return base64Lines(data);
  });
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

export function renderMime(msg: ChatMessage, ctx: RenderContext): Buffer {
  return assembleMime(renderMimeParts(msg, ctx), (i) => ctx.attachmentBytes(i));
}
