// The S3-compatible blob store against a real S3 service, Debian's Ceph radosgw on a throw-away
// single-node cluster: the shared BlobStore contract (the same suite as local disk), then what
// only S3 has: multipart ETags, Object Lock retention in compliance mode, versioned deletion,
// errors that name what to fix, and a whole archive (run, verify, backup, restore) on a bucket.
import { createHash, randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { isArchiverError } from '../src/core/errors.js';
import { ArchiveBlobs, LocalBlobFiles, sha256Hex } from '../src/store/blobs/index.js';
import { deleteEntries, openStore } from '../src/store/index.js';
import {
  createS3Client,
  multipartEtag,
  S3_DEFAULTS,
  S3BlobStore,
  type S3BlobStoreOptions,
} from '../src/store/blobs-s3/index.js';
import { blobStoreContract } from './helpers/blob-store-contract.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { freePort } from './helpers/dovecot.js';
import { radosgwInstalled, startRadosgw, type Radosgw } from './helpers/radosgw.js';

const PART = 5 * 1024 * 1024;
let rgw: Radosgw | undefined;
let started: Promise<Radosgw> | undefined;
let bucketNo = 0;

/** One cluster for the whole file, started by whichever suite needs it first. */
function cluster(): Promise<Radosgw> {
  started ??= radosgwInstalled().then(async (yes) => {
    if (!yes) throw new Error('Ceph is not installed: apt-get install radosgw ceph-mon ceph-osd (as .ci/run does)');
    return (rgw = await startRadosgw());
  });
  return started;
}

function options(r: Radosgw, bucket: string, more: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions {
  return {
    ...S3_DEFAULTS,
    endpoint: r.endpoint,
    bucket,
    forcePathStyle: true,
    accessKeyId: r.accessKeyId,
    secretAccessKey: r.secretAccessKey,
    partSize: PART,
    ...more,
  };
}

async function newBucket(r: Radosgw, lock = false): Promise<string> {
  const bucket = `wxa-test-${process.pid}-${++bucketNo}`;
  const client = createS3Client(options(r, bucket));
  await client.send(new CreateBucketCommand({ Bucket: bucket, ...(lock ? { ObjectLockEnabledForBucket: true } : {}) }));
  return bucket;
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
}

blobStoreContract(
  'S3 (Ceph radosgw)',
  async () => {
    const r = await cluster();
    const store = new S3BlobStore(options(r, await newBucket(r), { prefix: 'archive/' }));
    return {
      store,
      partSize: PART,
      tamper: async (sha256, bytes) => {
        await store.client.send(
          new PutObjectCommand({ Bucket: store.options.bucket, Key: store.key(sha256), Body: bytes }),
        );
      },
    };
  },
  async () => undefined,
);

describe('S3 blob store on Ceph radosgw', () => {
  let r: Radosgw;
  beforeAll(async () => {
    r = await cluster();
  });

  it('starts a real cluster in reasonable time', () => {
    // Logged for the record of what the suite ran against; the bound is generous for a loaded CI machine.
    console.info(`radosgw ${r.version} answered after ${r.startMs} ms`);
    expect(r.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(r.startMs).toBeLessThan(90_000);
  });

  it('sends a large blob in parts whose ETag the service agrees with', async () => {
    const store = new S3BlobStore(options(r, await newBucket(r)));
    const bytes = randomBytes(PART * 2 + 777);
    const ref = await store.put(bytes);
    const head = await store.client.send(
      new HeadObjectCommand({ Bucket: store.options.bucket, Key: store.key(ref.sha256) }),
    );
    const parts = [0, PART, 2 * PART].map((o) =>
      createHash('md5')
        .update(bytes.subarray(o, o + PART))
        .digest(),
    );
    expect(head.ETag?.replace(/"/g, '')).toBe(multipartEtag(parts));
    expect(Number(head.ContentLength)).toBe(bytes.length);
  });

  it('writes under Object Lock in compliance mode: delete is refused until the date, a new write extends it', async () => {
    const bucket = await newBucket(r, true);
    const store = new S3BlobStore(options(r, bucket, { objectLock: { mode: 'compliance', days: 1 } }));
    const ref = await store.put(randomBytes(10_000));
    const st = await store.stat(ref.sha256);
    const day = 86_400_000;
    expect(st?.retainUntil).toBeInstanceOf(Date);
    expect(Math.abs(st!.retainUntil!.getTime() - (Date.now() + day))).toBeLessThan(60_000);
    const err = await errorOf(store.delete(ref.sha256));
    expect(isArchiverError(err, 'WXA_BLOB_LOCKED')).toBe(true);
    expect((err as Error).message).toContain(st!.retainUntil!.toISOString());
    expect(await store.exists(ref.sha256)).toBe(true);
    // The same bytes stored later (another item sharing the media) must live as long as it.
    const longer = new S3BlobStore(options(r, bucket, { objectLock: { mode: 'compliance', days: 3 } }));
    await longer.put(await store.get(ref.sha256));
    const st2 = await longer.stat(ref.sha256);
    expect(st2!.retainUntil!.getTime()).toBeGreaterThan(st!.retainUntil!.getTime() + day);
    const versions = await store.client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: store.key(ref.sha256) }),
    );
    expect(versions.Versions).toHaveLength(1); // extended in place, not written again
  });

  it('resumes a download staged on local disk and sends it to the bucket when complete', async () => {
    const staging = await tempDir('s3-staging');
    try {
      const blobs = new ArchiveBlobs(new S3BlobStore(options(r, await newBucket(r))), new LocalBlobFiles(staging.path));
      const bytes = randomBytes(3 * 512 * 1024 + 99);
      const first = await blobs.openPartial('media-x.part');
      await first.append(bytes.subarray(0, 512 * 1024));
      await first.append(bytes.subarray(512 * 1024, 1024 * 1024));
      // A crash here: the next run reopens at the recorded position and goes on. (A crash closes
      // the process's files; left open here, the handle was closed by garbage collection, with
      // Node's warning in the suite's output.)
      await first.close();
      const again = await blobs.openPartial('media-x.part', 1024 * 1024);
      expect(again.bytes).toBe(1024 * 1024);
      await again.append(bytes.subarray(1024 * 1024));
      const done = await again.complete();
      expect(done.sha256).toBe(sha256Hex(bytes));
      expect((await blobs.objects.get(done.sha256)).equals(bytes)).toBe(true);
      const left = await readdir(staging.path, { recursive: true, withFileTypes: true });
      expect(left.filter((e) => e.isFile()).map((e) => e.name)).toEqual([]);
    } finally {
      await staging.cleanup();
    }
  });

  it('refuses objectLock on a bucket without Object Lock, naming the field', async () => {
    const store = new S3BlobStore(options(r, await newBucket(r), { objectLock: { mode: 'compliance', days: 1 } }));
    const err = await errorOf(store.put(randomBytes(100)));
    expect(isArchiverError(err, 'WXA_BLOB_STORE_CONFIG')).toBe(true);
    expect((err as Error).message).toContain('blobs.objectLock');
  });

  it('deletes every version in a versioned bucket, not just the latest', async () => {
    const bucket = await newBucket(r);
    const store = new S3BlobStore(options(r, bucket));
    await store.client.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const bytes = randomBytes(5000);
    const ref = await store.put(bytes);
    await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: store.key(ref.sha256), Body: bytes }));
    await store.delete(ref.sha256);
    const left = await store.client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: store.key(ref.sha256) }),
    );
    expect([...(left.Versions ?? []), ...(left.DeleteMarkers ?? [])]).toEqual([]);
  });

  it('names what to fix: a missing bucket, refused credentials, an unreachable service', async () => {
    const missing = new S3BlobStore(options(r, 'no-such-bucket-here'));
    const e1 = await errorOf(missing.put(randomBytes(10)));
    expect(isArchiverError(e1, 'WXA_BLOB_STORE_CONFIG')).toBe(true);
    expect((e1 as Error).message).toContain('blobs.bucket');

    const bucket = await newBucket(r);
    const wrong = new S3BlobStore(options(r, bucket, { secretAccessKey: 'not-the-secret' }));
    const e2 = await errorOf(wrong.put(randomBytes(10)));
    expect(isArchiverError(e2, 'WXA_BLOB_STORE_AUTH')).toBe(true);
    expect((e2 as Error).message).toContain('blobs.secretAccessKey');

    const down = new S3BlobStore(options(r, bucket, { endpoint: `http://127.0.0.1:${await freePort()}` }));
    const e3 = await errorOf(down.get(sha256Hex(Buffer.from('x'))));
    expect(isArchiverError(e3, 'WXA_BLOB_STORE_UNAVAILABLE')).toBe(true);
    expect((e3 as { retryable?: boolean }).retryable).toBe(true);
  });
});

describe('an archive whose blobs are in S3 (Ceph radosgw, Object Lock)', () => {
  let r: Radosgw;
  let dir: { path: string; cleanup: () => Promise<void> };
  let config: string;
  let data: string;
  let bucket: string;
  const sandbox = () => join(dir.path, 'tenant');

  beforeAll(async () => {
    r = await cluster();
    dir = await tempDir('s3-archive');
    bucket = await newBucket(r, true);
    data = join(dir.path, 'data');
    config = join(dir.path, 'config.json');
    process.env.S3_TEST_ACCESS_KEY = r.accessKeyId;
    process.env.S3_TEST_SECRET_KEY = r.secretAccessKey;
    await writeFile(
      config,
      JSON.stringify({
        dataDir: data,
        workers: 0,
        blobs: {
          kind: 's3',
          endpoint: r.endpoint,
          bucket,
          forcePathStyle: true,
          prefix: 'blobs/',
          accessKeyId: { env: 'S3_TEST_ACCESS_KEY' },
          secretAccessKey: { env: 'S3_TEST_SECRET_KEY' },
          objectLock: { days: 1 },
        },
      }),
    );
    await generateTenant({ outDir: sandbox(), seed: 11, messages: 120 });
  }, 300_000);

  afterAll(async () => {
    await dir?.cleanup();
    await rgw?.stop();
  });

  function fileBlobs(): string[] {
    const db = new Database(join(data, 'archive.db'), { readonly: true });
    try {
      return (
        db.prepare('SELECT sha256 FROM blobs WHERE data IS NULL ORDER BY sha256').all() as { sha256: string }[]
      ).map((b) => b.sha256);
    } finally {
      db.close();
    }
  }

  it('archives with every large blob in the bucket under retention and none left on local disk', async () => {
    const run = await cliJson<{ archived: number }>('run', '--once', '--sandbox', sandbox(), '--config', config);
    expect(run.archived).toBeGreaterThan(100);
    const shas = fileBlobs();
    expect(shas.length).toBeGreaterThan(0);
    const db = new Database(join(data, 'archive.db'), { readonly: true });
    const largest = (db.prepare('SELECT max(size) AS n FROM blobs WHERE data IS NULL').get() as { n: number }).n;
    db.close();
    // Larger than one 512 KB GetMediaData chunk: downloaded piece by piece into staging, then sent.
    expect(largest).toBeGreaterThan(512 * 1024);
    const store = new S3BlobStore(options(r, bucket, { prefix: 'blobs/' }));
    const listed: string[] = [];
    for await (const s of store.list()) listed.push(s);
    expect(listed).toEqual(shas);
    const st = await store.stat(shas[0]!);
    expect(st?.retainUntil?.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
    // Local disk holds only staging, with no file left once every download finished.
    const local = await readdir(join(data, 'blobs'), { recursive: true, withFileTypes: true });
    expect(local.filter((e) => e.isFile()).map((e) => e.name)).toEqual([]);

    const verify = await cli('verify', '--config', config, '--json');
    const report = JSON.parse(verify.stdout) as { ok: boolean; blobs: { checked: number } };
    expect(report.ok).toBe(true);
    expect(verify.code).toBe(0);
  }, 300_000);

  it('backs up from the bucket into a directory that restores and verifies', async () => {
    const to = join(dir.path, 'backup');
    const manifest = await cliJson<{ counts: { blobFiles: number }; newBlobFiles: number }>(
      'backup',
      '--to',
      to,
      '--config',
      config,
    );
    expect(manifest.counts.blobFiles).toBe(fileBlobs().length);
    expect(manifest.newBlobFiles).toBe(fileBlobs().length);
    const restored = join(dir.path, 'restored');
    const res = await cli('restore', '--from', to, '--data-dir', restored, '--json');
    expect((JSON.parse(res.stdout) as { verification: { ok: boolean } }).verification.ok).toBe(true);
    expect(res.code).toBe(0);
  }, 300_000);

  it('verify names a blob altered in the bucket', async () => {
    const store = new S3BlobStore(options(r, bucket, { prefix: 'blobs/' }));
    const sha = fileBlobs()[0]!;
    const bytes = await store.get(sha);
    bytes[0] = bytes[0]! ^ 1;
    // Object Lock keeps the original version; an intruder can still put a new latest version.
    await store.client.send(new PutObjectCommand({ Bucket: bucket, Key: store.key(sha), Body: bytes }));
    const verify = await cli('verify', '--config', config, '--json');
    expect(verify.code).toBe(1);
    const report = JSON.parse(verify.stdout) as { firstBroken: { sha256?: string; reason?: string } | null };
    expect(report.firstBroken?.sha256).toBe(sha);
    expect(report.firstBroken?.reason).toMatch(/altered/);
  }, 300_000);

  it('refuses to open the archive with another blob store than the one its blobs are in', async () => {
    const s3 = { kind: 's3' as const, ...options(r, bucket, { prefix: 'blobs/' }) };
    const asLocal = await errorOf(openStore(data));
    expect(isArchiverError(asLocal, 'WXA_BLOB_STORE_CONFIG')).toBe(true);
    expect((asLocal as Error).message).toContain(`s3://${bucket}/blobs/`);
    const otherPrefix = await errorOf(openStore(data, { blobs: { ...s3, prefix: 'elsewhere/' } }));
    expect(isArchiverError(otherPrefix, 'WXA_BLOB_STORE_CONFIG')).toBe(true);
    const cliRun = await cli('verify', '--data-dir', data);
    expect(cliRun.code).not.toBe(0);
    expect(cliRun.stderr).toContain(`s3://${bucket}/blobs/`);
    // An archive whose blobs are local files (the restored copy) is not switched to a bucket.
    const restored = await errorOf(openStore(join(dir.path, 'restored'), { blobs: s3 }));
    expect(isArchiverError(restored, 'WXA_BLOB_STORE_CONFIG')).toBe(true);
    expect((restored as Error).message).toContain('local files');
  });

  it('deletion removes the rows and reports the blobs Object Lock keeps, which stay in the bucket', async () => {
    const shas = fileBlobs();
    const store = await openStore(data, { blobs: { kind: 's3', ...options(r, bucket, { prefix: 'blobs/' }) } });
    try {
      const entries = await store.db.selectFrom('mailbox_entries').select(['item_key as itemKey', 'mailbox']).execute();
      const res = await deleteEntries(
        store.db,
        entries,
        { kind: 'admin', actor: 'test' },
        { blobs: store.blobs.objects },
      );
      expect(res.deleted).toHaveLength(entries.length);
      expect(res.blobsDeleted).toBe(0);
      expect(res.blobsKept.map((b) => b.sha256).sort()).toEqual(shas);
      expect(new Set(res.blobsKept.map((b) => b.code))).toEqual(new Set(['WXA_BLOB_LOCKED']));
      expect(fileBlobs()).toEqual([]);
      for (const sha of shas) expect(await store.blobs.objects.exists(sha)).toBe(true);
    } finally {
      await store.close();
    }
  }, 300_000);
});
