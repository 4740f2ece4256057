// `--blobs s3://BUCKET/PREFIX/`: the URL's parts, and where the rest of the S3 settings come from.
import { describe, expect, it } from 'vitest';
import { blobsSchema } from '../../config/blobs.js';
import { blobTargetOptions, parseBlobsUrl } from './blob-target.js';

describe('--blobs', () => {
  it('takes the bucket and a prefix that ends with a slash', () => {
    expect(parseBlobsUrl('s3://wechat-archive')).toEqual({ bucket: 'wechat-archive', prefix: '' });
    expect(parseBlobsUrl('s3://wechat-archive/blobs')).toEqual({ bucket: 'wechat-archive', prefix: 'blobs/' });
    expect(parseBlobsUrl('s3://wechat-archive/a/b/')).toEqual({ bucket: 'wechat-archive', prefix: 'a/b/' });
    for (const bad of ['http://host/bucket', 's3://UPPER', 's3://b', 's3://bucket//x'])
      expect(() => parseBlobsUrl(bad), bad).toThrow(/WXA_MIGRATE_BLOBS_URL|not an S3 URL|must not start/);
  });

  it('reaches the service as the configuration says, with the URL bucket and prefix', () => {
    const cfg = blobsSchema.parse({
      kind: 's3',
      endpoint: 'http://127.0.0.1:7480',
      bucket: 'old',
      forcePathStyle: true,
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
      objectLock: { days: 10 },
    });
    expect(blobTargetOptions('s3://new/p/', cfg, {})).toMatchObject({
      kind: 's3',
      bucket: 'new',
      prefix: 'p/',
      endpoint: 'http://127.0.0.1:7480',
      accessKeyId: 'AK',
      objectLock: { mode: 'compliance', days: 10 },
    });
  });

  it('or as the AWS variables say, the bucket in the path for a service of its own', () => {
    const env = { AWS_ENDPOINT_URL_S3: 'http://rgw:7480', AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'S' };
    expect(blobTargetOptions('s3://b-1/x', undefined, env)).toMatchObject({
      endpoint: 'http://rgw:7480',
      forcePathStyle: true,
      region: 'us-east-1',
      accessKeyId: 'A',
      secretAccessKey: 'S',
    });
    expect(blobTargetOptions('s3://b-1/x', undefined, {})).toMatchObject({ forcePathStyle: false });
  });
});
