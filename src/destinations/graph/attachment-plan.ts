/**
 * Which attachments of an item go into its Graph copy, under which names, and which are too
 * large for Exchange and are replaced by a note in the body (name, size, SHA-256) so the
 * reader knows the file exists and the archive copy can be matched to it.
 */
import { createHash } from 'node:crypto';
import type { RenderedItem } from '../types.js';

export interface PlannedAttachment {
  /** index in item.attachments */
  index: number;
  /** unique within the message: how an unfinished copy's missing attachments are found */
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface OmittedAttachment {
  index: number;
  name: string;
  size: number;
  sha256: string;
}

export interface AttachmentPlan {
  attach: PlannedAttachment[];
  omitted: OmittedAttachment[];
}

/** `name (2).ext` for the second attachment of the same name (compared without case, as Exchange does). */
function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

/**
 * `names` are the file names of the MIME attachment parts, which the renderer writes for
 * exactly the attachments that have bytes, in index order.
 */
export function planAttachments(item: RenderedItem, names: readonly string[], maxBytes: number): AttachmentPlan {
  const plan: AttachmentPlan = { attach: [], omitted: [] };
  const taken = new Set<string>();
  let part = 0;
  item.attachments.forEach(({ ref, bytes }, index) => {
    if (!bytes) return;
    const name = uniqueName(names[part] ?? (ref.filename || `attachment-${index + 1}`), taken);
    part++;
    if (bytes.length > maxBytes) {
      plan.omitted.push({ index, name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    } else {
      plan.attach.push({ index, name, contentType: ref.contentType || 'application/octet-stream', bytes });
    }
  });
  return plan;
}

export function formatBytes(n: number): string {
  const mib = n / (1024 * 1024);
  return `${mib >= 10 ? mib.toFixed(0) : mib.toFixed(1)} MB (${n.toLocaleString('en-US')} bytes)`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML notice put at the top of the body for the attachments left out. */
export function omittedNoteHtml(omitted: readonly OmittedAttachment[], maxBytes: number): string {
  const items = omitted
    .map((o) => `<li>${escapeHtml(o.name)}: ${formatBytes(o.size)}, SHA-256 ${o.sha256}</li>`)
    .join('');
  return (
    '<div style="margin:0 0 12px 0;padding:8px 12px;border-left:4px solid #d97706;background:#fff7ed">' +
    `Not attached in this mailbox (附件未存入此邮箱): larger than the ${formatBytes(maxBytes)} this mailbox accepts. ` +
    `The archive keeps the file; its SHA-256 identifies it.<ul style="margin:4px 0 0 0">${items}</ul></div>`
  );
}

/** The outcome reason for a partial delivery. */
export function omittedReason(omitted: readonly OmittedAttachment[], maxBytes: number): string {
  const list = omitted.map((o) => `${o.name} (${o.size} bytes, SHA-256 ${o.sha256})`).join('; ');
  return `${omitted.length} attachment(s) larger than ${maxBytes} bytes replaced by a note in the Graph copy: ${list}`;
}

/** The body with the notice inserted right after `<body ...>` (or in front when there is none). */
export function withNote(html: string, note: string): string {
  const m = /<body[^>]*>/i.exec(html);
  if (!m) return note + html;
  const at = m.index + m[0].length;
  return `${html.slice(0, at)}\n${note}${html.slice(at)}`;
}
