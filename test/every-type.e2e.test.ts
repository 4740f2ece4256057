// Every msgtype end to end: hand-written decrypted WeCom messages (one per type, with WeCom's
// field names) are replayed through `sandbox generate --include`, encrypted, captured,
// decrypted, parsed, mapped, rendered and archived; each archived MIME is compared with a
// golden file and parsed back by an independent parser (mailparser).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, tempDir } from './helpers/cli.js';

const FIXTURES = join(import.meta.dirname, '..', 'src', 'sources', 'wecom', 'fixtures');
const GOLDEN = join(import.meta.dirname, 'golden', 'every-type');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Fixture {
  name: string;
  msgid: string;
  msgtime: number;
  sdkfileids: string[];
}

let dir: { path: string; cleanup: () => Promise<void> };
let fixtures: Fixture[];
let config: string;
const media = new Map<string, Buffer>();

/** Deterministic bytes for a media id: the test owns them, so it can compare what comes back. */
function bytesFor(id: string): Buffer {
  return Buffer.from(`media of ${id} `.repeat(64));
}

beforeAll(async () => {
  dir = await tempDir('every-type');
  const names = (await readdir(FIXTURES)).filter((f) => f.endsWith('.json')).sort();
  fixtures = [];
  const lines: string[] = [];
  for (const file of names) {
    const text = await readFile(join(FIXTURES, file), 'utf8');
    const json = JSON.parse(text) as { msgid: string; msgtime?: number; time?: number };
    // sdkfileids also sit inside nested JSON strings (chatrecord, mixed), escaped once or twice.
    const ids = [...text.matchAll(/sdkfileid\\*"\s*:\s*\\*"([A-Za-z0-9_-]+)/g)].map((m) => m[1]!);
    fixtures.push({
      name: file.replace(/\.json$/, ''),
      msgid: json.msgid,
      msgtime: json.msgtime ?? json.time ?? 0,
      sdkfileids: ids,
    });
    lines.push(JSON.stringify(json));
    for (const id of ids) media.set(id, bytesFor(id));
  }
  const mediaDir = join(dir.path, 'media');
  await mkdir(mediaDir);
  const manifest: Record<string, string> = {};
  for (const [id, bytes] of media) {
    await writeFile(join(mediaDir, `${id}.bin`), bytes);
    manifest[id] = `${id}.bin`;
  }
  await writeFile(join(mediaDir, 'manifest.json'), JSON.stringify(manifest));
  await writeFile(join(dir.path, 'messages.jsonl'), lines.join('\n') + '\n');
  const gen = await cli(
    'sandbox',
    'generate',
    '--out',
    join(dir.path, 'tenant'),
    '--seed',
    '4',
    '--messages',
    '0',
    '--include',
    join(dir.path, 'messages.jsonl'),
    '--media',
    mediaDir,
  );
  expect(gen.code, gen.stderr).toBe(0);
  config = join(dir.path, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      dataDir: join(dir.path, 'data'),
      workers: 0,
      connectors: [
        {
          id: 'fixtures',
          source: { kind: 'sandbox', dir: join(dir.path, 'tenant') },
          mapping: { addressTemplate: '{userid}@example.com', catchAll: 'compliance@example.com' },
        },
      ],
    }),
  );
});

afterAll(async () => {
  await dir.cleanup();
});

describe('every msgtype through the whole pipeline', () => {
  it('archives every fixture, none held or failed', async () => {
    const r = await cliJson<{
      fetched: number;
      archived: number;
      heldTotal: number;
      failed: number;
      byType: Record<string, number>;
    }>('run', '--once', '--config', config);
    expect(r.fetched).toBe(fixtures.length);
    expect(r.archived).toBe(fixtures.length);
    expect(r.heldTotal).toBe(0);
    expect(r.failed).toBe(0);
    expect(r.byType.solitaire).toBe(1);
  });

  it('renders each type to its golden MIME, parseable with text, attachments and date intact', async () => {
    if (UPDATE) await mkdir(GOLDEN, { recursive: true });
    for (const f of fixtures) {
      const shown = await cli('item', 'show', f.msgid, '--mime', '--config', config);
      expect(shown.code, `${f.name}: ${shown.stderr}`).toBe(0);
      const golden = join(GOLDEN, `${f.name}.eml`);
      if (UPDATE) await writeFile(golden, shown.bytes);
      expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(shown.bytes.equals(await readFile(golden)), `${f.name} differs from ${golden}`).toBe(true);

      const mail = await simpleParser(shown.bytes);
      expect(mail.messageId).toMatch(/@wechat-archiver\.invalid>$/);
      expect(mail.headers.get('x-wechat-msgid')).toBe(f.msgid);
      expect(mail.date?.getTime()).toBe(Math.floor(f.msgtime / 1000) * 1000);
      expect(mail.subject?.length ?? 0).toBeGreaterThan(0);
      expect(mail.text?.length ?? 0).toBeGreaterThan(0);
      expect(mail.html || '').toContain('<html');
      const attached = new Map(mail.attachments.map((a) => [a.content.toString('latin1'), a]));
      for (const id of f.sdkfileids) {
        expect(attached.has(bytesFor(id).toString('latin1')), `${f.name}: attachment ${id} missing`).toBe(true);
      }
      expect(mail.attachments.length).toBe(f.sdkfileids.length);
    }
  });

  it('keeps the recalled original, marked as recalled, and names it in the recall', async () => {
    const revoke = JSON.parse(await readFile(join(FIXTURES, 'revoke.json'), 'utf8')) as {
      revoke: { pre_msgid: string };
    };
    const recall = await cli('item', 'show', 'rvk-0001', '--mime', '--config', config);
    expect(recall.stdout).toContain(revoke.revoke.pre_msgid);
    const unknown = await simpleParser((await cli('item', 'show', 'unk-0001', '--mime', '--config', config)).bytes);
    expect(unknown.text).toContain('solitaire');
    const item = await cliJson<{ flags: string[] }>('item', 'show', 'unk-0001', '--config', config);
    expect(item.flags).toContain('unknown-type');
  });

  it('lists the external contact who declined archiving as a known gap', async () => {
    const s = await cliJson<{
      connectors: { health: { consentGaps: { externalUserId: string; userid: string }[] } }[];
    }>('status', '--config', config);
    expect(s.connectors[0]!.health.consentGaps).toEqual([
      expect.objectContaining({ externalUserId: 'wmErxtDgAA9AW32YyyuYRimKr7D1KWlw', userid: 'zhangsan' }),
    ]);
  });
});
