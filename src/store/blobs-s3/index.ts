/** The S3-compatible blob store: its options, client and implementation of the BlobStore seam. */
export { createS3Client, S3BlobStore } from './s3-store.js';
export { S3_DEFAULTS, type S3BlobStoreOptions } from './options.js';
export { multipartEtag, partSizeFor } from './multipart.js';
