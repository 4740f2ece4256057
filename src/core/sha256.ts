/**
 * The SHA-256 of some bytes in hex, the name of every stored blob. Its own module, importing
 * Node's crypto alone, so that the prepare threads hash MIME bytes without loading the store
 * (and its query builder) into each thread's heap.
 */
import { createHash, hash } from 'node:crypto';

export function sha256Hex(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The SHA-256 (lower-case hex) of an item's model JSON, over its UTF-8 bytes: what version 2 of
 * the item's ingest digest covers in place of the model text (store/ingest-digest.ts). The
 * prepare threads compute it where they make the JSON, so the serial commit does not hash the
 * largest field of every item.
 */
export function modelSha256(modelJson: string): string {
  return hash('sha256', modelJson, 'hex');
}
