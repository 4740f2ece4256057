/**
 * The SHA-256 and size of a message assembled from its parts, computed as a stream: a large
 * attachment is streamed from the blob store (verified as it streams) and encoded in pieces of
 * whole base64 lines (57 input bytes make one 76-character line), so the hash equals that of the
 * assembled bytes without ever holding them. Used to address a message kept as a skeleton over
 * its media.
 */
import { createHash } from 'node:crypto';
import { base64Lines } from '../core/base64-lines.js';
import type { MimeParts } from '../render/index.js';
import type { Store } from '../store/index.js';
import type { FetchedMedia } from '../sources/types.js';

export async function hashAssembled(
  parts: MimeParts,
  media: (i: number) => FetchedMedia,
  store: Store,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const add = (b: Buffer) => {
    hash.update(b);
    size += b.length;
  };
  for (const c of parts.chunks) {
    if (typeof c !== 'number') {
      add(c);
      continue;
    }
    const m = media(c);
    if (m.bytes) {
      add(base64Lines(m.bytes));
      continue;
    }
    // Encode only whole lines' worth; carry the rest into the next piece.
    let carry: Buffer = Buffer.alloc(0);
    for await (const piece of await store.blobs.stream(m.blob!.sha256)) {
      const data = carry.length ? Buffer.concat([carry, piece as Buffer]) : (piece as Buffer);
      const whole = data.length - (data.length % 57);
      if (whole > 0) add(base64Lines(data.subarray(0, whole)));
      carry = data.subarray(whole);
    }
    if (carry.length) add(base64Lines(carry));
  }
  return { sha256: hash.digest('hex'), size };
}
