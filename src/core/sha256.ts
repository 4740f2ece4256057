/**
 * The SHA-256 of some bytes in hex, the name of every stored blob. Its own module, importing
 * Node's crypto alone, so that the prepare threads hash MIME bytes without loading the store
 * (and its query builder) into each thread's heap.
 */
import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
