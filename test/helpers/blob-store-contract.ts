/**
 * One contract every BlobStore implementation passes, run against local disk and against a
 * real S3 service (Ceph radosgw): what callers rely on, whichever store holds the bytes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isArchiverError } from '../../src/core/errors.js';
import { sha256Hex, type BlobStore } from '../../src/store/blobs/index.js';

export interface ContractTarget {
  store: BlobStore;
  /** bytes at least this large are sent in parts (0: the store has no parts) */
  partSize: number;
  /** replaces the stored bytes of a blob behind the store's back, as a disk fault or an intruder would */
  tamper(sha256: string, bytes: Buffer): Promise<void>;
}

async function drain(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
}

export function blobStoreContract(name: string, open: () => Promise<ContractTarget>, close: () => Promise<void>) {
  describe(`BlobStore contract: ${name}`, () => {
    let t: ContractTarget;
    let dir: string;
    beforeAll(async () => {
      t = await open();
      dir = await mkdtemp(join(tmpdir(), 'wxa-contract-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
      await close();
    });

    it('stores bytes under their SHA-256, reads them back verified, and stores the same bytes once', async () => {
      const bytes = randomBytes(300_000);
      const ref = await t.store.put(bytes);
      expect(ref).toEqual({ sha256: sha256Hex(bytes), size: bytes.length });
      expect(await t.store.exists(ref.sha256)).toBe(true);
      expect((await t.store.stat(ref.sha256))?.size).toBe(bytes.length);
      expect((await t.store.get(ref.sha256)).equals(bytes)).toBe(true);
      expect(await t.store.put(bytes)).toEqual(ref);
      const listed: string[] = [];
      for await (const s of t.store.list()) if (s === ref.sha256) listed.push(s);
      expect(listed).toEqual([ref.sha256]);
    });

    it('answers a missing blob as missing on every path', async () => {
      const sha = sha256Hex(randomBytes(16));
      expect(await t.store.exists(sha)).toBe(false);
      expect(await t.store.stat(sha)).toBeNull();
      expect(isArchiverError(await errorOf(t.store.get(sha)), 'WXA_BLOB_MISSING')).toBe(true);
      expect(isArchiverError(await errorOf(t.store.stream(sha)), 'WXA_BLOB_MISSING')).toBe(true);
      await t.store.delete(sha); // deleting what is not there is fine
    });

    it('streams a large blob written from a file in parts, byte for byte', async () => {
      const size = Math.max(t.partSize * 2 + 12_345, 3 * 1024 * 1024);
      const bytes = randomBytes(size);
      const path = join(dir, 'large.bin');
      await writeFile(path, bytes);
      const ref = { sha256: sha256Hex(bytes), size };
      await t.store.putFile(path, ref);
      expect((await t.store.stat(ref.sha256))?.size).toBe(size);
      expect((await drain(await t.store.stream(ref.sha256))).equals(bytes)).toBe(true);
      expect((await t.store.get(ref.sha256)).equals(bytes)).toBe(true);
      // A large buffer goes the same way.
      const more = randomBytes(t.partSize + 1000);
      const r2 = await t.store.put(more);
      expect((await t.store.get(r2.sha256)).equals(more)).toBe(true);
    });

    it('refuses to store a file under a hash it does not have', async () => {
      const path = join(dir, 'liar.bin');
      await writeFile(path, randomBytes(4096));
      const claimed = sha256Hex(randomBytes(8));
      const err = await errorOf(t.store.putFile(path, { sha256: claimed, size: 4096 }));
      expect(isArchiverError(err, 'WXA_BLOB_CORRUPT')).toBe(true);
      expect(await t.store.exists(claimed)).toBe(false);
    });

    it('refuses bytes altered behind its back, on get and at the end of a stream', async () => {
      const bytes = randomBytes(100_000);
      const ref = await t.store.put(bytes);
      const altered = Buffer.from(bytes);
      altered[500] = altered[500]! ^ 0xff;
      await t.tamper(ref.sha256, altered);
      expect(isArchiverError(await errorOf(t.store.get(ref.sha256)), 'WXA_BLOB_CORRUPT')).toBe(true);
      const stream = await t.store.stream(ref.sha256);
      expect(isArchiverError(await errorOf(drain(stream)), 'WXA_BLOB_CORRUPT')).toBe(true);
    });

    it('deletes a blob for good, and a second delete is harmless', async () => {
      const ref = await t.store.put(randomBytes(2048));
      await t.store.delete(ref.sha256);
      expect(await t.store.exists(ref.sha256)).toBe(false);
      expect(isArchiverError(await errorOf(t.store.get(ref.sha256)), 'WXA_BLOB_MISSING')).toBe(true);
      await t.store.delete(ref.sha256);
    });

    it('lists blobs in ascending order, resuming after a given one', async () => {
      const refs = [];
      for (let i = 0; i < 5; i++) refs.push(await t.store.put(randomBytes(64)));
      const all: string[] = [];
      for await (const s of t.store.list()) all.push(s);
      expect(all).toEqual([...all].sort());
      for (const r of refs) expect(all).toContain(r.sha256);
      const pivot = [...refs].sort((a, b) => a.sha256.localeCompare(b.sha256))[2]!.sha256;
      const after: string[] = [];
      for await (const s of t.store.list(pivot)) after.push(s);
      expect(after).toEqual(all.filter((s) => s > pivot));
    });
  });
}
