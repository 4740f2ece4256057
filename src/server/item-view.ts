/**
 * An archived item as the console shows it, read from the message a mailbox holds (its stored
 * MIME, the same bytes a mail client would get): headers, the HTML body made safe to show, and
 * the attachments. Parsing the stored message rather than re-rendering the model shows exactly
 * what was archived, whatever renderer version made it.
 */
import { simpleParser, type AddressObject, type EmailAddress } from 'mailparser';
import { safeDisplayName } from '../core/display-name.js';
import { escapeHtml } from '../render/body-html.js';
import { safeHtml } from './safe-html.js';

export interface ItemAttachment {
  /** position among the message's attachments: the `:index` of its URL */
  index: number;
  /** the file name with bidi and control characters replaced (see core/display-name.ts) */
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
}

export interface ItemMessage {
  subject: string;
  from: string;
  to: string[];
  /** ms since the epoch: X-WeChat-MsgTime (exact) when present, else the Date header */
  date: number | null;
  /** the HTML body (or the text body as HTML), cleaned, with `cid:` references pointing at attachment URLs */
  html: string;
  attachments: ItemAttachment[];
}

/** The console URLs of an item as one mailbox holds it. */
export function itemUrls(address: string, itemKey: string): { html: string; attachment: (index: number) => string } {
  const base = `/api/mailboxes/${encodeURIComponent(address)}/items/${encodeURIComponent(itemKey)}`;
  return { html: `${base}/html`, attachment: (index) => `${base}/attachments/${index}` };
}

function formatAddress(a: EmailAddress): string[] {
  // A group (`undisclosed-recipients:;`) lists its members, which may be none.
  if (a.group) return a.group.flatMap(formatAddress);
  if (!a.address) return a.name ? [a.name] : [];
  return [a.name ? `${a.name} <${a.address}>` : a.address];
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((o) => o.value.flatMap(formatAddress));
}

function headerTime(value: unknown, fallback: Date | undefined): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isSafeInteger(n)) return n;
  return fallback && !Number.isNaN(fallback.getTime()) ? fallback.getTime() : null;
}

/** A plain-text body shown as HTML: escaped, lines kept. */
function textAsHtml(text: string): string {
  return (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>' +
    `<body><pre style="white-space:pre-wrap;word-break:break-word;font-family:inherit">${escapeHtml(text)}</pre></body></html>\n`
  );
}

/** Parses a stored message; `attachmentUrl` names where attachment `i` is served (for `cid:` links). */
export async function readItemMessage(mime: Buffer, attachmentUrl: (index: number) => string): Promise<ItemMessage> {
  const parsed = await simpleParser(mime, {
    // cid: links are rewritten to our URLs below instead of being inlined as data: URIs.
    keepCidLinks: true,
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
    skipImageLinks: true,
  });
  const attachments: ItemAttachment[] = parsed.attachments.map((a, index) => ({
    index,
    // The name as shown, linked and downloaded: no bidi or control character can disguise it.
    filename: safeDisplayName(a.filename || `attachment-${index + 1}`),
    contentType: a.contentType || 'application/octet-stream',
    size: a.content.length,
    content: a.content,
  }));
  const byCid = new Map<string, number>();
  parsed.attachments.forEach((a, index) => {
    const cid = a.cid ?? a.contentId?.replace(/^<|>$/g, '');
    if (cid) byCid.set(cid.toLowerCase(), index);
  });
  const rewriteUrl = (url: string): string | undefined => {
    if (!/^cid:/i.test(url)) return undefined;
    let cid = url.slice(4);
    try {
      cid = decodeURIComponent(cid); // RFC 2392: a cid URL is %-encoded
    } catch {
      // not valid %-encoding: look it up as written
    }
    const index = byCid.get(cid.toLowerCase());
    return index === undefined ? '' : attachmentUrl(index);
  };
  const body = typeof parsed.html === 'string' ? parsed.html : textAsHtml(parsed.text ?? '');
  return {
    // Shown as text in the console: a subject names files ("File: report.pdf") and people's
    // display names are chosen by them, so neither may carry a bidi override either.
    subject: safeDisplayName(parsed.subject ?? ''),
    from: safeDisplayName(addresses(parsed.from).join(', ')),
    to: addresses(parsed.to).map(safeDisplayName),
    date: headerTime(parsed.headers.get('x-wechat-msgtime'), parsed.date),
    html: safeHtml(body, { rewriteUrl }),
    attachments,
  };
}
