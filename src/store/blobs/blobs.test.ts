import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { openStore, type Store } from '../index.js';
import { INLINE_MAX } from './index.js';

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

async function insert(blob: { sha256: string; size: number; kind: string; data: Buffer | null }) {
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
    expect(await readFile(store.blobs.files.pathOf(b.sha256))).toEqual(large);
    await insert(a);
    await insert(b);
    expect(await store.blobs.read(store.db, a.sha256)).toEqual(small);
    expect(await store.blobs.read(store.db, b.sha256)).toEqual(large);
  });

  it('refuses a file whose bytes no longer match its name', async () => {
    const b = await store.blobs.prepare(Buffer.alloc(INLINE_MAX + 10, 1), 'media');
    await insert(b);
    await writeFile(store.blobs.files.pathOf(b.sha256), Buffer.alloc(INLINE_MAX + 10, 2));
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
});
