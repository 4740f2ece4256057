import { constants, createHash, createPrivateKey, privateDecrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { conversationOf, personKindOf } from '../../core/model.js';
import type { EncryptedRecord } from '../wecom/client.js';
import { SdkError } from '../wecom/client.js';
import { sandboxDecryptData, sandboxEncryptData } from './encrypt.js';
import { generateTenant } from './generate.js';
import { TEST_KEYS_VARIABLE } from './keys.js';
import type { MediaIndexEntry } from './media.js';
import { ALL_MSGTYPES } from './messages.js';
import { sdkFileIdsOf } from './payloads.js';
import type { TenantInfo } from './tenant.js';

// The key ring is another module's job; this is the smallest RSA step that checks our records:
// raw RSA (Node 20 refuses PKCS#1 private decryption) and PKCS#1 v1.5 type-2 unpadding.
function rsaKeyString(key: KeyObject, b64: string): string {
  const block = Buffer.from(b64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || block.length !== 256) throw new Error('not base64 of a 2048-bit block');
  const em = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, block);
  const sep = em.indexOf(0, 2);
  if (em[0] !== 0 || em[1] !== 2 || sep < 10) throw new Error('not PKCS#1 v1.5 type 2');
  return em.subarray(sep + 1).toString('latin1');
}

type Decrypted = { record: EncryptedRecord; body?: Buffer; error?: string };

async function loadKeys(dir: string): Promise<Map<number, KeyObject>> {
  const keys = new Map<number, KeyObject>();
  for (const sub of ['keys', 'keys-withheld']) {
    for (const f of await readdir(join(dir, sub))) {
      keys.set(Number(/v(\d+)\.pem/.exec(f)?.[1]), createPrivateKey(await readFile(join(dir, sub, f), 'utf8')));
    }
  }
  return keys;
}

async function records(dir: string): Promise<EncryptedRecord[]> {
  const text = await readFile(join(dir, 'chatdata.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EncryptedRecord);
}

async function decryptAll(dir: string): Promise<Decrypted[]> {
  const keys = await loadKeys(dir);
  return (await records(dir)).map((record) => {
    try {
      const keyString = rsaKeyString(keys.get(record.publickey_ver) as KeyObject, record.encrypt_random_key);
      return { record, body: sandboxDecryptData(keyString, record.encrypt_chat_msg) };
    } catch (err) {
      return { record, error: err instanceof SdkError ? `sdk ${err.sdkCode}` : (err as Error).message };
    }
  });
}

const messagesOf = (all: Decrypted[]): Record<string, unknown>[] =>
  all
    .filter((d) => d.body)
    .flatMap((d) => {
      try {
        return [JSON.parse((d.body as Buffer).toString('utf8')) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

const tenantOf = async (dir: string): Promise<TenantInfo> =>
  JSON.parse(await readFile(join(dir, 'tenant.json'), 'utf8')) as TenantInfo;

let root: string;
let a: string;
let b: string;
let small: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sandbox-gen-'));
  a = join(root, 'a');
  b = join(root, 'b');
  small = join(root, 'small');
  const faults = { missingKeyVersion: 2, malformed: 5 };
  // Fresh keys here, as outside the test suite (its other tenants share one set, see keys.ts).
  vi.stubEnv(TEST_KEYS_VARIABLE, '');
  try {
    await generateTenant({ outDir: a, seed: 42, messages: 400, faults });
  } finally {
    vi.unstubAllEnvs();
  }
  await generateTenant({ outDir: b, seed: 42, messages: 400, faults, keysDir: join(a, 'keys') });
  await generateTenant({ outDir: small, seed: 3, messages: 60, keysDir: join(a, 'keys') });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateTenant', () => {
  it('gives the same decrypted stream for the same seed and count, with fresh ciphertexts', async () => {
    const [da, db] = [await decryptAll(a), await decryptAll(b)];
    expect(da.length).toBe(400);
    expect(da.map((d) => d.body?.toString('base64') ?? d.error)).toEqual(
      db.map((d) => d.body?.toString('base64') ?? d.error),
    );
    expect(da[0]?.record.encrypt_chat_msg).not.toBe(db[0]?.record.encrypt_chat_msg);
    expect(await readFile(join(a, 'media', 'index.json'), 'utf8')).toBe(
      await readFile(join(b, 'media', 'index.json'), 'utf8'),
    );
    const other = messagesOf(await decryptAll(small));
    expect(other[0]?.msgid).not.toBe(messagesOf(da)[0]?.msgid);
  });

  it('has every msgtype, a switch and a recall within 60 messages', async () => {
    const msgs = messagesOf(await decryptAll(small));
    expect(msgs).toHaveLength(60);
    const types = new Set(msgs.filter((m) => m.action !== 'switch').map((m) => m.msgtype));
    for (const t of ALL_MSGTYPES) expect(types, t).toContain(t);
    const sw = msgs.find((m) => m.action === 'switch');
    expect(Object.keys(sw ?? {}).sort()).toEqual(['action', 'msgid', 'time', 'user']);
    const recalls = msgs.filter((m) => m.action === 'recall');
    expect(recalls.length).toBeGreaterThan(0);
    for (const r of recalls) {
      expect(r.msgtype).toBe('revoke');
      const pre = (r.revoke as { pre_msgid: string }).pre_msgid;
      const idx = msgs.findIndex((m) => m.msgid === pre);
      const orig = msgs[idx] as Record<string, unknown>;
      expect(idx).toBeGreaterThanOrEqual(0);
      expect(idx).toBeLessThan(msgs.indexOf(r));
      const conv = (m: Record<string, unknown>): string =>
        conversationOf(m.from as string, m.tolist as string[], m.roomid as string).id;
      expect(conv(orig)).toBe(conv(r));
    }
  });

  it('uses the vendor field shapes and units', async () => {
    const msgs = messagesOf(await decryptAll(small));
    const of = (t: string): Record<string, unknown> => msgs.find((m) => m.msgtype === t) as Record<string, unknown>;
    const items = (of('chatrecord').chatrecord as { item: { type: string; content: unknown }[] }).item;
    expect(new Set(items.map((i) => i.type)).size).toBeGreaterThanOrEqual(4);
    for (const i of items) expect(typeof i.content).toBe('string');
    expect(items.some((i) => (JSON.parse(i.content as string) as { sdkfileid?: string }).sdkfileid)).toBe(true);
    expect(of('meeting_voice_call').voiceid).toMatch(/^gr/);
    expect((of('meeting_voice_call').meeting_voice_call as { sdkfileid: string }).sdkfileid).toBeTruthy();
    expect(of('voip_doc_share').voipid).toMatch(/^gr/);
    expect(of('voiptext').info).toEqual({ callduration: expect.any(Number), invitetype: expect.any(Number) });
    expect((of('calendar').calendar as { starttime: number }).starttime).toBeLessThan(1e10); // seconds
    let prev = 0;
    for (const m of msgs) {
      const t = (m.msgtime ?? m.time) as number;
      expect(t).toBeGreaterThan(prev);
      prev = t;
      if (m.action === 'switch') continue;
      const people = [m.from as string, ...(m.tolist as string[])];
      expect(String(m.msgid).endsWith('_external')).toBe(people.some((p) => personKindOf(p) === 'external'));
    }
    const span = prev - ((msgs[0]?.msgtime as number) ?? 0);
    expect(span).toBeLessThan(5 * 86_400_000);
  });

  it('numbers seq from 1 and rotates from key v1 (PKCS#8) to v2 (PKCS#1) halfway', async () => {
    const recs = await records(a);
    recs.forEach((r, i) => expect(r.seq).toBe(String(i + 1)));
    const vers = recs.map((r) => r.publickey_ver);
    expect(vers.slice(0, 200).filter((v) => v !== 1 && v !== 3)).toEqual([]);
    expect(vers.slice(200).filter((v) => v !== 2 && v !== 3)).toEqual([]);
    expect(await readFile(join(a, 'keys', 'v1.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await readFile(join(a, 'keys', 'v2.pem'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    const t = await tenantOf(a);
    expect(t.keyVersions.map((k) => [k.version, k.withheld, k.records])).toEqual([
      [1, false, vers.filter((v) => v === 1).length],
      [2, false, vers.filter((v) => v === 2).length],
      [3, true, 2],
    ]);
  });

  it('makes the requested faults, each failing the way its kind says', async () => {
    const t = await tenantOf(a);
    expect(await readdir(join(a, 'keys'))).toEqual(['v1.pem', 'v2.pem']);
    expect(t.faults.map((f) => f.kind).sort()).toEqual(
      [
        'body-dirty',
        'body-not-json',
        'chat-msg-corrupt',
        'key-not-base64',
        'missing-key',
        'missing-key',
        'rsa-padding',
      ].sort(),
    );
    const all = await decryptAll(a);
    for (const f of t.faults) {
      const d = all.find((x) => x.record.msgid === f.msgid) as Decrypted;
      expect(d.record.seq).toBe(f.seq);
      expect(Number(f.seq)).toBeGreaterThan(32); // after the first cycle
      const parses = (): unknown => JSON.parse((d.body as Buffer).toString('utf8'));
      switch (f.kind) {
        case 'missing-key':
          expect(d.record.publickey_ver).toBe(3);
          expect(d.body).toBeDefined(); // readable with the withheld key
          break;
        case 'key-not-base64':
          expect(d.error).toMatch(/base64/);
          break;
        case 'rsa-padding':
          expect(d.error).toMatch(/PKCS#1/);
          break;
        case 'chat-msg-corrupt':
          expect(d.error).toBe('sdk 10006');
          break;
        case 'body-not-json':
          expect(parses).toThrow();
          break;
        case 'body-dirty': {
          expect(parses).toThrow();
          const text = new TextDecoder('utf-8').decode(d.body);
          const cleaned = [...text].filter((c) => c.charCodeAt(0) >= 0x20).join('');
          const msg = JSON.parse(cleaned) as { msgid: string; text: { content: string } };
          expect(msg.msgid).toBe(f.msgid);
          expect(msg.text.content).toContain('\ufffd');
          break;
        }
      }
      expect(f.recoverable).toBe(f.kind === 'missing-key' || f.kind === 'body-dirty');
    }
  });

  it('indexes every sdkfileid with bytes whose size and md5 match the message', async () => {
    const msgs = messagesOf(await decryptAll(small));
    const index = JSON.parse(await readFile(join(small, 'media', 'index.json'), 'utf8')) as Record<
      string,
      MediaIndexEntry
    >;
    const ids = msgs.flatMap(sdkFileIdsOf);
    expect(ids.length).toBeGreaterThan(10);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      const e = index[id] as MediaIndexEntry;
      const bytes = await readFile(join(small, 'media', e.file));
      expect(bytes.length).toBe(e.size);
      expect(createHash('md5').update(bytes).digest('hex')).toBe(e.md5);
    }
    const image = msgs.find((m) => m.msgtype === 'image')?.image as {
      sdkfileid: string;
      md5sum: string;
      filesize: number;
    };
    expect([image.md5sum, image.filesize]).toEqual([index[image.sdkfileid]?.md5, index[image.sdkfileid]?.size]);
    expect(Math.max(...Object.values(index).map((e) => e.size))).toBeGreaterThan(1024 * 1024);
  });

  it('makes fresh keys, or under the test suite takes the keys of the run when it is given none', async () => {
    const suiteKeys = process.env[TEST_KEYS_VARIABLE];
    expect(suiteKeys, 'the global setup names the keys of the run').toBeTruthy();
    // `a` was made with the variable empty: keys of its own
    expect(await readFile(join(a, 'keys', 'v1.pem'), 'utf8')).not.toBe(
      await readFile(join(suiteKeys!, 'v1.pem'), 'utf8'),
    );
    const shared = join(root, 'shared-keys');
    await generateTenant({ outDir: shared, seed: 5, messages: 10 });
    for (const [sub, file] of [
      ['keys', 'v1.pem'],
      ['keys', 'v2.pem'],
      ['keys-withheld', 'v3.pem'],
    ] as const)
      expect(await readFile(join(shared, sub, file), 'utf8'), file).toBe(
        await readFile(join(suiteKeys!, '..', sub, file), 'utf8'),
      );
  });

  it('refuses to overwrite a tenant and checks its options', async () => {
    await expect(generateTenant({ outDir: small, seed: 3, messages: 1 })).rejects.toMatchObject({
      code: 'WXA_CONFIG_INVALID',
    });
    await expect(generateTenant({ outDir: join(root, 'x'), seed: 1, messages: -1 })).rejects.toThrow(/messages -1/);
    await expect(
      generateTenant({ outDir: join(root, 'y'), seed: 1, messages: 3, faults: { malformed: 5 } }),
    ).rejects.toThrow(/5 faulty records/);
  });
});

describe('sandboxDecryptData', () => {
  it('round-trips and answers 10006 for a wrong key or altered data', () => {
    const msg = sandboxEncryptData('k'.repeat(32), Buffer.from('{"a":1}'));
    expect(sandboxDecryptData('k'.repeat(32), msg).toString()).toBe('{"a":1}');
    for (const [key, data] of [
      ['x'.repeat(32), msg],
      ['k'.repeat(32), msg.slice(0, 20)],
      ['k'.repeat(32), 'not base64!'],
      ['', msg],
    ] as const) {
      expect(() => sandboxDecryptData(key, data)).toThrow(expect.objectContaining({ sdkCode: 10006 }) as Error);
    }
  });
});

describe('generateTenant with an include file', () => {
  const captured = [
    { msgid: 'inc-1', action: 'send', from: 'zhangwei', tolist: ['wmCLIENT'], roomid: '', msgtime: 1_700_000_000_000, msgtype: 'text', text: { content: '含 "引号" and \\ slash' } },
    { msgid: 'inc-2_external', action: 'send', from: 'wmCLIENT', tolist: ['zhangwei'], roomid: '', msgtime: 1_700_000_001_000, msgtype: 'image', image: { md5sum: 'x', filesize: 3, sdkfileid: 'inc-img' } },
    { msgid: 'inc-3', action: 'send', from: 'zhangwei', tolist: ['lina'], roomid: '', msgtime: 1_700_000_002_000, msgtype: 'chatrecord', chatrecord: { title: 't', item: [{ type: 'ChatRecordFile', msgtime: 1_700_000_000, content: JSON.stringify({ sdkfileid: 'inc-doc', filename: 'a.pdf' }), from_chatroom: false }] } },
    { msgid: 'inc-4', action: 'switch', time: 1_700_000_003_000, user: 'zhangwei' },
  ]; // prettier-ignore
  let inc: string;
  let mediaDir: string;

  beforeAll(async () => {
    inc = join(root, 'captured.jsonl');
    mediaDir = join(root, 'captured-media');
    await mkdir(join(mediaDir, 'sub'), { recursive: true });
    await writeFile(join(mediaDir, 'photo.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    await writeFile(join(mediaDir, 'sub', 'doc.pdf'), '%PDF-1.4 tiny');
    await writeFile(
      join(mediaDir, 'manifest.json'),
      JSON.stringify({ 'inc-img': 'photo.jpg', 'inc-doc': 'sub/doc.pdf' }),
    );
    await writeFile(inc, `${captured.map((m) => JSON.stringify(m)).join('\n')}\n`);
  });

  it('replays the captured messages after the generated ones with their media', async () => {
    const out = join(root, 'inc');
    const s = await generateTenant({
      outDir: out,
      seed: 8,
      messages: 60,
      include: inc,
      mediaDir,
      keysDir: join(a, 'keys'),
    });
    expect([s.counts.records, s.counts.generated, s.counts.included, s.counts.unresolvedMedia]).toEqual([64, 60, 4, 0]);
    const all = await decryptAll(out);
    expect(all.slice(60).map((d) => d.record.seq)).toEqual(['61', '62', '63', '64']);
    expect(all.slice(60).map((d) => JSON.parse((d.body as Buffer).toString('utf8')) as unknown)).toEqual(captured);
    expect(all.map((d) => d.record.publickey_ver)).toEqual([...Array(32).fill(1), ...Array(32).fill(2)]);
    const index = JSON.parse(await readFile(join(out, 'media', 'index.json'), 'utf8')) as Record<
      string,
      MediaIndexEntry
    >;
    for (const [id, name] of [
      ['inc-img', 'photo.jpg'],
      ['inc-doc', 'sub/doc.pdf'],
    ] as const) {
      const original = await readFile(join(mediaDir, name));
      const e = index[id] as MediaIndexEntry;
      expect((await readFile(join(out, 'media', e.file))).equals(original)).toBe(true);
      expect([e.size, e.md5]).toEqual([original.length, createHash('md5').update(original).digest('hex')]);
    }
  });

  it('takes an include file alone and counts media it cannot resolve', async () => {
    const s = await generateTenant({
      outDir: join(root, 'inc-only'),
      seed: 8,
      messages: 0,
      include: inc,
      keysDir: join(a, 'keys'),
    });
    expect([s.counts.records, s.counts.unresolvedMedia, s.first?.seq]).toEqual([4, 2, '1']);
  });

  it('names the file, line and problem of a bad line and writes nothing', async () => {
    const cases: [string, RegExp][] = [
      ['{"msgid":', /line 2: not valid JSON/],
      ['{"msgid":"z","action":"send","from":"a","tolist":[],"msgtype":"text"}', /line 2: "msgtime" \(ms\) is missing/],
      ['{"msgid":"z","action":"bogus"}', /line 2: "action" must be/],
      ['{"msgid":"inc-1","action":"switch","time":1,"user":"a"}', /line 2: msgid inc-1 appears twice/],
      [
        '{"msgid":"z","action":"send","from":"a","tolist":[],"msgtime":1,"msgtype":"image","image":{"sdkfileid":"nope"}}',
        /line 2: sdkfileid nope\.\.\. is not in/,
      ],
    ];
    for (const [i, [line, why]] of cases.entries()) {
      const bad = join(root, `bad-${i}.jsonl`);
      await writeFile(bad, `${JSON.stringify(captured[0])}\n${line}\n`);
      const out = join(root, `bad-out-${i}`);
      const err: unknown = await generateTenant({ outDir: out, seed: 1, messages: 0, include: bad, mediaDir }).catch(
        (e: unknown) => e,
      );
      expect(isArchiverError(err, 'WXA_MESSAGE_MALFORMED'), String(err)).toBe(true);
      expect((err as Error).message).toContain(bad);
      expect((err as Error).message).toMatch(why);
      await expect(stat(out)).rejects.toThrow(/ENOENT/);
    }
  });
});
