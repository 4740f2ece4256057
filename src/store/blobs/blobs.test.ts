import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { openStore, type Store } from '../index.js';
import { INLINE_MAX, sha256Hex, type PreparedBlob } from './index.js';
import { base64Lines } from '../../core/base64-lines.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-blobs-'));
  store = await openStore(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function insert(blob: PreparedBlob) {
  await store.db
    .insertInto('blobs')
    .values({ ...blob, created_at: 0 })
    .execute();
}

describe('blob store', () => {
  it('keeps small blobs inline and large ones as durable files, both read back verified', async () => {
    const small = Buffer.from('small message');
    const large = Buffer.alloc(INLINE_MAX + 1, 7);
    const a = await store.blobs.prepare(small, 'mime');
    const b = await store.blobs.prepare(large, 'media');
    expect(a.data).not.toBeNull();
    expect(b.data).toBeNull();
    expect(await readFile(store.blobs.staging.pathOf(b.sha256))).toEqual(large);
    await insert(a);
    await insert(b);
    expect(await store.blobs.read(store.db, a.sha256)).toEqual(small);
    expect(await store.blobs.read(store.db, b.sha256)).toEqual(large);
  });

  it('refuses a file whose bytes no longer match its name', async () => {
    const b = await store.blobs.prepare(Buffer.alloc(INLINE_MAX + 10, 1), 'media');
    await insert(b);
    await writeFile(store.blobs.staging.pathOf(b.sha256), Buffer.alloc(INLINE_MAX + 10, 2));
    const err = await store.blobs.read(store.db, b.sha256).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_BLOB_CORRUPT')).toBe(true);
  });

  it('refuses inline bytes that were altered in the database', async () => {
    const b = await store.blobs.prepare(Buffer.from('original'), 'mime');
    await insert({ ...b, data: Buffer.from('tampered') });
    const err = await store.blobs.read(store.db, b.sha256).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_BLOB_CORRUPT')).toBe(true);
  });

  it('names a blob that is recorded nowhere', async () => {
    const err = await store.blobs.read(store.db, 'f'.repeat(64)).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_BLOB_MISSING')).toBe(true);
  });

  it('rebuilds a message stored as a skeleton byte for byte, and checks the whole', async () => {
    const media = await store.blobs.prepare(Buffer.alloc(INLINE_MAX + 5000, 9), 'media');
    const small = await store.blobs.prepare(Buffer.from('tiny attachment'), 'media');
    const head = Buffer.from('Subject: x\r\n\r\n--b\r\n\r\n');
    const mid = Buffer.from('\r\n--b\r\n\r\n');
    const tail = Buffer.from('\r\n--b--\r\n');
    const full = Buffer.concat([
      head,
      base64Lines(Buffer.alloc(INLINE_MAX + 5000, 9)),
      mid,
      base64Lines(Buffer.from('tiny attachment')),
      tail,
    ]);
    const sk = store.blobs.prepareSkeleton(
      { sha256: sha256Hex(full), size: full.length },
      [head, { media: media.sha256 }, mid, { media: small.sha256 }, tail],
      'mime',
    );
    expect(sk.data!.length).toBeLessThan(200);
    for (const b of [media, small, sk]) await insert(b);
    expect((await store.blobs.read(store.db, sk.sha256)).equals(full)).toBe(true);

    // A skeleton that claims another message's hash is caught on read.
    const wrong = store.blobs.prepareSkeleton({ sha256: 'a'.repeat(64), size: 1 }, [head], 'mime');
    await insert(wrong);
    const err = await store.blobs.read(store.db, wrong.sha256).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_BLOB_CORRUPT')).toBe(true);
  });

  it('reads a batch whole, each blob checked, a damaged or missing one failing alone', async () => {
    const media = await store.blobs.prepare(Buffer.alloc(INLINE_MAX + 100, 7), 'media');
    const inlineMedia = await store.blobs.prepare(Buffer.from('a small photo'), 'media');
    const head = Buffer.from('Subject: y\r\n\r\n');
    const full = Buffer.concat([
      head,
      base64Lines(Buffer.alloc(INLINE_MAX + 100, 7)),
      base64Lines(Buffer.from('a small photo')),
    ]);
    const sk = store.blobs.prepareSkeleton(
      { sha256: sha256Hex(full), size: full.length },
      [head, { media: media.sha256 }, { media: inlineMedia.sha256 }],
      'mime',
    );
    const plain = await store.blobs.prepare(Buffer.from('Subject: plain\r\n\r\nhi\r\n'), 'mime');
    const altered = await store.blobs.prepare(Buffer.from('Subject: altered\r\n\r\nhi\r\n'), 'mime');
    for (const b of [media, inlineMedia, sk, plain, altered]) await insert(b);
    await store.db
      .updateTable('blobs')
      .set({ data: Buffer.from('Subject: altered\r\n\r\nHI\r\n') })
      .where('sha256', '=', altered.sha256)
      .execute();
    const absent = 'e'.repeat(64);

    const got = await store.blobs.readMany(store.db, [
      sk.sha256,
      plain.sha256,
      altered.sha256,
      absent,
      inlineMedia.sha256,
      sk.sha256,
    ]);
    expect(got.size).toBe(5);
    expect((got.get(sk.sha256) as Buffer).equals(full)).toBe(true);
    expect((got.get(plain.sha256) as Buffer).toString()).toContain('plain');
    expect((got.get(inlineMedia.sha256) as Buffer).toString()).toBe('a small photo');
    expect(isArchiverError(got.get(altered.sha256), 'WXA_BLOB_CORRUPT')).toBe(true);
    expect(isArchiverError(got.get(absent), 'WXA_BLOB_MISSING')).toBe(true);

    // A medium altered on disk fails the message that carries it, not the batch.
    await writeFile(store.blobs.staging.pathOf(media.sha256), Buffer.alloc(INLINE_MAX + 100, 8));
    const again = await store.blobs.readMany(store.db, [sk.sha256, plain.sha256]);
    expect(isArchiverError(again.get(sk.sha256), 'WXA_BLOB_CORRUPT')).toBe(true);
    expect(Buffer.isBuffer(again.get(plain.sha256))).toBe(true);
  });
});
