/**
 * What the S3-compatible blob store needs to know: the same fields as the configuration's
 * `blobs` section when its kind is "s3" (config/blobs.ts), with the secrets already read
 * from the environment.
 */
export interface S3BlobStoreOptions {
  /** service URL, e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:7480; absent for AWS's default */
  endpoint?: string;
  bucket: string;
  region: string;
  /** bucket in the path (http://host/bucket/key), as most S3-compatible servers want */
  forcePathStyle: boolean;
  /** key prefix inside the bucket, e.g. "archive/" */
  prefix: string;
  /** both or neither: without them the AWS SDK's default chain (environment, profile, instance role) is used */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** WORM retention set on every object written (S3 Object Lock in compliance mode) */
  objectLock?: { mode: 'compliance'; days: number };
  /** multipart part size in bytes; files larger than one part are sent in parts */
  partSize: number;
  /** parts in flight at once (memory is about queueSize x partSize) */
  queueSize: number;
}

export const S3_DEFAULTS = {
  region: 'us-east-1',
  forcePathStyle: false,
  prefix: '',
  partSize: 16 * 1024 * 1024,
  queueSize: 2,
} as const;

/** S3's limits on multipart uploads: parts of at least 5 MiB, at most 10,000 of them. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;
