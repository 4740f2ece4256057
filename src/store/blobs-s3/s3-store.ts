/**
 * The S3-compatible blob store (AWS S3, Ceph RGW, MinIO and the like) through the AWS SDK v3.
 * Objects are named `<prefix><sha256>`. Every write carries Content-MD5, which every S3
 * implementation checks, and x-amz-checksum-sha256, which AWS checks (Ceph RGW 16, tested here,
 * ignores it); every read is re-hashed here. With `objectLock` set, each object is written
 * under COMPLIANCE retention for that many days, and a blob stored again has its retention
 * extended rather than a second copy written.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectRetentionCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { ArchiverError } from '../../core/errors.js';
import { sha256Hex } from '../blobs/local.js';
import { isSha256Hex, type BlobRef, type BlobStat, type BlobStore } from '../blobs/types.js';
import { corruptMessage, verifiedStream } from '../blobs/verified-stream.js';
import { deleteAllVersions } from './delete.js';
import { fromS3Error, isNotFound, s3ErrorCode } from './errors.js';
import { uploadFileInParts } from './multipart.js';
import type { S3BlobStoreOptions } from './options.js';

const DAY_MS = 86_400_000;
/** An existing object's retention is extended only when it ends more than this before the wanted date. */
const EXTEND_SLACK_MS = DAY_MS;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly client: S3Client;
  private lockChecked: Promise<void> | undefined;

  constructor(
    readonly options: S3BlobStoreOptions,
    client?: S3Client,
  ) {
    this.location = `s3://${options.bucket}/${options.prefix}`;
    this.client = client ?? createS3Client(options);
  }

  key(sha256: string): string {
    return `${this.options.prefix}${sha256}`;
  }

  async put(bytes: Buffer): Promise<BlobRef> {
    const sha256 = sha256Hex(bytes);
    const ref = { sha256, size: bytes.length };
    if (await this.keepExisting(sha256)) return ref;
    if (bytes.length > this.options.partSize) {
      await this.guarded('put', sha256, () => uploadFileInParts(this, { bytes }, ref, this.lockParams()));
      return ref;
    }
    await this.putSmall(bytes, sha256);
    return ref;
  }

  async putFile(path: string, ref: BlobRef): Promise<void> {
    if (await this.keepExisting(ref.sha256)) return;
    if (ref.size > this.options.partSize) {
      await this.guarded('put', ref.sha256, () => uploadFileInParts(this, { path }, ref, this.lockParams()));
      return;
    }
    const bytes = await readFile(path);
    if (sha256Hex(bytes) !== ref.sha256) {
      throw new ArchiverError(
        'WXA_BLOB_CORRUPT',
        `${path} does not hash to ${ref.sha256}; it was changed while stored`,
      );
    }
    await this.putSmall(bytes, ref.sha256);
  }

  private async putSmall(bytes: Buffer, sha256: string): Promise<void> {
    const input: PutObjectCommandInput = {
      Bucket: this.options.bucket,
      Key: this.key(sha256),
      Body: bytes,
      ContentLength: bytes.length,
      ContentType: 'application/octet-stream',
      ContentMD5: createHash('md5').update(bytes).digest('base64'),
      ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      ...this.lockParams(),
    };
    await this.guarded('put', sha256, () => this.client.send(new PutObjectCommand(input)));
  }

  async get(sha256: string): Promise<Buffer> {
    const res = await this.getObject(sha256);
    // The body arrives after the headers: a connection lost meanwhile is a transient failure too.
    const bytes = await this.guarded('reading', sha256, async () =>
      Buffer.from(await res.Body!.transformToByteArray()),
    );
    if (sha256Hex(bytes) !== sha256) throw new ArchiverError('WXA_BLOB_CORRUPT', corruptMessage(sha256, this.location));
    return bytes;
  }

  async stream(sha256: string): Promise<Readable> {
    const res = await this.getObject(sha256);
    // In Node the SDK's body is an http.IncomingMessage, a Readable.
    return verifiedStream(res.Body as Readable, sha256, this.location);
  }

  private async getObject(sha256: string) {
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(sha256) }));
    } catch (err) {
      if (isNotFound(err)) throw this.missing(sha256, err);
      throw fromS3Error(err, `reading blob ${sha256}`, this.location);
    }
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async stat(sha256: string): Promise<BlobStat | null> {
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(sha256) }));
      return {
        size: Number(h.ContentLength ?? 0),
        ...(h.ObjectLockRetainUntilDate ? { retainUntil: new Date(h.ObjectLockRetainUntilDate) } : {}),
      };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw fromS3Error(err, `looking up blob ${sha256}`, this.location);
    }
  }

  delete(sha256: string): Promise<void> {
    return deleteAllVersions(this, sha256);
  }

  async *list(after = ''): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.guarded('list', after, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.options.bucket,
            Prefix: this.options.prefix,
            ...(token ? { ContinuationToken: token } : { StartAfter: this.key(after) }),
          }),
        ),
      );
      for (const o of page.Contents ?? []) {
        const name = o.Key!.slice(this.options.prefix.length);
        if (isSha256Hex(name) && name > after) yield name;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * True when the blob is already stored (nothing to write). Under Object Lock its retention
   * is extended to what a new write would get, so a blob shared by a newer item lives as long.
   */
  private async keepExisting(sha256: string): Promise<boolean> {
    await this.checkLockOnce();
    const st = await this.stat(sha256);
    if (!st) return false;
    const want = this.retainUntil();
    if (want && (!st.retainUntil || st.retainUntil.getTime() < want.getTime() - EXTEND_SLACK_MS)) {
      await this.guarded('extend retention of', sha256, () =>
        this.client.send(
          new PutObjectRetentionCommand({
            Bucket: this.options.bucket,
            Key: this.key(sha256),
            Retention: { Mode: 'COMPLIANCE', RetainUntilDate: want },
          }),
        ),
      );
    }
    return true;
  }

  private retainUntil(): Date | undefined {
    const lock = this.options.objectLock;
    return lock ? new Date(Date.now() + lock.days * DAY_MS) : undefined;
  }

  lockParams(): Pick<PutObjectCommandInput, 'ObjectLockMode' | 'ObjectLockRetainUntilDate'> {
    const until = this.retainUntil();
    return until ? { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until } : {};
  }

  /** Before the first write with objectLock set: the bucket must have Object Lock enabled. */
  private checkLockOnce(): Promise<void> {
    if (!this.options.objectLock) return Promise.resolve();
    this.lockChecked ??= this.checkLock().catch((err: unknown) => {
      this.lockChecked = undefined;
      throw err;
    });
    return this.lockChecked;
  }

  private async checkLock(): Promise<void> {
    let enabled = false;
    try {
      const res = await this.client.send(new GetObjectLockConfigurationCommand({ Bucket: this.options.bucket }));
      enabled = res.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled';
    } catch (err) {
      if (s3ErrorCode(err) !== 'ObjectLockConfigurationNotFoundError') {
        throw fromS3Error(err, 'checking Object Lock', this.location);
      }
    }
    if (!enabled) {
      throw new ArchiverError(
        'WXA_BLOB_STORE_CONFIG',
        `blobs.objectLock is set but bucket ${this.options.bucket} has no Object Lock; create the bucket with Object Lock enabled, or remove blobs.objectLock`,
      );
    }
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  missing(sha256: string, cause?: unknown): ArchiverError {
    return new ArchiverError('WXA_BLOB_MISSING', `blob ${sha256} is not in ${this.location}`, { cause });
  }

  /** Runs an SDK call, turning its failure into the archive's error codes. */
  async guarded<T>(verb: string, sha256: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw fromS3Error(err, `${verb} blob ${sha256}`, this.location);
    }
  }
}

/** An S3 client for these options; checksums are sent only where this code sets them (see module header). */
export function createS3Client(o: S3BlobStoreOptions): S3Client {
  // The SDK warns on every Node 20 process that its releases after January 2027 need Node 22;
  // this version supports Node 20 (engines >=20), and the warning would reach every CLI user.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new S3Client({
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.accessKeyId && o.secretAccessKey
      ? { credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } }
      : {}),
    // 'WHEN_SUPPORTED' (the SDK's default) streams CRC32 trailers that many S3-compatible
    // servers reject; the explicit Content-MD5 and SHA-256 headers above are understood by all.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 300_000 },
    maxAttempts: 4,
  });
}
