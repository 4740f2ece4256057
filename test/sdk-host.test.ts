// The production SDK client (vendor library through FFI in a host process) against the C double
// of the library serving a sandbox tenant: the same answers as the in-process SandboxClient on
// the same dataset (records, decrypted messages, media bytes), the library's codes classified,
// and every Slice/MediaData freed with DestroySdk called once.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadMedia } from '../src/sources/wecom/media.js';
import { generateTenant, openSandbox, type MediaIndexEntry, type SandboxClient } from '../src/sources/sandbox/index.js';
import type { EncryptedRecord, FinanceClient } from '../src/sources/wecom/client.js';
import { KeyRing, MAX_MEDIA_CHUNK, decryptRecordJson } from '../src/sources/wecom/index.js';
import { createSdkClient, type SdkClient, type SdkClientOptions } from '../src/sources/wecom/sdk-host/index.js';
import {
  buildFakeSdk,
  fakeSdkEnv,
  readDestroyStats,
  setControl,
  type FakeSdkFiles,
} from './fixtures/fake-sdk/harness.js';

const MESSAGES = 2200;
const SECRET = 'archive-secret-for-tests';
let root: string;
let files: FakeSdkFiles;
let libraryPath: string;
let sandbox: SandboxClient;
let ring: KeyRing;
const clients: SdkClient[] = [];

function client(extra: Partial<SdkClientOptions> = {}, env: Partial<FakeSdkFiles> = {}): SdkClient {
  const c = createSdkClient({
    libraryPath,
    corpId: 'wwsandboxcorp',
    secret: SECRET,
    timeoutMs: 20_000,
    retry: { attempts: 3, baseMs: 5, maxMs: 20 },
    env: fakeSdkEnv({ ...files, ...env }),
    ...extra,
  });
  clients.push(c);
  return c;
}

async function pageAll(c: FinanceClient, limit: number): Promise<EncryptedRecord[]> {
  const out: EncryptedRecord[] = [];
  let cursor = '0';
  for (;;) {
    const res = await c.getChatData(cursor, limit);
    expect(res.errcode).toBe(0);
    if (!res.chatdata) return out;
    out.push(...res.chatdata);
    cursor = res.chatdata[res.chatdata.length - 1]?.seq as string;
  }
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sdk-host-'));
  const dataset = join(root, 'tenant');
  [libraryPath] = await Promise.all([
    buildFakeSdk(root),
    generateTenant({ outDir: dataset, seed: 17, messages: MESSAGES }),
  ]);
  files = { dataset, secret: SECRET, control: join(root, 'control'), stats: join(root, 'stats') };
  sandbox = await openSandbox(dataset);
  ring = new KeyRing();
  await ring.loadKeyDir(sandbox.keysDir);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await rm(root, { recursive: true, force: true });
});

describe('SDK client over the vendor ABI', () => {
  it('pages through every record by seq exactly as the SandboxClient does', async () => {
    // small pages make hundreds of calls: lift WeCom's 600 a minute, which rate-limit tests cover
    const c = client({ rateLimit: { perMinute: 1_000_000, burst: 1000 } });
    const expected = await pageAll(sandbox, 1000);
    expect(expected).toHaveLength(MESSAGES);
    const got = await pageAll(c, 1000);
    // the double sends seq as a JSON number like the service; the client hands out strings
    expect(got).toEqual(expected);
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: MESSAGES }, (_, i) => String(i + 1)));
    expect(new Set(got.map((r) => r.msgid)).size).toBe(MESSAGES);
    expect(await pageAll(c, 7)).toEqual(expected);
    expect((await c.getChatData('1999', 3)).chatdata?.map((r) => r.seq)).toEqual(['2000', '2001', '2002']);
    expect(await c.getChatData('18446744073709551615', 10)).toEqual({ errcode: 0, errmsg: 'ok' });
    for (const [seq, limit] of [
      ['0', 0],
      ['0', 1001],
      ['-1', 10],
      ['18446744073709551616', 10],
    ] as const) {
      await expect(c.getChatData(seq, limit)).rejects.toMatchObject({ name: 'SdkError', sdkCode: 10000 });
    }
  });

  it('decrypts every record to the same message text as the SandboxClient', async () => {
    const c = client();
    const records = await pageAll(sandbox, 1000);
    const viaSdk = await Promise.all(records.map((r) => decryptRecordJson(r, ring, (k, m) => c.decryptData(k, m))));
    const viaSandbox = await Promise.all(
      records.map((r) => decryptRecordJson(r, ring, (k, m) => sandbox.decryptData(k, m))),
    );
    expect(viaSdk.map((d) => d.text)).toEqual(viaSandbox.map((d) => d.text));
    expect(viaSdk.map((d) => (d.json as { msgid: string }).msgid)).toEqual(records.map((r) => r.msgid));
    const key = ring.decryptRandomKey(records[0]!.publickey_ver, records[0]!.encrypt_random_key);
    await expect(c.decryptData(`${key}x`, records[0]!.encrypt_chat_msg)).rejects.toMatchObject({ sdkCode: 10006 });
    await expect(c.decryptData(key, 'not base64!')).rejects.toMatchObject({ sdkCode: 10006 });
  });

  it('downloads every media file chunk by chunk with the same chunks and MD5 as the SandboxClient', async () => {
    const c = client();
    const index = JSON.parse(await readFile(join(files.dataset, 'media', 'index.json'), 'utf8')) as Record<
      string,
      MediaIndexEntry
    >;
    const ids = Object.keys(index);
    expect(ids.length).toBeGreaterThan(20);
    let chunked = 0;
    for (const id of ids) {
      let indexbuf = '';
      const parts: Buffer[] = [];
      for (;;) {
        const [mine, theirs] = await Promise.all([c.getMediaData(id, indexbuf), sandbox.getMediaData(id, indexbuf)]);
        expect(mine.data.length).toBeLessThanOrEqual(MAX_MEDIA_CHUNK);
        expect({ ...mine, data: md5(mine.data) }).toEqual({ ...theirs, data: md5(theirs.data) });
        parts.push(mine.data);
        if (mine.isFinish) break;
        expect(mine.outIndexBuf).toMatch(/^Range:bytes=\d+-\d+$/);
        indexbuf = mine.outIndexBuf;
      }
      if (parts.length > 1) chunked++;
      expect(md5(Buffer.concat(parts))).toBe(index[id]!.md5);
    }
    expect(chunked).toBeGreaterThan(0);
    // the pipeline's own download loop over the same client
    const big = ids.find((id) => index[id]!.size > 2 * MAX_MEDIA_CHUNK) ?? ids[0]!;
    expect(md5(await downloadMedia(c, big))).toBe(index[big]!.md5);
    await expect(c.getMediaData('no-such-file', '')).rejects.toMatchObject({ name: 'SdkError', sdkCode: 10005 });
    await expect(c.getMediaData(big, 'bytes=0-1')).rejects.toMatchObject({ sdkCode: 10000 });
  });

  it('frees every Slice and MediaData, also on error paths, and destroys the SDK once on close', async () => {
    const stats = join(root, 'stats-leaks');
    const c = client({}, { stats });
    const page = await c.getChatData('0', 50);
    const r = page.chatdata![0]!;
    await c.decryptData(ring.decryptRandomKey(r.publickey_ver, r.encrypt_random_key), r.encrypt_chat_msg);
    await expect(c.decryptData('wrong', r.encrypt_chat_msg)).rejects.toMatchObject({ sdkCode: 10006 });
    await expect(c.getMediaData('no-such-file', '')).rejects.toMatchObject({ sdkCode: 10005 });
    await expect(c.getChatData('0', 1001)).rejects.toMatchObject({ sdkCode: 10000 });
    expect(await readDestroyStats(stats)).toEqual([]);
    await c.close();
    await c.close();
    expect(await readDestroyStats(stats)).toEqual([{ slices: 0, media: 0, calls: 4 }]);
    expect(c.stats).toMatchObject({ starts: 1, crashes: 0, hangs: 0 });
    await expect(c.getChatData('0', 1)).rejects.toMatchObject({ sdkCode: 10000 });
  });

  it('hands the configured proxy to the library', async () => {
    const control = join(root, 'control-proxy');
    await setControl(control, { require_proxy: 'socks5://127.0.0.1:1080' });
    const withProxy = client({ proxy: 'socks5://127.0.0.1:1080', passwd: 'u:p' }, { control });
    expect((await withProxy.getChatData('0', 5)).chatdata).toHaveLength(5);
    const without = client({}, { control });
    // the double answers a network error without the proxy: retried, then given up as 10001
    await expect(without.getChatData('0', 5)).rejects.toMatchObject({ name: 'SdkError', sdkCode: 10001 });
  });
});

describe('SDK client failures that stop the connector', () => {
  it('reports a library that cannot be loaded as a configuration problem', async () => {
    const c = client({ libraryPath: join(root, 'missing', 'libWeWorkFinanceSdk_C.so') });
    await expect(c.getChatData('0', 10)).rejects.toMatchObject({
      code: 'WXA_SDK_UNAVAILABLE',
      kind: 'config',
      message: expect.stringContaining('sdkLibrary'),
    });
  });

  it('never uses an SDK whose Init failed (the double segfaults if it is used)', async () => {
    const c = client({}, { dataset: '' });
    await expect(c.getChatData('0', 10)).rejects.toMatchObject({
      code: 'WXA_SDK_UNAVAILABLE',
      message: expect.stringMatching(/Init failed .* 10000/),
    });
    expect(c.stats.crashes).toBe(0);
  });

  it('classifies 10009 (IP not allowed) as configuration and 10010 as an SdkError for the pipeline', async () => {
    const control = join(root, 'control-codes');
    await setControl(control, { chat_result: 10009 });
    const c = client({}, { control });
    await expect(c.getChatData('0', 10)).rejects.toMatchObject({
      code: 'WXA_SOURCE_FORBIDDEN',
      kind: 'config',
      message: expect.stringContaining('trusted IP'),
    });
    await setControl(control, { chat_result: 10010 });
    await expect(c.getChatData('0', 10)).rejects.toMatchObject({ name: 'SdkError', sdkCode: 10010 });
    await setControl(control, {});
    expect((await c.getChatData('0', 10)).chatdata).toHaveLength(10);
  });
});
