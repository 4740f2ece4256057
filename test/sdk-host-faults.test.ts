// The SDK client under the vendor library's failure modes, played by the C double: daily network
// errors, answers without chatdata, service errcodes, a media download cut midway, and the host
// process crashing (abort, exit, segfault) or hanging. Each time every record must still arrive
// exactly once and in order, or the failure must come out classified with what to do.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadMedia } from '../src/sources/wecom/media.js';
import { generateTenant, openSandbox, type MediaIndexEntry, type SandboxClient } from '../src/sources/sandbox/index.js';
import type { EncryptedRecord, FinanceClient } from '../src/sources/wecom/client.js';
import { KeyRing, MAX_MEDIA_CHUNK, decryptRecordJson } from '../src/sources/wecom/index.js';
import {
  createSdkClient,
  type HostLogger,
  type SdkClient,
  type SdkClientOptions,
} from '../src/sources/wecom/sdk-host/index.js';
import {
  buildFakeSdk,
  fakeSdkEnv,
  readDestroyStats,
  setControl,
  type FakeSdkControl,
  type FakeSdkFiles,
} from './fixtures/fake-sdk/harness.js';

const MESSAGES = 1200;
const SECRET = 'archive-secret-for-tests';
let root: string;
let dataset: string;
let libraryPath: string;
let sandbox: SandboxClient;
let ring: KeyRing;
let expected: EncryptedRecord[];
let expectedTexts: string[];
let media: Record<string, MediaIndexEntry>;
const clients: SdkClient[] = [];
let n = 0;

interface Harness {
  c: SdkClient;
  files: FakeSdkFiles;
  warnings: { obj: object; msg: string }[];
  control: (c: FakeSdkControl) => Promise<void>;
}

/** A client with its own control and stats files, so tests do not steer each other's double. */
async function harness(control: FakeSdkControl, extra: Partial<SdkClientOptions> = {}): Promise<Harness> {
  const id = ++n;
  const files = { dataset, secret: SECRET, control: join(root, `control-${id}`), stats: join(root, `stats-${id}`) };
  await setControl(files.control, control);
  const warnings: Harness['warnings'] = [];
  const logger: HostLogger = {
    info: () => undefined,
    warn: (obj, msg) => warnings.push({ obj, msg }),
    error: (obj, msg) => warnings.push({ obj, msg }),
  };
  const c = createSdkClient({
    libraryPath,
    corpId: 'wwsandboxcorp',
    secret: SECRET,
    timeoutMs: 20_000,
    retry: { attempts: 4, baseMs: 2, maxMs: 10 },
    restart: { baseMs: 10, maxMs: 50 },
    rateLimit: { perMinute: 1_000_000, burst: 1000 },
    env: fakeSdkEnv(files),
    logger,
    ...extra,
  });
  clients.push(c);
  return { c, files, warnings, control: (next) => setControl(files.control, next) };
}

async function pageAll(c: FinanceClient, limit: number): Promise<EncryptedRecord[]> {
  const out: EncryptedRecord[] = [];
  let cursor = '0';
  for (;;) {
    const res = await c.getChatData(cursor, limit);
    if (!res.chatdata) return out;
    out.push(...res.chatdata);
    cursor = res.chatdata[res.chatdata.length - 1]?.seq as string;
  }
}

const decryptAll = (c: FinanceClient, records: EncryptedRecord[]) =>
  Promise.all(records.map((r) => decryptRecordJson(r, ring, (k, m) => c.decryptData(k, m)).then((d) => d.text)));

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const bigMedia = () => Object.keys(media).find((id) => media[id]!.size > 2 * MAX_MEDIA_CHUNK) as string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sdk-host-faults-'));
  dataset = join(root, 'tenant');
  [libraryPath] = await Promise.all([
    buildFakeSdk(root),
    generateTenant({ outDir: dataset, seed: 29, messages: MESSAGES }),
  ]);
  sandbox = await openSandbox(dataset);
  ring = new KeyRing();
  await ring.loadKeyDir(sandbox.keysDir);
  expected = await pageAll(sandbox, 1000);
  expectedTexts = await decryptAll(sandbox, expected);
  media = JSON.parse(await readFile(join(dataset, 'media', 'index.json'), 'utf8')) as Record<string, MediaIndexEntry>;
  expect(bigMedia()).toBeDefined();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await rm(root, { recursive: true, force: true });
});

describe('passing failures are retried inside the client', () => {
  it('intermittent 10001/10003: every record, message and media file still arrives once', async () => {
    const h = await harness({ chat_fail_every: 3, media_fail_every: 2, decrypt_fail_every: 7 });
    const got = await pageAll(h.c, 100);
    expect(got).toEqual(expected);
    expect(await decryptAll(h.c, got)).toEqual(expectedTexts);
    for (const id of Object.keys(media).slice(0, 10).concat(bigMedia())) {
      expect(md5(await downloadMedia(h.c, id))).toBe(media[id]!.md5);
    }
    const retried = new Set(h.warnings.map((w) => (w.obj as { call?: string }).call));
    expect(retried).toEqual(new Set(['GetChatData', 'DecryptData', 'GetMediaData']));
    expect(h.c.stats.crashes).toBe(0);
    await h.c.close();
    expect(await readDestroyStats(h.files.stats)).toMatchObject([{ slices: 0, media: 0 }]);
  });

  it('gives up on a persistent network error after the bounded retries with SdkError(10001)', async () => {
    const h = await harness({ chat_fail_every: 1 });
    await expect(h.c.getChatData('0', 10)).rejects.toMatchObject({ name: 'SdkError', sdkCode: 10001 });
    expect(h.warnings.filter((w) => w.msg.includes('will retry'))).toHaveLength(3);
  });

  it('treats an answer without chatdata as nothing new', async () => {
    const h = await harness({ chat_omit: 1 });
    expect(await h.c.getChatData('0', 100)).toEqual({ errcode: 0, errmsg: 'ok' });
    await h.control({});
    expect((await h.c.getChatData('0', 100)).chatdata).toEqual(expected.slice(0, 100));
  });

  it('completes a media download cut midway by retrying only the failed chunk', async () => {
    const h = await harness({ media_cut_chunk: 1 });
    const id = bigMedia();
    expect(md5(await downloadMedia(h.c, id))).toBe(media[id]!.md5);
    expect(h.warnings.map((w) => w.obj)).toEqual([expect.objectContaining({ call: 'GetMediaData', attempt: 1 })]);
  });
});

describe('service errcodes inside a successful GetChatData', () => {
  it('a wrong secret (errcode 48002) is an auth error that says which secret to set', async () => {
    const h = await harness({}, { secret: 'an-app-secret' });
    await expect(h.c.getChatData('0', 10)).rejects.toMatchObject({
      name: 'ArchiverError',
      code: 'WXA_SOURCE_AUTH',
      kind: 'auth',
      message: expect.stringMatching(/48002.*conversation-archive secret.*secretEnv/),
    });
    expect(h.warnings).toEqual([]);
  });

  it('an expired subscription (301052) stops the connector; an unknown errcode is transient', async () => {
    const h = await harness({ chat_errcode: 301052 });
    await expect(h.c.getChatData('0', 10)).rejects.toMatchObject({
      code: 'WXA_SOURCE_SUBSCRIPTION',
      kind: 'config',
      message: expect.stringContaining('renew'),
    });
    await h.control({ chat_errcode: 45009 });
    await expect(h.c.getChatData('0', 10)).rejects.toMatchObject({ code: 'WXA_SOURCE_FAILED', kind: 'transient' });
    await h.control({ chat_errcode: -1 });
    await expect(h.c.getChatData('0', 10)).rejects.toMatchObject({ code: 'WXA_SOURCE_FAILED' });
    expect(h.warnings.length).toBe(3);
  });
});

describe('the host process crashes or hangs', () => {
  it('survives an abort on call N: restarts, retries the call, loses and duplicates nothing', async () => {
    const h = await harness({ crash_on_call: 4 });
    expect(await pageAll(h.c, 100)).toEqual(expected);
    expect(h.c.stats).toMatchObject({ starts: 2, crashes: 1, hangs: 0, lastExit: 'signal SIGABRT' });
    await stat(`${h.files.control}.fired-crash`);
    expect(h.warnings[0]?.obj).toMatchObject({ call: 'GetChatData(seq 300, limit 100)' });
  });

  it('replays a batch of DecryptData calls cut by the host exiting, each answered once', async () => {
    const h = await harness({ crash_on_call: 150, fault_fn: 'decrypt', crash_mode: 'exit' });
    expect(await decryptAll(h.c, expected)).toEqual(expectedTexts);
    expect(h.c.stats).toMatchObject({ starts: 2, crashes: 1, lastExit: 'exit code 3' });
    expect(h.c.stats.replies).toBe(expected.length);
  });

  it('the parent survives the host segfaulting and keeps serving', async () => {
    const h = await harness({ crash_on_call: 2, crash_mode: 'segv' });
    expect((await h.c.getChatData('0', 10)).chatdata).toEqual(expected.slice(0, 10));
    expect((await h.c.getChatData('10', 10)).chatdata).toEqual(expected.slice(10, 20));
    expect(h.c.stats).toMatchObject({ crashes: 1, lastExit: 'signal SIGSEGV' });
    expect((await h.c.getChatData('20', 10)).chatdata).toEqual(expected.slice(20, 30));
  });

  it('kills a host that hangs past the timeout, restarts it and retries the call', async () => {
    const timeoutMs = 4000;
    const h = await harness({ hang_on_call: 2, hang_seconds: 120 }, { timeoutMs, sdkTimeoutSec: 1 });
    const started = Date.now();
    expect(await pageAll(h.c, 500)).toEqual(expected);
    expect(Date.now() - started).toBeGreaterThanOrEqual(timeoutMs);
    expect(h.c.stats).toMatchObject({ starts: 2, crashes: 0, hangs: 1 });
    expect(h.c.stats.lastExit).toContain(`did not answer within ${timeoutMs} ms`);
  });

  it('gives a call up with WXA_SDK_CRASHED after bounded restarts, then recovers', async () => {
    const h = await harness(
      { crash_on_call: 1, fault_repeat: 1 },
      { restart: { baseMs: 10, maxMs: 50, maxCallAttempts: 3 } },
    );
    await expect(h.c.getChatData('0', 10)).rejects.toMatchObject({
      code: 'WXA_SDK_CRASHED',
      kind: 'transient',
      message: expect.stringContaining('GetChatData(seq 0, limit 10)'),
    });
    expect(h.c.stats).toMatchObject({ starts: 3, crashes: 3 });
    await h.control({});
    expect((await h.c.getChatData('0', 10)).chatdata).toEqual(expected.slice(0, 10));
    await h.c.close();
    expect(await readDestroyStats(h.files.stats)).toEqual([{ slices: 0, media: 0, calls: 1 }]);
  });
});

describe('rate limit', () => {
  it("keeps GetChatData under the configured calls per minute (WeCom's 600 by default)", async () => {
    const h = await harness({}, { rateLimit: { perMinute: 120, burst: 2 } });
    await h.c.getChatData('0', 1); // starts the host: its start-up time is not part of the measure
    const started = Date.now();
    for (let i = 0; i < 5; i++) await h.c.getChatData(String(i), 1);
    // at most the burst (2) goes at once, then (120 - 2) a minute: at least 3 waits of ~508 ms
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 508 - 50);
  });
});
