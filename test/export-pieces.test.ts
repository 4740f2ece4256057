// The export's reading and writing of archived messages: stored messages read a batch at a
// time come back byte for byte (a large medium streamed through base64 lines), are checked
// against their SHA-256 (an altered medium leaves no file), and files are written a few at a time.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base64Lines, base64LinesOf } from '../src/core/base64-lines.js';
import { isArchiverError } from '../src/core/errors.js';
import { CHUNK_BYTES, messageBytes, writeMessageFile } from '../src/compliance/export/message-io.js';
import { writeWholeSync } from '../src/compliance/export/write-util.js';
import type { Store } from '../src/store/index.js';
import { INLINE_MAX, sha256Hex, type PreparedBlob } from '../src/store/blobs/index.js';
import { describeDialects } from './helpers/dialects.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-read-batch-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const insert = (blob: PreparedBlob) =>
  store.db
    .insertInto('blobs')
    .values({ ...blob, created_at: 0 })
    .execute();

/**
 * A raw message, a skeleton with an inline and a stored medium, and the bytes of each. The stored
 * medium spans three of the chunks a medium is read from disk in (CHUNK_BYTES, about 1 MB each,
 * encoded one after another into the same buffer), so a chunk's lines kept past the next read
 * would show.
 */
async function seed(): Promise<Map<string, Buffer>> {
  const raw = Buffer.from('Subject: plain\r\n\r\nhello\r\n');
  const big = randomBytes(Math.max(INLINE_MAX, 2 * CHUNK_BYTES) + 12_345);
  const small = randomBytes(1_000);
  const head = Buffer.from('Subject: media\r\n\r\n--b\r\n\r\n');
  const mid = Buffer.from('\r\n--b\r\n\r\n');
  const tail = Buffer.from('\r\n--b--\r\n');
  const full = Buffer.concat([head, base64Lines(big), mid, base64Lines(small), tail]);
  const a = await store.blobs.prepare(raw, 'mime');
  const m1 = await store.blobs.prepare(big, 'media');
  const m2 = await store.blobs.prepare(small, 'media');
  const sk = store.blobs.prepareSkeleton(
    { sha256: sha256Hex(full), size: full.length },
    [head, { media: m1.sha256 }, mid, { media: m2.sha256 }, tail],
    'mime',
  );
  for (const b of [a, m1, m2, sk]) await insert(b);
  return new Map([
    [a.sha256, raw],
    [sk.sha256, full],
  ]);
}

describe('messages read a batch at a time', () => {
  it('base64 lines of a stream, cut anywhere, are those of the whole', async () => {
    for (const size of [0, 1, 56, 57, 58, 114, 1_000, 70_001]) {
      const data = randomBytes(size);
      const cuts = [0, 1, 57, 100, 4096].filter((c) => c < size);
      const chunks = [...cuts, size].slice(1).map((end, i) => data.subarray(cuts[i], end));
      const out: Buffer[] = [];
      for await (const b of base64LinesOf(Readable.from(size ? chunks : []))) out.push(b);
      expect(Buffer.concat(out).equals(base64Lines(data)), `${size} bytes`).toBe(true);
    }
  });

  it('writes a file whole from its pieces (an empty one among them), replacing one there, and raises a failed write', async () => {
    const parts = [Buffer.from('a'), Buffer.alloc(0), Buffer.from('bc')];
    writeWholeSync(join(dir, 'f'), [Buffer.from('longer than what replaces it')]);
    writeWholeSync(join(dir, 'f'), parts);
    expect(await readFile(join(dir, 'f'), 'utf8')).toBe('abc');
    expect(() => writeWholeSync(join(dir, 'no-such-folder', 'x'), parts)).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});

// Stored messages as the export reads them, from each dialect's blobs table (bytea on PostgreSQL).
describeDialects('stored messages read for export', (t) => {
  beforeEach(async () => {
    store = await t.openStore(join(dir, 'data'));
  });

  afterEach(async () => {
    await store.close();
  });

  it('gives each message back byte for byte, a stored medium streamed, in one call', async () => {
    const want = await seed();
    const got = await store.blobs.readMessages(store.db, [...want.keys(), ...want.keys()]);
    expect(got.size).toBe(2);
    for (const [sha, bytes] of want) {
      const msg = got.get(sha)!;
      expect((await messageBytes(msg, store.blobs.objects)).equals(bytes)).toBe(true);
      expect((await store.blobs.read(store.db, sha)).equals(bytes)).toBe(true);
      const file = join(dir, `${sha}.eml`);
      await writeMessageFile(file, msg, store.blobs.objects);
      expect((await readFile(file)).equals(bytes)).toBe(true);
    }
    // the skeleton's medium above the inline limit stays a reference, not bytes in memory
    const skeleton = [...want.keys()].find((s) => want.get(s)!.length > INLINE_MAX)!;
    expect(got.get(skeleton)!.pieces.some((p) => !Buffer.isBuffer(p))).toBe(true);
  });

  it('refuses a message whose stored medium was altered, and leaves no file behind', async () => {
    const want = await seed();
    const skeleton = [...want.keys()].find((s) => want.get(s)!.length > INLINE_MAX)!;
    const msg = (await store.blobs.readMessages(store.db, [skeleton])).get(skeleton)!;
    const stored = msg.pieces.find((p) => !Buffer.isBuffer(p)) as { object: string };
    await writeFile(store.blobs.staging.pathOf(stored.object), randomBytes(INLINE_MAX + 12_345));
    const file = join(dir, 'altered.eml');
    const err = await writeMessageFile(file, msg, store.blobs.objects).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_BLOB_CORRUPT')).toBe(true);
    // the damaged medium is named, read from local disk unchecked or streamed and checked
    expect((err as Error).message).toContain(stored.object);
    expect(existsSync(file)).toBe(false);
    const whole = await messageBytes(msg, store.blobs.objects).catch((e: unknown) => e);
    expect(isArchiverError(whole, 'WXA_BLOB_CORRUPT')).toBe(true);
    expect((whole as Error).message).toContain(stored.object);
  });

  it('names a message recorded nowhere', async () => {
    const err = await store.blobs.readMessages(store.db, ['f'.repeat(64)]).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_BLOB_MISSING')).toBe(true);
  });
});
