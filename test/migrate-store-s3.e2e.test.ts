// migrate-store --blobs: the blob files of a sandbox archive go to a bucket of a real S3 service
// (Debian's Ceph radosgw), the database to a throw-away PostgreSQL; every blob is re-hashed in
// the bucket, and an object damaged there afterwards is caught when the copy is checked again.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { openStore } from '../src/store/index.js';
import { createS3Client, S3_DEFAULTS, S3BlobStore, type S3BlobStoreOptions } from '../src/store/blobs-s3/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';
import { radosgwInstalled, startRadosgw, type Radosgw } from './helpers/radosgw.js';

interface Report {
  verified: boolean;
  alreadyComplete: boolean;
  blobStore: string;
  blobs: number;
  copied: { blobs: number; bytes: number };
  verification: { firstBroken: { kind: string; sha256?: string } | null };
  newDataDir?: { path: string; keyFiles: string[] };
}

let pgc: PostgresCluster;
let rgw: Radosgw;
let dir: { path: string; cleanup: () => Promise<void> };
let data: string;
const saved: Record<string, string | undefined> = {};
const ENV = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const;

function fileBlobs(): { sha256: string; size: number }[] {
  const db = new Database(join(data, 'archive.db'), { readonly: true });
  try {
    return db.prepare('SELECT sha256, size FROM blobs WHERE data IS NULL ORDER BY sha256').all() as {
      sha256: string;
      size: number;
    }[];
  } finally {
    db.close();
  }
}

const toBucket = (url: string, ...more: string[]) =>
  cli('migrate-store', '--from', data, '--to', url, '--blobs', 's3://wxa-migrated/archive', '--json', ...more);

beforeAll(async () => {
  if (!(await radosgwInstalled()))
    throw new Error('Ceph is not installed: apt-get install radosgw ceph-mon ceph-osd (as .ci/run does)');
  dir = await tempDir('migrate-store-s3');
  [pgc, rgw] = await Promise.all([startPostgres(), startRadosgw()]);
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 18, messages: 80 });
  data = join(dir.path, 'data');
  await cliJson('run', '--once', '--sandbox', tenant, '--data-dir', data, '--workers', '0');
  // The AWS SDK's own variables, as an operator without a configuration file would set them.
  for (const k of ENV) saved[k] = process.env[k];
  process.env.AWS_ENDPOINT_URL_S3 = rgw.endpoint;
  process.env.AWS_ACCESS_KEY_ID = rgw.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = rgw.secretAccessKey;
  process.env.AWS_REGION = 'us-east-1';
}, 600_000);

afterAll(async () => {
  for (const k of ENV)
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  await pgc?.stop();
  await rgw?.stop();
  await dir?.cleanup();
});

describe('migrate-store --blobs s3://', () => {
  it('puts every blob file in the bucket, verified there, and catches an object damaged later', async () => {
    const options: S3BlobStoreOptions = {
      ...S3_DEFAULTS,
      endpoint: rgw.endpoint,
      bucket: 'wxa-migrated',
      prefix: 'archive/',
      forcePathStyle: true,
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
    };
    const client = createS3Client(options);
    await client.send(new CreateBucketCommand({ Bucket: options.bucket }));
    const url = await pgc.createDatabase();
    const files = fileBlobs();
    expect(files.length).toBeGreaterThan(0);

    const newDir = join(dir.path, 'new-data');
    const r = await toBucket(url, '--new-data-dir', newDir);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.verification.firstBroken).toBeNull();
    expect(report.verified).toBe(true);
    expect(r.code).toBe(0);
    expect(report.blobStore).toBe('s3://wxa-migrated/archive/');
    expect(report.copied.blobs).toBe(files.length);
    expect(report.copied.bytes).toBe(files.reduce((n, f) => n + Number(f.size), 0));
    expect(report.newDataDir?.keyFiles).toEqual(['master.key', 'evidence.key', 'evidence.pub']);

    // The migrated deployment opens on PostgreSQL and the bucket, and reads a blob file back verified.
    const migrated = await openStore(newDir, { database: { url }, blobs: { kind: 's3', ...options } });
    try {
      const bytes = await migrated.blobs.read(migrated.db, files[0]!.sha256);
      expect(bytes.length).toBe(Number(files[0]!.size));
    } finally {
      await migrated.close();
    }

    const bucket = new S3BlobStore(options);
    try {
      const listed: string[] = [];
      for await (const sha of bucket.list()) listed.push(sha);
      expect(listed).toEqual(files.map((f) => f.sha256));

      // One object overwritten in the bucket: checking the finished copy again names it.
      const victim = files[0]!.sha256;
      await client.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: `archive/${victim}`, Body: Buffer.from('not the blob') }),
      );
      const again = await toBucket(url);
      const checked = JSON.parse(again.stdout) as Report;
      expect(checked.alreadyComplete).toBe(true);
      expect(checked.verified).toBe(false);
      expect(again.code).toBe(1);
      expect(checked.verification.firstBroken).toMatchObject({ kind: 'blob', sha256: victim });
    } finally {
      await bucket.close();
      client.destroy();
    }
  }, 600_000);
});
