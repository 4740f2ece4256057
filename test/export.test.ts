// Export round trips on a real archive made by the CLI: every .eml is `item show --mime` byte
// for byte and its SHA-256 is in the DAT, the CSV and the manifest; the manifest's file hashes
// are the files'; mbox splits back into the archived messages; and an export killed with
// SIGKILL midway, then run again, ends with the same files and manifest as one never stopped.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitMboxrd } from '../src/compliance/export/index.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { exportKilledAt } from './helpers/export-crash.js';
import { spawnCli } from './helpers/cli-process.js';
import { exportedFiles as files, expectSameExport } from './helpers/export-files.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { archiveOn, type ArchiveOn } from './helpers/archive-on.js';
import { describeDialects } from './helpers/dialects.js';

describeDialects('export', (t) => {
  let a: ArchiveOn;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const ALL = 'after:2000-01-01';
  /** `export` of everything to EML into `out`, with more flags */
  const emlTo = (out: string, ...more: string[]): string[] => [
    'export',
    '--query',
    ALL,
    '--format',
    'eml',
    '--out',
    out,
    ...more,
    ...a.args,
  ];

  let dir: { path: string; cleanup: () => Promise<void> };
  let items: { key: string; msgid: string; mime_sha256: string; mailboxes: string[] }[];

  beforeAll(async () => {
    dir = await tempDir('export');
    const tenant = join(dir.path, 'tenant');
    await generateTenant({ outDir: tenant, seed: 9, messages: 50 });
    a = await archiveOn(t, join(dir.path, 'data'));
    await cliJson('run', '--once', '--sandbox', tenant, ...a.args, '--workers', '0');
    const store = await a.open();
    try {
      const rows = await store.db.selectFrom('items').select(['key', 'msgid', 'mime_sha256']).execute();
      const entries = await store.db.selectFrom('mailbox_entries').select(['item_key', 'mailbox']).execute();
      items = rows.map((r) => ({
        ...r,
        mailboxes: entries
          .filter((e) => e.item_key === r.key)
          .map((e) => e.mailbox)
          .sort(),
      }));
    } finally {
      await store.close();
    }
    expect(items.length).toBeGreaterThan(30);
  }, 300_000);

  afterAll(async () => dir.cleanup());

  interface Manifest {
    format: string;
    query: string;
    exportedBy: string;
    startedAt: string;
    counts: { items: number; files: number; bytes: number };
    files: { path: string; sha256: string; bytes: number }[];
    items: { controlNumber: string; itemKey: string; msgid: string; mimeSha256: string; path: string }[];
  }

  describe('export', () => {
    it('EML: every file is the archived MIME byte for byte, hashed in the DAT, the CSV and the manifest', async () => {
      const out = join(dir.path, 'eml');
      const res = await cliJson<{ manifest: string; manifestSha256: string; counts: { items: number } }>(...emlTo(out));
      expect(res.counts.items).toBe(items.length);
      const manifestBytes = await readFile(res.manifest);
      expect(sha(manifestBytes)).toBe(res.manifestSha256);
      const manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
      expect(manifest.query).toBe(ALL);
      expect(manifest.exportedBy).toMatch(/^os:/);
      const written = await files(out);
      // the manifest lists every file but itself, with its real hash and size
      expect(new Set(manifest.files.map((f) => f.path))).toEqual(
        new Set([...written.keys()].filter((p) => p !== 'manifest.json')),
      );
      for (const f of manifest.files) {
        expect(sha(written.get(f.path)!), f.path).toBe(f.sha256);
        expect(written.get(f.path)!.length).toBe(f.bytes);
      }
      const dat = written.get('DATA/loadfile.dat')!.toString('utf8');
      const csv = written.get('DATA/loadfile.csv')!.toString('utf8');
      expect(dat.startsWith('\ufeffþControlNumberþ\u0014þCustodianþ')).toBe(true);
      const datRows = dat
        .slice(1)
        .split('\r\n')
        .filter(Boolean)
        .map((l) => l.split('\u0014').map((v) => v.replace(/^þ|þ$/g, '')));
      expect(datRows[0]).toEqual([
        'ControlNumber',
        'Custodian',
        'From',
        'To',
        'DateSent',
        'Subject',
        'Conversation',
        'MsgType',
        'ItemKey',
        'MsgId',
        'FilePath',
        'SHA256',
        'Tags',
      ]);
      expect(datRows.length - 1).toBe(items.length);
      expect(manifest.items.length).toBe(items.length);
      for (const it of items) {
        const shown = await cli('item', 'show', it.msgid, '--mime', ...a.args);
        expect(shown.code).toBe(0);
        const m = manifest.items.find((x) => x.itemKey === it.key)!;
        const eml = written.get(m.path)!;
        expect(eml.equals(shown.bytes), m.path).toBe(true);
        expect(sha(eml)).toBe(m.mimeSha256);
        expect(m.path.startsWith(`NATIVES/${it.mailboxes[0]!.replace(/[^A-Za-z0-9@._+-]/g, '_')}/`)).toBe(true);
        const row = datRows.find((r) => r[8] === it.key)!;
        expect(row[0]).toBe(m.controlNumber);
        expect(row[10]).toBe(m.path);
        expect(row[11]).toBe(sha(eml));
        expect(row[1]).toBe(it.mailboxes.join(';'));
        expect(csv).toContain(`,${sha(eml)},`);
      }
      // control numbers follow sent time
      expect(manifest.items.map((i) => i.controlNumber)).toEqual(
        manifest.items.map((_, i) => `WXA${String(i + 1).padStart(8, '0')}`),
      );
      const store = await a.open();
      try {
        const ev = await store.db
          .selectFrom('audit_events')
          .select(['action', 'detail_json'])
          .where('action', '=', 'export')
          .execute();
        expect(
          ev.some(
            (e) => (JSON.parse(e.detail_json) as { manifestSha256: string }).manifestSha256 === res.manifestSha256,
          ),
        ).toBe(true);
      } finally {
        await store.close();
      }
    }, 120_000);

    it('mbox: one file per custodian that splits back into the archived messages', async () => {
      const out = join(dir.path, 'mbox');
      const res = await cliJson<{ counts: { items: number } }>(
        'export',
        '--query',
        ALL,
        '--format',
        'mbox',
        '--out',
        out,
        ...a.args,
      );
      expect(res.counts.items).toBe(items.length);
      const written = await files(out);
      const store = await a.open();
      try {
        let total = 0;
        for (const [path, bytes] of written) {
          if (!path.startsWith('MBOX/')) continue;
          const msgs = splitMboxrd(bytes);
          total += msgs.length;
          const custodian = path.slice(5, -5);
          const expected = items.filter((i) => i.mailboxes[0]?.replace(/[^A-Za-z0-9@._+-]/g, '_') === custodian);
          expect(msgs.map(sha).sort()).toEqual(expected.map((i) => i.mime_sha256).sort());
        }
        expect(total).toBe(items.length);
      } finally {
        await store.close();
      }
    }, 120_000);

    it('refuses to export a closed case, naming the case and how to reopen it; exports it once reopened', async () => {
      const caseId = (await cli('case', 'create', 'Settled matter', ...a.args)).stdout.trim();
      expect(await cliJson('case', 'close', caseId, '--reason', 'settled', ...a.args)).toMatchObject({
        status: 'closed',
      });
      const out = join(dir.path, 'closed-case');
      const args = ['export', '--case', caseId, '--format', 'eml', '--out', out, ...a.args];
      const refused = await cli(...args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`WXA_CASE_CLOSED: case ${caseId} ("Settled matter") is closed`);
      expect(refused.stderr).toContain(`wechat-archiver case reopen ${caseId}`);
      // nothing was started: the directory was never made
      expect(existsSync(out)).toBe(false);
      await cliJson('case', 'reopen', caseId, ...a.args);
      const res = await cliJson<{ counts: { items: number } }>(...args);
      expect(res.counts.items).toBe(0);
    }, 120_000);

    it('refuses an --out that is a file, lies under one, or holds other files, naming it and what to do', async () => {
      const file = join(dir.path, 'a-file');
      await writeFile(file, 'not an export\n');
      const busy = join(dir.path, 'busy');
      await mkdir(busy);
      await writeFile(join(busy, 'notes.txt'), 'mine\n');
      const cases: [string, string][] = [
        [file, `WXA_INPUT_INVALID: --out ${file} is a file, not a directory; export into a new or empty directory`],
        [
          join(file, 'under'),
          `WXA_INPUT_INVALID: --out ${join(file, 'under')} cannot be read (a part of its path is a file); export into a new or empty directory`,
        ],
        [busy, `WXA_INPUT_INVALID: --out ${busy} is not empty; export into a new or empty directory`],
      ];
      for (const [out, message] of cases) {
        const refused = await cli(...emlTo(out));
        expect(refused.code, out).toBe(1);
        expect(refused.stderr).toContain(message);
      }
      // nothing touched
      expect(await readFile(file, 'utf8')).toBe('not an export\n');
      expect(await readdir(busy)).toEqual(['notes.txt']);
    }, 60_000);

    it('EML with --threads 2: the installed command starts its writing threads (asked for, they must start) and exports the same', async () => {
      const one = join(dir.path, 'threads-0');
      const two = join(dir.path, 'threads-2');
      await cliJson(...emlTo(one, '--threads', '0'));
      // in a process of its own: the installed command's build, whose threads start from its own entry
      const child = await spawnCli(emlTo(two, '--threads', '2', '--json')).done;
      expect(child.stderr).toBe('');
      expect(child.code).toBe(0);
      expect((JSON.parse(child.stdout) as { counts: { items: number } }).counts.items).toBe(items.length);
      await expectSameExport(one, two);
      const bad = await cli(...emlTo(join(dir.path, 'x'), '--threads', 'two'));
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--threads is a number/);
    }, 120_000);

    // The key list of a journal begun by an earlier build (version 2: a key a line), and one whose
    // rowids no longer name its items (the archive's rows numbered anew since, as by VACUUM):
    // either way the items are found by key and the export ends as an uninterrupted one.
    for (const [name, rewrite] of [
      [
        'version 2 (a key a line)',
        (lines: string[], header: { version: number }) => {
          header.version = 2;
          return lines.map((l) => l.slice(l.indexOf(' ') + 1));
        },
      ],
      [
        'rowids that name other items or none',
        (lines: string[]) =>
          lines.map(
            (l, i) =>
              `${i % 3 === 0 ? 999_999 : lines[(i + 1) % lines.length]!.split(' ')[0]} ${l.slice(l.indexOf(' ') + 1)}`,
          ),
      ],
    ] as const) {
      it(`EML: resumed from a key list of ${name}, gives the same files and manifest as an uninterrupted export`, async () => {
        const slug = name.replace(/\W+/g, '-');
        const whole = join(dir.path, `whole-keys-${slug}`);
        await cliJson(...emlTo(whole));
        const cut = join(dir.path, `cut-keys-${slug}`);
        expect(await exportKilledAt(17, ...emlTo(cut).slice(1))).toBe('SIGKILL');
        const list = join(cut, '.export', 'items.txt');
        const headerPath = join(cut, '.export', 'header.json');
        const lines = (await readFile(list, 'utf8')).split('\n').filter(Boolean);
        const header = JSON.parse(await readFile(headerPath, 'utf8')) as { version: number };
        // this build's list: a rowid (0 where the database has none) and the key
        expect(header.version).toBe(3);
        expect(lines.every((l) => /^\d+ wecom:/.test(l))).toBe(true);
        await writeFile(
          list,
          rewrite(lines, header)
            .map((l) => `${l}\n`)
            .join(''),
        );
        await writeFile(headerPath, JSON.stringify(header));
        const resumed = await cliJson<{ resumed: boolean }>(...emlTo(cut));
        expect(resumed.resumed).toBe(true);
        await expectSameExport(whole, cut);
      }, 180_000);
    }

    for (const format of ['eml', 'mbox']) {
      it(`${format}: killed midway (SIGKILL), then resumed, gives the same files and manifest as an uninterrupted export`, async () => {
        const whole = join(dir.path, `whole-${format}`);
        await cliJson('export', '--query', ALL, '--format', format, '--out', whole, ...a.args);
        const cut = join(dir.path, `cut-${format}`);
        const signal = await exportKilledAt(17, '--query', ALL, '--format', format, '--out', cut, ...a.args);
        expect(signal).toBe('SIGKILL');
        const partial = await files(cut);
        expect(partial.has('manifest.json')).toBe(false);
        const resumed = await cliJson<{ resumed: boolean }>(
          'export',
          '--query',
          ALL,
          '--format',
          format,
          '--out',
          cut,
          ...a.args,
        );
        expect(resumed.resumed).toBe(true);
        await expectSameExport(whole, cut);
      }, 180_000);
    }
  });
});
