// The BlobStore contract on local disk (the same suite runs against S3 in test/blob-store-s3.test.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
