/**
 * Where `migrate-store --blobs s3://BUCKET/PREFIX/` puts the blob files: the bucket and prefix
 * come from the URL; how to reach the service (endpoint, region, path style, credentials,
 * Object Lock, part size) from the configuration's `blobs` section when it is an S3 one (the
 * configuration the migrated deployment will run with), or else from the AWS SDK's own
 * environment variables (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION,
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), as every S3 tool reads them.
 */
import type { BlobsConfig } from '../../config/blobs.js';
import { blobsOptions } from '../../config/blobs.js';
import { ArchiverError } from '../../core/errors.js';
import type { BlobsOptions } from '../../store/index.js';

const MIB = 1024 * 1024;

export function parseBlobsUrl(url: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m)
    throw new ArchiverError(
      'WXA_MIGRATE_BLOBS_URL',
      `--blobs "${url}" is not an S3 URL; give s3://BUCKET/ or s3://BUCKET/PREFIX/ (bucket: 3-63 lower-case letters, digits, dots and dashes)`,
    );
  const raw = m[2] ?? '';
  const prefix = raw === '' || raw.endsWith('/') ? raw : `${raw}/`;
  if (prefix.startsWith('/'))
    throw new ArchiverError('WXA_MIGRATE_BLOBS_URL', `--blobs "${url}": the prefix must not start with "/"`);
  return { bucket: m[1]!, prefix };
}

/** The S3 store's options for `--blobs URL`, from the configuration's S3 section or the environment. */
export function blobTargetOptions(
  url: string,
  configured: BlobsConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BlobsOptions {
  const { bucket, prefix } = parseBlobsUrl(url);
  if (configured?.kind === 's3') {
    const o = blobsOptions(configured);
    if (o.kind === 's3') return { ...o, bucket, prefix };
  }
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    kind: 's3',
    bucket,
    prefix,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // A service of one's own (Ceph RGW, MinIO) is named by endpoint and wants the bucket in the path.
    forcePathStyle: endpoint !== undefined,
    partSize: 16 * MIB,
    queueSize: 2,
    ...(endpoint ? { endpoint } : {}),
    ...(accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : {}),
  };
}
