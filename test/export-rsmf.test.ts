// RSMF export on a real archive made by the CLI: every .rsmf file is an RFC 5322 message with
// the X-RSMF-* fields and one rsmf.zip whose rsmf_manifest.json validates against Relativity's
// published 2.0.0 schema; its events are the exported messages (count, order, sender, deleted
// flags, consent and recall and switch types), its zip holds every attachment it names with the
// archived bytes; export's manifest.json hashes every file; and a SIGKILLed export, resumed,
// ends with the same files.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custodianFolder } from '../src/compliance/export/index.js';
import { RsmfPaths } from '../src/compliance/export/names.js';
import { exportArchive, type ArchivedItem } from './helpers/export-archive.js';
import { exportKilledAt } from './helpers/export-crash.js';
import { exportedFiles as files, expectSameExport } from './helpers/export-files.js';
import { cliJson } from './helpers/cli.js';
import { rsmfValidator } from './helpers/rsmf-schema.js';
import type { ArchiveOn } from './helpers/archive-on.js';
import { describeDialects } from './helpers/dialects.js';

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
const ALL = 'after:2000-01-01';

type Item = ArchivedItem;
interface Event {
  id: string;
  type: string;
  body: string;
  participant: string;
  conversation: string;
  timestamp: string;
  deleted?: boolean;
  attachments?: { id: string; display: string; size: number }[];
  custom: { name: string; value: string }[];
}
interface RsmfManifest {
  participants: { id: string; email: string; account_id?: string; display?: string }[];
  conversations: { id: string; type: string; participants: string[]; custodian?: string }[];
  events: Event[];
}

describeDialects('export --format rsmf', (t) => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let archive: ArchiveOn;
  let items: Map<string, Item>;

  beforeAll(async () => {
    ({ dir, archive, items } = await exportArchive('export-rsmf', t));
    expect(items.size).toBeGreaterThan(40);
  }, 300_000);

  afterAll(async () => dir.cleanup());

  const exportRsmf = (out: string) =>
    cliJson<{ manifest: string; resumed: boolean; counts: { items: number; files: number } }>(
      'export',
      '--query',
      ALL,
      '--format',
      'rsmf',
      '--out',
      out,
      ...archive.args,
    );

  const header = (m: ParsedMail, name: string) => String(m.headers.get(name.toLowerCase()) ?? '');
  const itemKey = (e: Event) => e.custom.find((c) => c.name === 'Item key')!.value;

  it('writes schema-valid RSMF 2.0.0 files whose events are the exported messages', async () => {
    const out = join(dir.path, 'rsmf');
    const res = await exportRsmf(out);
    expect(res.counts.items).toBe(items.size);
    const all = await files(out);
    const rsmfs = [...all.keys()].filter((p) => p.endsWith('.rsmf')).sort();
    expect(rsmfs.length).toBeGreaterThan(1);

    const { validate, errors } = await rsmfValidator();

    const seen = new Map<string, Event>();
    const convTypes = new Set<string>();
    const types = new Map<string, string>();
    let deletedCount = 0;
    for (const p of rsmfs) {
      const mail = await simpleParser(all.get(p)!);
      expect(header(mail, 'X-RSMF-Version'), p).toBe('2.0.0');
      expect(header(mail, 'X-RSMF-Generator'), p).toBe('WeChat Archiver');
      expect(mail.text ?? '', p).toContain('events');
      expect(mail.attachments.map((a) => a.filename)).toEqual(['rsmf.zip']);
      const zip = unzipSync(new Uint8Array(mail.attachments[0]!.content));
      const manifest = JSON.parse(Buffer.from(zip['rsmf_manifest.json']!).toString('utf8')) as RsmfManifest;
      expect(validate(manifest), `${p}: ${errors()}`).toBe(true);

      const ev = manifest.events;
      expect(Number(header(mail, 'X-RSMF-EventCount'))).toBe(ev.length);
      expect(ev.length).toBeLessThan(10_000);
      expect(header(mail, 'X-RSMF-BeginDate')).toBe(ev[0]!.timestamp);
      expect(header(mail, 'X-RSMF-EndDate')).toBe(ev[ev.length - 1]!.timestamp);
      expect(header(mail, 'X-RSMF-Application')).toBe('WeCom');
      expect(header(mail, 'X-RSMF-EventCollectionID')).toBe(
        (manifest as { eventcollectionid?: string }).eventcollectionid,
      );
      const names = Object.keys(zip).filter((n) => n !== 'rsmf_manifest.json');
      expect(Number(header(mail, 'X-RSMF-AttachmentCount'))).toBe(names.length);
      expect(names.sort()).toEqual(ev.flatMap((e) => (e.attachments ?? []).map((a) => a.id)).sort());
      // one conversation and one UTC day per file, events in time order
      expect(manifest.conversations).toHaveLength(1);
      const conv = manifest.conversations[0]!;
      convTypes.add(conv.type);
      expect(new Set(ev.map((e) => e.timestamp.slice(0, 10))).size).toBe(1);
      const times = ev.map((e) => Date.parse(e.timestamp));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      const pids = new Set(manifest.participants.map((x) => x.id));
      if (conv.custodian !== undefined) expect(conv.participants).toContain(conv.custodian);

      for (const e of ev) {
        const it = items.get(itemKey(e))!;
        expect(it, `event ${e.id} is an exported item`).toBeDefined();
        expect(seen.has(it.key), `${it.key} once`).toBe(false);
        seen.set(it.key, e);
        types.set(it.key, e.type);
        expect(e.timestamp).toBe(new Date(it.time).toISOString());
        expect(e.conversation).toBe(conv.id);
        expect(conv.type).toBe(header(it.mail, 'X-WeChat-RoomId') ? 'channel' : 'direct');
        // the sender, with e-mail and account id
        const from = it.mail.from!.value[0]!.address!.toLowerCase();
        expect(e.participant).toBe(from);
        expect(pids.has(e.participant)).toBe(true);
        const person = manifest.participants.find((x) => x.id === from)!;
        expect(person.email).toBe(from);
        expect(person.account_id, it.key).toBe(it.fromId);
        // recalled originals are deleted and keep their text
        const recalled = it.recalledBy !== null;
        expect(e.deleted ?? false, it.key).toBe(recalled);
        if (recalled) {
          deletedCount++;
          expect(e.body.length).toBeGreaterThan(0);
          expect(e.body).toBe((it.mail.text ?? '').trim());
        }
        // every attachment it names is in the zip, with the archived bytes
        expect((e.attachments ?? []).length).toBe(it.mail.attachments.length);
        for (const [i, a] of (e.attachments ?? []).entries()) {
          expect(zip[a.id], a.id).toBeDefined();
          expect(sha(zip[a.id]!)).toBe(sha(it.mail.attachments[i]!.content));
          expect(a.display).toBe(it.mail.attachments[i]!.filename);
        }
      }
    }
    // every exported message is an event, once
    expect(seen.size).toBe(items.size);
    expect(deletedCount).toBeGreaterThan(0);
    expect(convTypes).toEqual(new Set(['direct', 'channel']));
    // each recall is an event of its own
    const byMsgid = new Map([...seen.values()].map((e) => [e.id, e]));
    for (const it of items.values())
      if (it.recalledBy !== null) expect(byMsgid.get(it.recalledBy)?.type, it.key).toBe('history');
    const typeOf = (pred: (i: Item) => boolean) =>
      new Set([...items.values()].filter(pred).map((i) => types.get(i.key)));
    expect(typeOf((i) => i.msgtype === 'agree' || i.msgtype === 'disagree')).toEqual(new Set(['disclaimer']));
    expect(typeOf((i) => i.msgtype === 'revoke')).toEqual(new Set(['history']));
    expect(typeOf((i) => header(i.mail, 'X-WeChat-Action') === 'switch')).toEqual(new Set(['history']));
    expect(typeOf((i) => i.msgtype === 'text')).toEqual(new Set(['message']));
    // non-text types have a readable body (the renderer's description)
    for (const [k, e] of seen) expect(e.body.length, `${items.get(k)!.msgtype} body`).toBeGreaterThan(0);

    // export's manifest.json lists the SHA-256 of every file written
    const m = JSON.parse(all.get('manifest.json')!.toString('utf8')) as {
      files: { path: string; sha256: string; bytes: number }[];
    };
    expect(m.files.map((f) => f.path).sort()).toEqual(rsmfs);
    for (const f of m.files) {
      expect(f.sha256, f.path).toBe(sha(all.get(f.path)!));
      expect(f.bytes).toBe(all.get(f.path)!.length);
    }
  }, 180_000);

  it('killed midway (SIGKILL), then resumed, gives the same files and manifest as an uninterrupted export', async () => {
    const whole = join(dir.path, 'whole');
    await exportRsmf(whole);
    const cut = join(dir.path, 'cut');
    const signal = await exportKilledAt(17, '--query', ALL, '--format', 'rsmf', '--out', cut, ...archive.args);
    expect(signal).toBe('SIGKILL');
    expect((await files(cut)).has('manifest.json')).toBe(false);
    const resumed = await exportRsmf(cut);
    expect(resumed.resumed).toBe(true);
    await expectSameExport(whole, cut);
  }, 180_000);
});

describe('RSMF file paths', () => {
  it('one file per custodian, conversation and UTC day, split before 10,000 events', () => {
    const paths = new RsmfPaths(custodianFolder);
    const at = (conversation: string, dateSent: string, custodian = 'a@x.com') =>
      paths.next({ conversation, dateSent, custodians: [custodian] });
    const day = Array.from({ length: 20_000 }, () => at('r1', '2024-01-02T10:00:00.000Z'));
    expect(new Set(day.slice(0, 9_999))).toEqual(new Set(['RSMF/a@x.com/r1_2024-01-02.rsmf']));
    expect(new Set(day.slice(9_999, 19_998))).toEqual(new Set(['RSMF/a@x.com/r1_2024-01-02_part2.rsmf']));
    expect(day[19_998]).toBe('RSMF/a@x.com/r1_2024-01-02_part3.rsmf');
    expect(at('r1', '2024-01-03T00:00:00.000Z')).toBe('RSMF/a@x.com/r1_2024-01-03.rsmf');
    expect(at('single:a:b', '2024-01-02T10:00:00.000Z', 'b@x.com')).toBe('RSMF/b@x.com/single_a_b_2024-01-02.rsmf');
  });
});
