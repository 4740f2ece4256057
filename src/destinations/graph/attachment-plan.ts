/**
 * Which attachments of an item go into its Graph copy, under which names, and which are left
 * out and replaced by a note in the body (name, size, SHA-256, why) so the reader knows the
 * file exists and the archive copy can be matched to it. Exchange caps the whole message (the
 * mailbox's maximum receive size), so the plan counts the body and every attachment and
 * leaves out the largest files first until the rest fits: the reader keeps as many files as
 * the mailbox can hold.
 */
import { createHash } from 'node:crypto';
import { formatBytes, omittedLine } from '../omission.js';
import type { OmittedAttachment, RenderedItem } from '../types.js';

export interface PlannedAttachment {
  /** index in item.attachments */
  index: number;
  /** unique within the message: how an unfinished copy's missing attachments are found */
  name: string;
  contentType: string;
  bytes: Buffer;
}

export interface PlannedOmission extends OmittedAttachment {
  index: number;
}

export interface AttachmentPlan {
  attach: PlannedAttachment[];
  omitted: PlannedOmission[];
}

export interface PlanLimits {
  /** largest message the mailbox accepts: body plus attachments */
  maxMessageBytes: number;
  /** largest single attachment */
  maxAttachmentBytes: number;
  /** bytes of the HTML body before any note */
  bodyBytes: number;
}

/** Room kept in the message for the note that lists what was left out. */
export function noteAllowance(omitted: number): number {
  return omitted === 0 ? 0 : 2048 + omitted * 512;
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
export function planAttachments(item: RenderedItem, names: readonly string[], limits: PlanLimits): AttachmentPlan {
  const taken = new Set<string>();
  const all: PlannedAttachment[] = [];
  let part = 0;
  item.attachments.forEach(({ ref, bytes }, index) => {
    if (!bytes) return;
    const name = uniqueName(names[part] ?? (ref.filename || `attachment-${index + 1}`), taken);
    part++;
    all.push({ index, name, contentType: ref.contentType || 'application/octet-stream', bytes });
  });
  const leaveOut = new Set<PlannedAttachment>(all.filter((a) => a.bytes.length > limits.maxAttachmentBytes));
  let total = limits.bodyBytes + all.reduce((n, a) => n + (leaveOut.has(a) ? 0 : a.bytes.length), 0);
  for (const a of [...all].sort((x, y) => y.bytes.length - x.bytes.length || x.index - y.index)) {
    if (total + noteAllowance(leaveOut.size) <= limits.maxMessageBytes) break;
    if (leaveOut.has(a)) continue;
    leaveOut.add(a);
    total -= a.bytes.length;
  }
  return {
    attach: all.filter((a) => !leaveOut.has(a)),
    omitted: all
      .filter((a) => leaveOut.has(a))
      .map((a) => ({
        index: a.index,
        name: a.name,
        size: a.bytes.length,
        sha256: createHash('sha256').update(a.bytes).digest('hex'),
        reason: 'too-large' as const,
      })),
  };
}

export { formatBytes };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML notice put at the top of the body for the attachments left out. */
export function omittedNoteHtml(omitted: readonly OmittedAttachment[], maxMessageBytes: number): string {
  const items = omitted.map((o) => `<li>${escapeHtml(omittedLine(o, maxMessageBytes))}</li>`).join('');
  return (
    '<div style="margin:0 0 12px 0;padding:8px 12px;border-left:4px solid #d97706;background:#fff7ed">' +
    'Not attached in this mailbox (附件未存入此邮箱). ' +
    `The archive keeps each file; its SHA-256 identifies it.<ul style="margin:4px 0 0 0">${items}</ul></div>`
  );
}

/** The body with the notice inserted right after `<body ...>` (or in front when there is none). */
export function withNote(html: string, note: string): string {
  const m = /<body[^>]*>/i.exec(html);
  if (!m) return note + html;
  const at = m.index + m[0].length;
  return `${html.slice(0, at)}\n${note}${html.slice(at)}`;
}
