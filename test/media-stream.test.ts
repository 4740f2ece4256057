// Large media through the capture: streamed to the blob store chunk by chunk, memory bounded
// whatever the size, and resumed at the last good chunk after a failure.
import { createHash } from 'node:crypto';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchAttachment } from '../src/sources/wecom/media.js';
import { SdkError, type FinanceClient, type MediaChunk } from '../src/sources/wecom/client.js';
import { getMediaProgress, openStore, type Store } from '../src/store/index.js';
import { tempDir } from './helpers/cli.js';

const CHUNK = 512 * 1024;

/**
 * A source whose one media file is `size` bytes generated on the fly (so the test itself holds
 * no copy), served like GetMediaData: 512 KB chunks, `Range:bytes=a-b` index buffers.
 */
function generatedSource(size: number, failAt?: { chunk: number; times: number }) {
  const calls: string[] = [];
  let failures = 0;
  const chunkAt = (start: number) => {
    const len = Math.min(CHUNK, size - start);
    const buf = Buffer.allocUnsafe(len);
    let i = 0;
    for (; i + 4 <= len; i += 4) buf.writeUInt32LE(((start + i) * 2654435761) >>> 0, i);
    for (; i < len; i++) buf[i] = (start + i) & 0xff;
    return buf;
  };
  const client: FinanceClient = {
    getChatData: async () => ({ errcode: 0, errmsg: 'ok' }),
    decryptData: async () => Buffer.alloc(0),
    getMediaData: async (_id: string, indexbuf: string): Promise<MediaChunk> => {
      calls.push(indexbuf);
      const start = indexbuf ? Number(/bytes=(\d+)-/.exec(indexbuf)![1]) : 0;
      if (failAt && start / CHUNK === failAt.chunk && failures < failAt.times) {
        failures++;
        throw new SdkError(10001);
      }
      const data = chunkAt(start);
      const next = start + data.length;
      return { data, outIndexBuf: `Range:bytes=${next}-${next + CHUNK - 1}`, isFinish: next >= size };
    },
    close: async () => undefined,
  };
  const expected = () => {
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    for (let s = 0; s < size; s += CHUNK) {
      const c = chunkAt(s);
      sha.update(c);
      md5.update(c);
    }
    return { sha256: sha.digest('hex'), md5: md5.digest('hex') };
  };
  return { client, calls, expected };
}

/** The files under `root` this process has open (Linux: /proc/self/fd). */
function openFilesUnder(root: string): string[] {
  const real = realpathSync(root);
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${real}/`)) open.push(target);
    } catch {
      // the descriptor readdir itself used, closed meanwhile
    }
  }
  return open;
}

let dir: { path: string; cleanup: () => Promise<void> };
let store: Store;

beforeEach(async () => {
  dir = await tempDir('media');
  store = await openStore(dir.path);
});

afterEach(async () => {
  await store.close();
  await dir.cleanup();
});

const ctx = (client: FinanceClient) => ({
  store,
  client,
  connectorId: 'c',
  now: Date.now,
  sleep: async () => undefined,
});

describe('large media', () => {
  it('streams a 200 MB file into the blob store with RSS under 150 MB above idle', async () => {
    const size = 200 * 1024 * 1024;
    const src = generatedSource(size);
    const { sha256, md5 } = src.expected();
    global.gc?.();
    const idle = process.memoryUsage().rss;
    let peak = idle;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const got = await fetchAttachment(ctx(src.client), {
      sdkfileid: 'big',
      filename: 'big.mp4',
      contentType: 'video/mp4',
      md5,
      role: 'media',
    });
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(got.write.status).toBe('ok');
    expect(got.bytes).toBeUndefined();
    expect(got.size).toBe(size);
    expect(got.blob?.sha256).toBe(sha256);
    expect(got.blob?.data).toBeNull();
    expect(src.calls).toHaveLength(size / CHUNK);
    expect(peak - idle).toBeLessThan(150 * 1024 * 1024);
    const onDisk = createHash('sha256')
      .update(await readFile(store.blobs.staging.pathOf(sha256)))
      .digest('hex');
    expect(onDisk).toBe(sha256);
  });

  it('resumes at the last good chunk after the source keeps failing mid-file', async () => {
    const size = 20 * CHUNK + 1234;
    const src = generatedSource(size, { chunk: 12, times: 4 });
    const ref = { sdkfileid: 'f', filename: 'f.bin', contentType: 'application/octet-stream', role: 'media' as const };
    await expect(fetchAttachment(ctx(src.client), ref)).rejects.toBeInstanceOf(SdkError);
    // The partial file is kept for the next attempt, and closed: a long-running service whose
    // downloads fail now and then must not hold a descriptor per failure.
    expect(openFilesUnder(join(dir.path, 'blobs'))).toEqual([]);
    const progress = await getMediaProgress(store.db, 'c', 'f');
    expect(progress?.bytes).toBe(12 * CHUNK);
    expect(progress?.indexbuf).toBe(`Range:bytes=${12 * CHUNK}-${13 * CHUNK - 1}`);

    src.calls.length = 0;
    const got = await fetchAttachment(ctx(src.client), ref);
    // The second attempt starts at chunk 12, not at the beginning of the file.
    expect(src.calls[0]).toBe(progress?.indexbuf);
    expect(src.calls).toHaveLength(9);
    expect(got.blob?.sha256).toBe(src.expected().sha256);
    expect(await getMediaProgress(store.db, 'c', 'f')).toBeUndefined();
  });

  it('downloads once more on an MD5 mismatch, then keeps the bytes and records it', async () => {
    const src = generatedSource(3 * CHUNK);
    const got = await fetchAttachment(ctx(src.client), {
      sdkfileid: 'm',
      filename: 'm.bin',
      contentType: 'application/octet-stream',
      md5: '0'.repeat(32),
      role: 'media',
    });
    expect(got.write.status).toBe('md5-mismatch');
    expect(src.calls).toHaveLength(6);
    expect(got.blob?.sha256).toBe(src.expected().sha256);
  });
});
