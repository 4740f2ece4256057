/**
 * Turns an AWS SDK failure into the archive's error codes, classified by what the service said
 * (its error code), not by the HTTP status alone: a missing key is a missing blob, a missing
 * bucket is configuration, refused credentials are auth, and the rest (network, 5xx, SlowDown)
 * is transient and retried by the caller's next attempt.
 */
import { ArchiverError } from '../../core/errors.js';

interface SdkError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const AUTH_CODES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'InvalidToken',
  'ExpiredToken',
  'AuthorizationHeaderMalformed',
  'CredentialsProviderError',
]);

export function s3ErrorCode(err: unknown): string {
  const e = err as SdkError;
  return e?.Code ?? e?.name ?? 'Error';
}

export function httpStatus(err: unknown): number | undefined {
  return (err as SdkError)?.$metadata?.httpStatusCode;
}

export function isNotFound(err: unknown): boolean {
  const code = s3ErrorCode(err);
  return code === 'NoSuchKey' || code === 'NotFound' || (httpStatus(err) === 404 && code !== 'NoSuchBucket');
}

/** An ArchiverError naming the operation, the object and what to do. */
export function fromS3Error(err: unknown, what: string, where: string): ArchiverError {
  if (err instanceof ArchiverError) return err;
  const code = s3ErrorCode(err);
  const said = `${code}${(err as SdkError)?.message ? `: ${(err as SdkError).message}` : ''}`;
  if (code === 'NoSuchBucket') {
    return new ArchiverError(
      'WXA_BLOB_STORE_CONFIG',
      `${what}: the bucket of ${where} does not exist; create it (with Object Lock if blobs.objectLock is set) or fix blobs.bucket`,
      { cause: err },
    );
  }
  if (AUTH_CODES.has(code) || httpStatus(err) === 401 || httpStatus(err) === 403) {
    return new ArchiverError(
      'WXA_BLOB_STORE_AUTH',
      `${what}: ${where} refused the credentials (${said}); check blobs.accessKeyId, blobs.secretAccessKey and the bucket policy`,
      { cause: err },
    );
  }
  return new ArchiverError(
    'WXA_BLOB_STORE_UNAVAILABLE',
    `${what}: ${where} failed (${said}); the next attempt retries`,
    {
      cause: err,
    },
  );
}
