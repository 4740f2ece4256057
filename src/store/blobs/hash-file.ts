/**
 * SHA-256 of a local file read in large pieces (as fast as `sha256sum`, measured in
 * bench/verify.bench.ts), optionally with the MD5 of each fixed-size part: the S3 store checks
 * a multipart upload's ETag against those.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

const READ_BYTES = 1 << 20;

export interface FileHashes {
  sha256: string;
  size: number;
  /** MD5 of each `partSize` piece, when asked for */
  partMd5s: Buffer[];
}

export async function hashLocalFile(path: string, partSize?: number): Promise<FileHashes> {
  const sha = createHash('sha256');
  const partMd5s: Buffer[] = [];
  let part = partSize ? createHash('md5') : null;
  let inPart = 0;
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_BYTES })) {
    const buf = chunk as Buffer;
    sha.update(buf);
    size += buf.length;
    if (!part || !partSize) continue;
    // Split the read at part boundaries: parts are a fixed size whatever the read size.
    let o = 0;
    while (o < buf.length) {
      const take = Math.min(partSize - inPart, buf.length - o);
      part.update(buf.subarray(o, o + take));
      inPart += take;
      o += take;
      if (inPart === partSize) {
        partMd5s.push(part.digest());
        part = createHash('md5');
        inPart = 0;
      }
    }
  }
  if (part && inPart > 0) partMd5s.push(part.digest());
  return { sha256: sha.digest('hex'), size, partMd5s };
}
