// The BlobStore contract on local disk (the same suite runs against S3 in test/blob-store-s3.test.ts).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { blobStoreContract } from '../../../test/helpers/blob-store-contract.js';
import { LocalBlobStore } from './local-store.js';

let root = '';
blobStoreContract(
  'local disk',
  async () => {
    root = await mkdtemp(join(tmpdir(), 'wxa-local-blobs-'));
    const store = new LocalBlobStore(root);
    return {
      store,
      partSize: 0,
      tamper: (sha256, bytes) => writeFile(store.files.pathOf(sha256), bytes),
    };
  },
  () => rm(root, { recursive: true, force: true }),
);

describe('a blob read by plain system calls (chunksSync)', () => {
  it('gives the bytes in chunks that fill the buffer but for the last, and names a missing blob', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wxa-local-chunks-'));
    try {
      const store = new LocalBlobStore(dir);
      for (const size of [0, 1, 56, 57, 114, 1000, 1001]) {
        const bytes = randomBytes(size);
        const { sha256 } = await store.put(bytes);
        // each chunk is a view of the one buffer: copied before the next is read
        const chunks: Buffer[] = [];
        for (const c of store.chunksSync(sha256, Buffer.alloc(57))) chunks.push(Buffer.from(c));
        expect(Buffer.concat(chunks).equals(bytes), `${size} bytes`).toBe(true);
        expect(chunks.slice(0, -1).every((c) => c.length === 57)).toBe(true);
        expect(chunks.every((c) => c.length > 0)).toBe(true);
      }
      const err = (() => {
        try {
          return store.chunksSync('f'.repeat(64), Buffer.alloc(57)).next();
        } catch (e) {
          return e;
        }
      })();
      expect(isArchiverError(err, 'WXA_BLOB_MISSING')).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
