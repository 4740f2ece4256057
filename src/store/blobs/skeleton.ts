/**
 * A stored message skeleton: the message's literal byte runs, with each attachment body replaced
 * by the SHA-256 of the media blob it encodes (base64 in 76-character lines). The media is then
 * stored once however many messages carry it, and the message is rebuilt byte for byte on read.
 *
 * Format: "WXS1", then segments: 0x00, u32 big-endian length, bytes | 0x01, 32-byte SHA-256.
 */
import { ArchiverError } from '../../core/errors.js';

const MAGIC = Buffer.from('WXS1', 'latin1');

/** A literal run, or the hex SHA-256 of a media blob whose base64 lines stand there. */
export type SkeletonPart = Buffer | { media: string };

export function encodeSkeleton(parts: SkeletonPart[]): Buffer {
  const out: Buffer[] = [MAGIC];
  for (const p of parts) {
    if (Buffer.isBuffer(p)) {
      const head = Buffer.allocUnsafe(5);
      head[0] = 0;
      head.writeUInt32BE(p.length, 1);
      out.push(head, p);
    } else {
      out.push(Buffer.from([1]), Buffer.from(p.media, 'hex'));
    }
  }
  return Buffer.concat(out);
}

export function decodeSkeleton(buf: Buffer, sha256: string): SkeletonPart[] {
  const bad = () => new ArchiverError('WXA_BLOB_CORRUPT', `stored message skeleton ${sha256} is damaged`);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC)) throw bad();
  const parts: SkeletonPart[] = [];
  let o = 4;
  while (o < buf.length) {
    const type = buf[o];
    if (type === 0 && o + 5 <= buf.length) {
      const len = buf.readUInt32BE(o + 1);
      if (o + 5 + len > buf.length) throw bad();
      parts.push(buf.subarray(o + 5, o + 5 + len));
      o += 5 + len;
    } else if (type === 1 && o + 33 <= buf.length) {
      parts.push({ media: buf.subarray(o + 1, o + 33).toString('hex') });
      o += 33;
    } else throw bad();
  }
  return parts;
}
