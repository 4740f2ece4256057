/**
 * The words of a partial copy: why each attachment left out of a mailbox copy was left out
 * (too large for the mailbox, or a file type the service refuses), said the same way in the
 * note inside the copy, in the delivery's recorded reason and in reports. The archive always
 * keeps the full item; the note's SHA-256 matches the archived file to the copy.
 */
import type { OmitReason, OmittedAttachment } from './types.js';

export function formatBytes(n: number): string {
  const mib = n / (1024 * 1024);
  return `${mib >= 10 ? mib.toFixed(0) : mib.toFixed(1)} MB (${n.toLocaleString('en-US')} bytes)`;
}

/** Why, in a few words, for one attachment (English; the console translates the reason code). */
export function omitReasonText(reason: OmitReason, limitBytes?: number): string {
  if (reason === 'blocked-type') return 'a file type this mail service refuses (blocked attachment type)';
  return limitBytes === undefined
    ? 'too large for this mailbox'
    : `too large: the message would exceed the ${formatBytes(limitBytes)} this mailbox accepts`;
}

/** One line per attachment: name, size, SHA-256 and why. */
export function omittedLine(o: OmittedAttachment, limitBytes?: number): string {
  return `${o.name}: ${formatBytes(o.size)}, SHA-256 ${o.sha256}; left out: ${omitReasonText(o.reason, limitBytes)}`;
}

/** The outcome reason recorded with a partial delivery. */
export function partialReason(omitted: readonly OmittedAttachment[], limitBytes?: number): string {
  const list = omitted.map((o) => omittedLine(o, limitBytes)).join('; ');
  return `${omitted.length} attachment(s) replaced by a note in this copy, the full files are in the archive: ${list}`;
}
