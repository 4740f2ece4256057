/**
 * The `blobs` section: where blobs too large for the database are kept. Local files under the
 * data directory by default; an S3-compatible bucket (AWS S3, Ceph RGW, MinIO) for scale-out,
 * optionally with Object Lock retention in compliance mode for WORM storage.
 */
import { z } from 'zod';
import { secretField } from './secret.js';

const MIB = 1024 * 1024;

const localBlobs = z
  .object({ kind: z.literal('local') })
  .describe('Files under <dataDir>/blobs, written durably (fsync) before the rows that name them commit.');

const s3Blobs = z
  .object({
    kind: z.literal('s3'),
    endpoint: z
      .string()
      .url()
      .optional()
      .describe('Service URL, e.g. "http://127.0.0.1:7480" for Ceph RGW; absent for AWS S3 in `region`.'),
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a bucket name: 3-63 lower-case letters, digits, dots and dashes')
      .describe('Bucket that holds the blobs; create it first (with Object Lock enabled to use objectLock).'),
    region: z.string().min(1).default('us-east-1').describe('Region of the bucket (default us-east-1).'),
    forcePathStyle: z
      .boolean()
      .default(false)
      .describe('Put the bucket in the URL path (http://host/bucket/key), as most S3-compatible servers need.'),
    prefix: z
      .string()
      .regex(/^([^/].*\/)?$/, 'empty, or ending with "/" and not starting with one, e.g. "archive/"')
      .default('')
      .describe('Key prefix inside the bucket, e.g. "archive/" (default none).'),
    accessKeyId: secretField(z.string().min(1))
      .optional()
      .describe(
        'Access key id, or { "env": "NAME" }. With secretAccessKey; without both, the AWS default chain (AWS_ACCESS_KEY_ID, profile, instance role) is used.',
      ),
    secretAccessKey: secretField(z.string().min(1))
      .optional()
      .describe('Secret access key, or { "env": "NAME" } (recommended: keeps it out of the file). Secret.'),
    objectLock: z
      .object({
        mode: z
          .literal('compliance')
          .default('compliance')
          .describe('COMPLIANCE: nobody, not even the bucket owner, can delete or shorten it before it ends.'),
        days: z
          .number()
          .int()
          .min(1)
          .max(36_500)
          .describe('Days each object is kept from when it is written (e.g. 2557 for 7 years).'),
      })
      .optional()
      .describe(
        'WORM retention on every object written (S3 Object Lock); the bucket must have Object Lock enabled. Keep days at or below your shortest retention policy, or disposition leaves locked objects until they expire.',
      ),
    partSizeMiB: z
      .number()
      .int()
      .min(5)
      .max(5120)
      .default(16)
      .describe('Multipart part size in MiB (default 16): larger blobs are sent in parts, two at a time.'),
  })
  .superRefine((v, ctx) => {
    if ((v.accessKeyId === undefined) !== (v.secretAccessKey === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [v.accessKeyId === undefined ? 'accessKeyId' : 'secretAccessKey'],
        message: 'set both accessKeyId and secretAccessKey, or neither (to use the AWS default credential chain)',
      });
    }
  })
  .describe('An S3-compatible bucket (AWS SDK v3): multipart uploads, checksums on every write, verified reads.');

export const blobsSchema = z
  .discriminatedUnion('kind', [localBlobs, s3Blobs])
  .default({ kind: 'local' })
  .describe('Where blobs larger than 256 KiB are stored (default local files under dataDir).');

export type BlobsConfig = z.infer<typeof blobsSchema>;

/** The store's options from the loaded section. */
export function blobsOptions(cfg: BlobsConfig) {
  if (cfg.kind === 'local') return { kind: 'local' as const };
  return {
    kind: 's3' as const,
    bucket: cfg.bucket,
    region: cfg.region,
    forcePathStyle: cfg.forcePathStyle,
    prefix: cfg.prefix,
    partSize: cfg.partSizeMiB * MIB,
    queueSize: 2,
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    ...(cfg.accessKeyId ? { accessKeyId: cfg.accessKeyId } : {}),
    ...(cfg.secretAccessKey ? { secretAccessKey: cfg.secretAccessKey } : {}),
    ...(cfg.objectLock ? { objectLock: { mode: 'compliance' as const, days: cfg.objectLock.days } } : {}),
  };
}

/** What `openStore` needs from a loaded configuration. */
export function storeOptionsOf(cfg: { blobs: BlobsConfig }): { blobs: ReturnType<typeof blobsOptions> } {
  return { blobs: blobsOptions(cfg.blobs) };
}
