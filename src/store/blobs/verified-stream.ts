/**
 * A blob's bytes passed through unchanged while they are hashed: when the source ends, the
 * stream fails with WXA_BLOB_CORRUPT if the bytes do not hash to the blob's name. Both blob
 * stores use it, so a reader of a large blob gets the same guarantee as `get`.
 */
import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import { ArchiverError } from '../../core/errors.js';

export function verifiedStream(source: Readable, sha256: string, where: string): Readable {
  const hash = createHash('sha256');
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (hash.digest('hex') === sha256) done();
      else done(new ArchiverError('WXA_BLOB_CORRUPT', corruptMessage(sha256, where)));
    },
  });
  // pipeline() forwards a source error to `check` and destroys the source if the reader stops.
  return pipeline(source, check, () => undefined);
}

export function corruptMessage(sha256: string, where: string): string {
  return `blob ${sha256} in ${where} does not match its SHA-256; restore it from a copy`;
}
