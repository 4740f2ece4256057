// The export's write threads: files of any size (one larger than a task's buffer, empty ones)
// come out byte for byte in folders made as needed, through many tasks and reused buffers; a
// file whose bytes do not match its SHA-256 is refused with WXA_BLOB_CORRUPT and never
// created; a failed write names its code; and every later write raises that first failure.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArchiverError } from '../src/core/errors.js';
import { WritePool } from '../src/compliance/export/write-pool.js';

let dir: string;
let pool: WritePool;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-write-pool-'));
  // small tasks and little room in flight, so that buffers go round and writes wait for room
  pool = new WritePool({ threads: 2, taskFiles: 3, taskBytes: 4096, maxBytes: 16_384 });
});

afterEach(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('export write threads', () => {
  it('writes every file byte for byte, whatever its size, in folders made as needed', async () => {
    const want = new Map<string, Buffer>();
    for (let i = 0; i < 60; i++) {
      const size = i === 7 ? 50_000 : i % 10 === 0 ? 0 : 1 + ((i * 977) % 3000);
      const bytes = randomBytes(size);
      const path = join(dir, `c${i % 5}`, 'sub', `${i}.eml`);
      want.set(path, bytes);
      // a message's pieces, as the store gives them
      await pool.write(path, [bytes.subarray(0, size >> 1), bytes.subarray(size >> 1)], sha(bytes));
    }
    const first = pool.written();
    // files queued after the mark are written too, by the next mark
    const late = randomBytes(100);
    await pool.write(join(dir, 'late.eml'), [late], sha(late));
    await first;
    await pool.drain();
    for (const [path, bytes] of want) expect((await readFile(path)).equals(bytes)).toBe(true);
    expect((await readFile(join(dir, 'late.eml'))).equals(late)).toBe(true);
  });

  it('refuses bytes that do not match their SHA-256 and leaves no file; later writes raise it', async () => {
    const good = randomBytes(500);
    const bad = randomBytes(500);
    await pool.write(join(dir, 'good.eml'), [good], sha(good));
    await pool.write(join(dir, 'bad.eml'), [bad], sha(good));
    const err = await pool.drain().catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_BLOB_CORRUPT')).toBe(true);
    expect((err as Error).message).toContain(sha(good));
    expect(existsSync(join(dir, 'bad.eml'))).toBe(false);
    expect((await readFile(join(dir, 'good.eml'))).equals(good)).toBe(true);
    await expect(pool.write(join(dir, 'next.eml'), [good], sha(good))).rejects.toBe(err);
  });

  it('raises a failed write with its code and the file it was writing', async () => {
    await writeFile(join(dir, 'a-file'), 'x');
    const b = Buffer.from('hello');
    await pool.write(join(dir, 'a-file', 'under-a-file.eml'), [b], sha(b));
    const err = (await pool.drain().catch((e: unknown) => e)) as NodeJS.ErrnoException;
    // mkdir of a folder where a file stands
    expect(['EEXIST', 'ENOTDIR']).toContain(err.code);
    expect(err.message).toContain('under-a-file.eml');
  });
});
