/**
 * An archived message's bytes on their way out of an export, from the pieces the store reads a
 * batch at a time: written to a file piece by piece (media kept in the object store read through,
 * never held whole), or joined for the formats that need the whole message (mbox, RSMF, PDF).
 * Either way the bytes are hashed as they pass and checked against the message's SHA-256; a file
 * whose bytes fail the check is removed, so no export names altered bytes.
 */
import { closeSync, openSync, unlinkSync } from 'node:fs';
import { base64LinesInto, base64LinesLength, base64LinesOf, LINE_BYTES } from '../../core/base64-lines.js';
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
 * A medium's bytes read at once from local disk: whole lines (57 bytes each), about 1 MB. One
 * buffer per thread for the bytes and one for their base64 lines, reused for every medium; each
 * chunk is encoded and handed on before the next is read.
 */
export const CHUNK_BYTES = LINE_BYTES * 18_396;
let chunkBuffer: Buffer | undefined;
let linesBuffer: Buffer | undefined;

/**
 * Hands `use` each block of a medium's base64 lines, in order; a block is valid only until `use`
 * returns (a caller that keeps it copies it). From local disk the medium is read by plain system
 * calls into one reused buffer and encoded a chunk at a time into another, without a turn of the
 * event loop: streaming it cost a thread-pool hand-off per read, a second SHA-256 of the medium,
 * and the copy and mapping of each 1 MB chunk (measured on 306 messages carrying a 0.7-1.6 MB
 * medium: 4.1-4.3 s of CPU streamed, 1.6-1.7 s read here); encoded into a new buffer of 1,024
 * lines at a time, the lines of 100,000 items' media were 1.1 GB of buffers for the collector to
 * count and free. The message's hash, which covers these lines, is the check. A bucket's medium
 * is streamed (and checked as it comes).
 */
async function eachMediumBlock(objects: BlobStore, sha256: string, use: (block: Buffer) => void): Promise<void> {
  if (objects.chunksSync) {
    chunkBuffer ??= Buffer.allocUnsafe(CHUNK_BYTES);
    linesBuffer ??= Buffer.allocUnsafe(base64LinesLength(CHUNK_BYTES));
    for (const chunk of objects.chunksSync(sha256, chunkBuffer))
      use(linesBuffer.subarray(0, base64LinesInto(chunk, linesBuffer)));
    return;
  }
  for await (const b of base64LinesOf(await objects.stream(sha256))) use(b);
}

/**
 * Checks the message's hash. When it fails and a medium was read unchecked (from local disk),
 * each medium is read again through the store's own check, so the error names the damaged medium
 * where that is what changed, not only the message.
 */
async function checkMessage(hash: MessageHash, msg: StoredMessage, objects: BlobStore): Promise<void> {
  try {
    hash.check();
  } catch (err) {
    if (objects.chunksSync) for (const p of msg.pieces) if (!Buffer.isBuffer(p)) await objects.get(p.object);
    throw err;
  }
}

/**
 * Writes the message to `path` (created or replaced) and checks its hash. Plain system calls:
 * for the small files most messages are, a call through the thread pool costs more than the
 * write itself. The file is not fsynced here: the caller makes a batch durable at once.
 */
export async function writeMessageFile(path: string, msg: StoredMessage, objects: BlobStore): Promise<void> {
  const hash = new MessageHash(msg.sha256);
  const fd = openSync(path, 'w');
  const write = (b: Buffer) => {
    hash.update(b);
    writeAllSync(fd, b);
  };
  try {
    for (const p of msg.pieces) {
      if (Buffer.isBuffer(p)) write(p);
      else await eachMediumBlock(objects, p.object, write);
    }
    await checkMessage(hash, msg, objects);
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
    else await eachMediumBlock(objects, p.object, (b) => parts.push(Buffer.from(b)));
  }
  for (const p of parts) hash.update(p);
  await checkMessage(hash, msg, objects);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
