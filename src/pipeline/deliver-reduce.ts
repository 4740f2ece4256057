/**
 * Partial copies: when a destination refuses an item as too large, or refuses some of its
 * attachments, the delivery stage sends a copy without them (each replaced by a note) rather
 * than nothing; the full item stays in the embedded archive.
 */
import { omittedLine, partialReason } from '../destinations/omission.js';
import {
  DestinationError,
  type DeliverHints,
  type DeliveryOutcome,
  type Destination,
  type OmitReason,
  type OmittedAttachment,
  type RenderedItem,
} from '../destinations/types.js';
import { sha256Hex } from '../store/index.js';
import type { DeliverOptions } from './deliver.js';

/**
 * Delivers the item; when the destination refuses it as too large, or refuses some of its
 * attachments (a blocked file type), sends a copy without those attachments instead (each
 * replaced by a note with name, size, SHA-256 and why), counted as partial. The full item
 * stays in the embedded archive: nothing is dropped.
 */
export async function deliverOrReduce(
  destination: Destination,
  item: RenderedItem,
  mailbox: string,
  opts: Pick<DeliverOptions, 'rerender'>,
  hints: DeliverHints = {},
): Promise<DeliveryOutcome> {
  try {
    return await destination.deliver(item, mailbox, hints);
  } catch (err) {
    return reduceAfter(err, destination, item, mailbox, opts, hints);
  }
}

/**
 * After `err` refused the item: when it says the item is too large or names refused
 * attachments, sends the copy without them; otherwise (or without a way to render one)
 * throws `err` again.
 */
export async function reduceAfter(
  err: unknown,
  destination: Destination,
  item: RenderedItem,
  mailbox: string,
  opts: Pick<DeliverOptions, 'rerender'>,
  hints: DeliverHints = {},
): Promise<DeliveryOutcome> {
  const big = err instanceof DestinationError ? err.tooLarge : undefined;
  const refused = err instanceof DestinationError ? (err.refused ?? []) : [];
  if ((!big && refused.length === 0) || !opts.rerender) throw err;
  const why = new Map<number, OmitReason>(refused.map((r) => [r.index, r.reason]));
  // The limit defaults to half the refused size when the server gave none.
  const limit = big ? (big.limit ?? Math.floor(big.size / 2)) : undefined;
  if (big && limit !== undefined) {
    // Leave out the largest attachments until the estimate (base64 grows by 4/3) fits, with
    // a margin for the notes; files already left out for their type count as gone.
    let estimate = big.size;
    for (const i of why.keys()) estimate -= encodedSize(item.attachments[i]?.bytes?.length ?? 0);
    const sizes = item.attachments.map((a, i) => ({ i, size: a.bytes?.length ?? 0 }));
    sizes.sort((a, b) => b.size - a.size);
    for (const a of sizes) {
      if (estimate <= limit * 0.95 || a.size === 0) break;
      if (why.has(a.i)) continue;
      why.set(a.i, 'too-large');
      estimate -= encodedSize(a.size);
    }
  }
  if (why.size === 0) throw err;
  const omitted: OmittedAttachment[] = [...why.entries()]
    .sort(([a], [b]) => a - b)
    .map(([i, reason]) => {
      const bytes = item.attachments[i]?.bytes ?? Buffer.alloc(0);
      return {
        name: item.attachments[i]?.ref.filename ?? `attachment-${i + 1}`,
        size: bytes.length,
        sha256: sha256Hex(bytes),
        reason,
      };
    });
  const lineOf = new Map([...why.keys()].sort((a, b) => a - b).map((i, n) => [i, omitted[n]!]));
  const note = (i: number) => {
    const o = lineOf.get(i);
    return o ? `left out of this copy (the full file is in the archive): ${omittedLine(o, limit)}` : '';
  };
  const reduced: RenderedItem = { ...item, mime: opts.rerender(item, new Set(why.keys()), note) };
  // The refused copy was not stored: the reduced one is in no more doubt than it was.
  const outcome = await destination.deliver(reduced, mailbox, hints);
  return {
    status: 'partial',
    reason: partialReason(omitted, limit),
    omitted,
    ...(outcome.remoteId ? { remoteId: outcome.remoteId } : {}),
  };
}

/** Bytes of a file once base64-encoded in MIME (76-character lines). */
function encodedSize(n: number): number {
  return Math.ceil((n * 4) / 3) + Math.ceil(n / 57) * 2;
}
