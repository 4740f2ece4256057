/**
 * An archived message's bytes on their way out of an export, from the pieces the store reads a
 * batch at a time: written to a file piece by piece (media kept in the object store streamed
 * through, never held whole), or joined for the formats that need the whole message (mbox,
 * RSMF, PDF). Either way the bytes are hashed as they pass and checked against the message's
 * SHA-256; a file whose bytes fail the check is removed, so no export names altered bytes.
 */
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { base64LinesOf } from '../../core/base64-lines.js';
import { MessageHash, type BlobStore, type StoredMessage } from '../../store/index.js';
import { writeAllSync } from './write-util.js';

/** The message's header block is in its first piece (a stored skeleton starts with its headers). */
export function headPiece(msg: StoredMessage): Buffer {
  const first = msg.pieces[0];
  return Buffer.isBuffer(first) ? first : Buffer.alloc(0);
}

/**
 * A message held whole in its pieces (no medium to stream), checked against its SHA-256: ready
 * to be written as it is. Undefined when a piece must be streamed (see writeMessageFile).
 */
export function checkedPieces(msg: StoredMessage): Buffer[] | undefined {
  if (!msg.pieces.every((p) => Buffer.isBuffer(p))) return undefined;
  const pieces = msg.pieces as Buffer[];
  const hash = new MessageHash(msg.sha256);
  for (const p of pieces) hash.update(p);
  hash.check();
  return pieces;
}

/**
 * Writes the message to `path` (created or replaced) and checks its hash. Plain system calls:
 * for the small files most messages are, a call through the thread pool costs more than the
 * write itself. The file is not fsynced here: the caller makes a batch durable at once.
 */
export async function writeMessageFile(path: string, msg: StoredMessage, objects: BlobStore): Promise<void> {
  const hash = new MessageHash(msg.sha256);
  const fd = openSync(path, 'w');
  try {
    for (const p of msg.pieces) {
      if (Buffer.isBuffer(p)) {
        hash.update(p);
        writeAllSync(fd, p);
      } else
        for await (const chunk of base64LinesOf(await objects.stream(p.object))) {
          hash.update(chunk);
          writeAllSync(fd, chunk);
        }
    }
    hash.check();
  } catch (err) {
    closeSync(fd);
    unlinkSync(path);
    throw err;
  }
  closeSync(fd);
}

/** The whole message as one buffer, checked against its SHA-256. */
export async function messageBytes(msg: StoredMessage, objects: BlobStore): Promise<Buffer> {
  const hash = new MessageHash(msg.sha256);
  const parts: Buffer[] = [];
  for (const p of msg.pieces) {
    if (Buffer.isBuffer(p)) parts.push(p);
    else for await (const chunk of base64LinesOf(await objects.stream(p.object))) parts.push(chunk);
  }
  for (const p of parts) hash.update(p);
  hash.check();
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
