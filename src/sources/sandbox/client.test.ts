import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MEDIA_CHUNK, SdkError } from '../wecom/client.js';
import { appendMessages } from './append.js';
import { openSandbox } from './client.js';
import { generateTenant } from './generate.js';
import type { MediaIndexEntry } from './media.js';
import { readTenant } from './tenant.js';

let root: string;
let dir: string;

const mediaIndex = async (d: string): Promise<Record<string, MediaIndexEntry>> =>
  JSON.parse(await readFile(join(d, 'media', 'index.json'), 'utf8')) as Record<string, MediaIndexEntry>;

const sdkCode = (code: number): unknown => expect.objectContaining({ name: 'SdkError', sdkCode: code });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sandbox-client-'));
  dir = join(root, 't');
  await generateTenant({ outDir: dir, seed: 11, messages: 2500 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('SandboxClient.getChatData', () => {
  it('pages by seq with the limit and omits chatdata when nothing is new', async () => {
    const client = await openSandbox(dir);
    const seen: string[] = [];
    let cursor = '0';
    const sizes: number[] = [];
    for (;;) {
      const res = await client.getChatData(cursor, 1000);
      expect(res).toMatchObject({ errcode: 0, errmsg: 'ok' });
      if (!res.chatdata) break;
      sizes.push(res.chatdata.length);
      for (const r of res.chatdata) {
        expect(BigInt(r.seq)).toBeGreaterThan(BigInt(cursor));
        seen.push(r.seq);
      }
      cursor = res.chatdata[res.chatdata.length - 1]?.seq as string;
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => String(i + 1)));
    expect((await client.getChatData('1999', 3)).chatdata?.map((r) => r.seq)).toEqual(['2000', '2001', '2002']);
    expect(await client.getChatData('18446744073709551615', 10)).toEqual({ errcode: 0, errmsg: 'ok' });
  });

  it('rejects a limit outside 1..1000 and a seq that is not a uint64 with 10000', async () => {
    const client = await openSandbox(dir);
    for (const [seq, limit] of [
      ['0', 0],
      ['0', 1001],
      ['0', 1.5],
      ['-1', 10],
      ['abc', 10],
      ['18446744073709551616', 1],
    ] as const) {
      await expect(client.getChatData(seq, limit)).rejects.toEqual(sdkCode(10000));
    }
  });

  it('sees records appended after it opened, continuing seq and time', async () => {
    const other = join(root, 'grow');
    await generateTenant({ outDir: other, seed: 5, messages: 40, keysDir: join(dir, 'keys') });
    const client = await openSandbox(other);
    const before = await readTenant(other);
    const mediaBefore = Object.keys(await mediaIndex(other));
    const summary = await appendMessages(other, 300, 9);
    expect(summary.counts.records).toBe(340);
    expect(summary.last?.seq).toBe('340');
    expect(summary.appendedBatches).toBe(1);
    expect(summary.first).toEqual(before.first);
    expect(summary.last?.time).toBeGreaterThan(before.last?.time as number);
    expect(summary.keyVersions.find((k) => k.version === 2)?.records).toBe(
      (before.keyVersions.find((k) => k.version === 2)?.records ?? 0) + 300,
    );
    const res = await client.getChatData('40', 1000);
    expect(res.chatdata?.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => String(41 + i)));
    expect(new Set(res.chatdata?.map((r) => r.publickey_ver))).toEqual(new Set([2]));
    const added = Object.keys(await mediaIndex(other)).filter((id) => !mediaBefore.includes(id));
    expect(added.length).toBeGreaterThan(0);
    expect((await client.getMediaData(added[0] as string, '')).data.length).toBeGreaterThan(0);
  });

  it('appends the same messages for the same tenant, seed and count', async () => {
    const [x, y] = [join(root, 'x'), join(root, 'y')];
    for (const d of [x, y]) {
      await generateTenant({ outDir: d, seed: 5, messages: 10, keysDir: join(dir, 'keys') });
      await appendMessages(d, 200, 77);
    }
    expect(Object.keys(await mediaIndex(x))).toEqual(Object.keys(await mediaIndex(y)));
    const msgids = async (d: string): Promise<string[]> =>
      (await readFile(join(d, 'chatdata.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { msgid: string }).msgid);
    expect(await msgids(x)).toEqual(await msgids(y));
  });
});

describe('SandboxClient.getMediaData', () => {
  it('serves files in chunks of at most 512 KB that reassemble to the indexed bytes', async () => {
    const client = await openSandbox(dir);
    const index = await mediaIndex(dir);
    const [id, entry] = Object.entries(index).sort((p, q) => q[1].size - p[1].size)[0] as [string, MediaIndexEntry];
    expect(entry.size).toBeGreaterThan(2 * MAX_MEDIA_CHUNK);
    const parts: Buffer[] = [];
    let indexbuf = '';
    for (;;) {
      const chunk = await client.getMediaData(id, indexbuf);
      expect(chunk.data.length).toBeLessThanOrEqual(MAX_MEDIA_CHUNK);
      parts.push(chunk.data);
      if (chunk.isFinish) break;
      expect(chunk.outIndexBuf).toMatch(/^Range:bytes=\d+-\d+$/);
      indexbuf = chunk.outIndexBuf;
    }
    expect(parts.length).toBe(Math.ceil(entry.size / MAX_MEDIA_CHUNK));
    const all = Buffer.concat(parts);
    expect(all.equals(await readFile(join(dir, 'media', entry.file)))).toBe(true);
    expect(createHash('md5').update(all).digest('hex')).toBe(entry.md5);
    const second = await client.getMediaData(id, `Range:bytes=${MAX_MEDIA_CHUNK}-${2 * MAX_MEDIA_CHUNK - 1}`);
    expect(second.data.equals(all.subarray(MAX_MEDIA_CHUNK, 2 * MAX_MEDIA_CHUNK))).toBe(true);
  });

  it('answers 10005 for an unknown sdkfileid, 10000 for a bad indexbuf, 10010 when the bytes are gone', async () => {
    const other = join(root, 'expire');
    await generateTenant({ outDir: other, seed: 12, messages: 60, keysDir: join(dir, 'keys') });
    const client = await openSandbox(other);
    await expect(client.getMediaData('CtYBnot-a-file', '')).rejects.toEqual(sdkCode(10005));
    const [id, entry] = Object.entries(await mediaIndex(other))[0] as [string, MediaIndexEntry];
    await expect(client.getMediaData(id, 'bytes=0-10')).rejects.toEqual(sdkCode(10000));
    await expect(client.getMediaData(id, `Range:bytes=${entry.size + 1}-${entry.size + 9}`)).rejects.toEqual(
      sdkCode(10000),
    );
    await unlink(join(other, 'media', entry.file));
    await expect(client.getMediaData(id, '')).rejects.toEqual(sdkCode(10010));
  });
});

describe('SandboxClient', () => {
  it('exposes the corp, its directory and key locations', async () => {
    const client = await openSandbox(dir);
    expect(client.corpId).toMatch(/^ww[0-9a-f]{16}$/);
    expect(client.keysDir).toBe(join(dir, 'keys'));
    expect(client.withheldKeysDir).toBe(join(dir, 'keys-withheld'));
    const d = client.directory();
    const staff = d.people.filter((p) => p.kind === 'internal');
    expect(staff.length).toBeGreaterThanOrEqual(20);
    for (const p of staff) {
      expect(p.name).toMatch(/^\p{Script=Han}+ [A-Z][a-z]+ [A-Z][a-z]+$/u);
      expect(p.mobile).toMatch(/^\+861[3-9]\d{9}$/);
      expect(p.email).toMatch(/^[a-z]+\.[a-z]+@example-bank\.cn$/);
    }
    expect(new Set(staff.map((p) => p.email)).size).toBe(staff.length);
    const ext = d.people.filter((p) => p.kind === 'external');
    expect(ext.length).toBeGreaterThan(0);
    for (const p of ext)
      expect([p.id.slice(0, 2), Boolean(p.corpName)]).toEqual([expect.stringMatching(/^w[mo]$/), true]);
    expect(d.people.some((p) => p.kind === 'robot' && p.id.startsWith('wb'))).toBe(true);
    expect(new Set(d.rooms.map((r) => r.kind))).toEqual(new Set(['internal', 'customer']));
  });

  it('lets a test inject the service failures and refuses calls after close', async () => {
    const client = await openSandbox(dir, {
      inject: (call, n) => {
        if (call === 'getChatData' && n === 1) throw new SdkError(10001);
      },
    });
    await expect(client.getChatData('0', 1)).rejects.toEqual(sdkCode(10001));
    expect((await client.getChatData('0', 1)).chatdata).toHaveLength(1);
    await client.close();
    await expect(client.getChatData('0', 1)).rejects.toBeInstanceOf(SdkError);
  });
});
