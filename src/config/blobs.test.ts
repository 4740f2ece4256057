// The `blobs` section: local by default, an S3 bucket with secrets read from the environment,
// and every mistake reported with the field that holds it.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { storeOptionsOf } from './blobs.js';

function problems(blobs: unknown): string {
  try {
    parseConfig({ blobs }, 'config.json', '/');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

afterEach(() => {
  delete process.env.BLOBS_TEST_KEY;
  delete process.env.BLOBS_TEST_SECRET;
});

describe('blobs configuration', () => {
  it('defaults to local files', () => {
    const cfg = parseConfig({}, 'config.json', '/');
    expect(cfg.blobs).toEqual({ kind: 'local' });
    expect(storeOptionsOf(cfg)).toEqual({ blobs: { kind: 'local' } });
  });

  it('reads S3 credentials from the environment and fills the defaults', () => {
    process.env.BLOBS_TEST_KEY = 'AKEXAMPLE';
    process.env.BLOBS_TEST_SECRET = 'secret-example';
    const cfg = parseConfig(
      {
        blobs: {
          kind: 's3',
          endpoint: 'http://127.0.0.1:7480',
          bucket: 'archive',
          accessKeyId: { env: 'BLOBS_TEST_KEY' },
          secretAccessKey: { env: 'BLOBS_TEST_SECRET' },
          objectLock: { days: 2557 },
        },
      },
      'config.json',
      '/',
    );
    expect(storeOptionsOf(cfg).blobs).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:7480',
      bucket: 'archive',
      region: 'us-east-1',
      forcePathStyle: false,
      prefix: '',
      partSize: 16 * 1024 * 1024,
      queueSize: 2,
      accessKeyId: 'AKEXAMPLE',
      secretAccessKey: 'secret-example',
      objectLock: { mode: 'compliance', days: 2557 },
    });
  });

  it('names the field of each mistake', () => {
    expect(problems({ kind: 's3' })).toMatch(/blobs\.bucket/);
    expect(problems({ kind: 's3', bucket: 'Bad_Bucket' })).toMatch(/blobs\.bucket: a bucket name/);
    expect(problems({ kind: 's3', bucket: 'archive', endpoint: 'not a url' })).toMatch(/blobs\.endpoint/);
    expect(problems({ kind: 's3', bucket: 'archive', prefix: '/abs' })).toMatch(/blobs\.prefix/);
    expect(problems({ kind: 's3', bucket: 'archive', accessKeyId: 'AK' })).toMatch(
      /blobs\.secretAccessKey: set both accessKeyId and secretAccessKey/,
    );
    expect(problems({ kind: 's3', bucket: 'archive', objectLock: { days: 0 } })).toMatch(/blobs\.objectLock\.days/);
    expect(problems({ kind: 's3', bucket: 'archive', partSizeMiB: 1 })).toMatch(/blobs\.partSizeMiB/);
    expect(
      problems({ kind: 's3', bucket: 'archive', accessKeyId: { env: 'BLOBS_TEST_KEY' }, secretAccessKey: 'x' }),
    ).toMatch(/blobs\.accessKeyId: the environment variable BLOBS_TEST_KEY is not set/);
    expect(problems({ kind: 'ftp' })).toMatch(/blobs\.kind/);
  });
});
