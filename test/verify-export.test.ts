// `verify-export DIR` checks an export's directory against its manifest as the receiving side
// would (no archive opened): EML, mbox and RSMF exports verify as written; a changed byte, a
// removed file and an added one are each named, with exit 1; a manifest laid out again by other
// tools still verifies. With `--archive` it also checks the export against the archive that made
// it: a manifest rewritten to match a changed file passes the directory's own check but not the
// audit log, which recorded the manifest's SHA-256; an item whose archived hash differs is named.
// An RSMF file rewritten as a careful forger would (its zip, the file and its listed hash made
// consistent again) is still caught by what it holds: an event taken out of its rsmf_manifest.json
// names the item it stood for, two events swapped name both items, an attachment taken out of
// its zip names the event that names it. An mbox that differs is named the same whether its items
// are gathered again all at once or a few at a time.
// Runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyExport, type ExportVerification } from '../src/compliance/export/verify-export.js';
import { base64Lines } from '../src/core/base64-lines.js';
import { archiveFixture, type ArchiveFixture } from './helpers/archive-fixture.js';
import type { ArchiveOn } from './helpers/archive-on.js';
import { cli, cliJson } from './helpers/cli.js';
import { describeDialects } from './helpers/dialects.js';
import { readRsmf } from './helpers/rsmf-schema.js';

interface Manifest {
  exportId: string;
  files: { path: string; sha256: string; bytes: number }[];
  items: { itemKey: string; mimeSha256: string; path: string }[];
}
interface RsmfManifest {
  events: { id: string; attachments?: { id: string }[]; custom: { name: string; value: string }[] }[];
}

describeDialects('verify-export', (t) => {
  let fixture: ArchiveFixture;
  let arc: ArchiveOn;
  let caseId: string;
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  const verify = async (dir: string, ...more: string[]) => {
    const r = await cli('verify-export', dir, '--json', ...more);
    if (!r.stdout) throw new Error(`verify-export exited ${r.code}: ${r.stderr}`);
    return { code: r.code, v: JSON.parse(r.stdout) as ExportVerification, stderr: r.stderr };
  };
  let n = 0;
  const exportAs = async (format: string) => {
    const out = `${arc.data}-${format}-${++n}`;
    await cliJson('export', '--case', caseId, '--format', format, '--out', out, ...arc.args);
    return { out, manifest: JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest };
  };

  beforeAll(async () => {
    fixture = await archiveFixture('verify-export', { seed: 9, messages: 40 }, 20, t);
    arc = await fixture.copyOn();
    caseId = (await cli('case', 'create', 'Matter V', ...arc.args)).stdout.trim();
    expect((await cli('hold', 'add', '--case', caseId, '--query', 'after:2000-01-01', ...arc.args)).code).toBe(0);
  }, 300_000);

  afterAll(async () => fixture.cleanup());

  /** An export's files, the one whose items are most first. */
  const byItems = (manifest: Manifest) => {
    const counts = new Map<string, number>();
    for (const i of manifest.items) counts.set(i.path, (counts.get(i.path) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]).map(([path]) => path);
  };
  /**
   * The file `path` written as `after`, its SHA-256 and size listed anew in the export's
   * manifest.json, its byte count with them.
   */
  const relist = async (out: string, path: string, after: Buffer) => {
    await writeFile(join(out, path), after);
    const lines = (await readFile(join(out, 'manifest.json'), 'utf8')).split('\n');
    const at = lines.findIndex((l) => l.startsWith(`    {"path":${JSON.stringify(path)},`));
    const entry = JSON.parse(lines[at]!.replace(/,$/, '')) as { bytes: number };
    lines[at] = lines[at]!.replace(
      /"sha256":"[0-9a-f]+","bytes":\d+/,
      `"sha256":"${sha(after)}","bytes":${after.length}`,
    );
    const manifestText = lines
      .join('\n')
      .replace(/"bytes": (\d+)\n/, (_m, total: string) => `"bytes": ${Number(total) - entry.bytes + after.length}\n`);
    await writeFile(join(out, 'manifest.json'), manifestText);
  };
  /**
   * The .rsmf file `path` written again as a careful forger would: its zip's entries (and its
   * manifest, then written back) changed by `edit`, the zip put back in the message with the
   * X-RSMF-EventCount the events now make, and the file's SHA-256 and size listed anew in the
   * export's manifest.json, its byte count with them: only what the file holds can tell.
   */
  const rewriteRsmf = async (
    out: string,
    path: string,
    edit: (zip: Record<string, Uint8Array>, manifest: RsmfManifest) => void,
  ) => {
    const before = await readFile(join(out, path));
    const { manifest } = await readRsmf(before);
    const text = before.toString('latin1');
    const begin = text.indexOf('filename="rsmf.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n');
    const end = text.lastIndexOf('--rsmf-');
    expect(begin).toBeGreaterThan(0);
    const zip = unzipSync(Buffer.from(text.slice(text.indexOf('\r\n\r\n', begin) + 4, end), 'base64'));
    edit(zip, manifest as RsmfManifest);
    zip['rsmf_manifest.json'] = Buffer.from(JSON.stringify(manifest, null, 2));
    const events = (manifest as RsmfManifest).events.length;
    const after = Buffer.from(
      text
        .slice(0, text.indexOf('\r\n\r\n', begin) + 4)
        .replace(/^X-RSMF-EventCount: \d+\r\n/m, `X-RSMF-EventCount: ${events}\r\n`) +
        base64Lines(Buffer.from(zipSync(zip))).toString('latin1') +
        text.slice(end),
      'latin1',
    );
    await relist(out, path, after);
    // the forgery passes every check of the directory but those of what its RSMF files hold
    const rsmf = await readRsmf(after);
    expect(rsmf.mail.attachments.map((a) => a.filename)).toEqual(['rsmf.zip']);
  };
  const itemKeyOf = (e: RsmfManifest['events'][number]) => e.custom.find((c) => c.name === 'Item key')!.value;

  it('EML, mbox and RSMF exports verify as written, against the directory alone and against the archive', async () => {
    for (const format of ['eml', 'mbox', 'rsmf']) {
      const { out, manifest } = await exportAs(format);
      const alone = await verify(out);
      expect(alone.code, JSON.stringify(alone.v.problems)).toBe(0);
      expect(alone.v).toMatchObject({
        ok: true,
        problemCount: 0,
        format,
        exportId: manifest.exportId,
        manifestSha256: sha(await readFile(join(out, 'manifest.json'))),
        checked: { files: manifest.files.length, items: manifest.items.length },
      });
      expect(alone.v.checked.bytes).toBe(manifest.files.reduce((s, f) => s + f.bytes, 0));
      expect(alone.v.archive).toBeUndefined();
      const withArchive = await verify(out, '--archive', ...arc.args);
      expect(withArchive.code).toBe(0);
      expect(withArchive.v.archive).toMatchObject({
        manifestRecorded: true,
        itemsChecked: manifest.items.length,
        itemsNotInArchive: 0,
      });
      expect(withArchive.v.archive!.auditEvents).toHaveLength(1);
    }
    const text = await cli('verify-export', `${arc.data}-eml-1`);
    expect(text.stdout).toContain('OK: every file is as the manifest lists it\n');
  }, 120_000);

  it('names a changed byte, a removed file and a file the manifest does not list', async () => {
    const { out, manifest } = await exportAs('eml');
    const [a, b] = manifest.files.filter((f) => f.path.endsWith('.eml'));
    const bytes = await readFile(join(out, a!.path));
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1;
    await writeFile(join(out, a!.path), bytes);
    await rm(join(out, b!.path));
    await writeFile(join(out, 'NATIVES', 'notes.txt'), 'added later');
    const r = await verify(out);
    expect(r.code).toBe(1);
    expect(r.v.ok).toBe(false);
    expect(r.v.problems.map((p) => [p.problem, p.path])).toEqual([
      ['sha256', a!.path],
      ['missing', b!.path],
      ['not-listed', 'NATIVES/notes.txt'],
    ]);
    expect(r.v.problems[0]!.detail).toBe(
      `${a!.path}: the manifest gives SHA-256 ${a!.sha256}, the file's is ${sha(bytes)}`,
    );
    const text = await cli('verify-export', out);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`\n3 problems:\n  sha256: ${a!.path}: the manifest gives SHA-256`);
    expect(text.stdout).toContain(`  missing: ${b!.path} is listed but not there\n`);
    expect(text.stdout).toContain('FAILED: the export is not as its manifest lists it\n');
  }, 60_000);

  it('a manifest rewritten to match a changed file passes alone, not against the audit log; nor does an item the archive holds otherwise', async () => {
    const { out, manifest } = await exportAs('eml');
    const f = manifest.files.find((x) => x.path.endsWith('.eml'))!;
    const changed = Buffer.concat([await readFile(join(out, f.path)), Buffer.from('\r\n')]);
    await writeFile(join(out, f.path), changed);
    const item = manifest.items.find((i) => i.path === f.path)!;
    // rewritten as a careful forger would, in the exporter's own layout, counts and all
    let text = await readFile(join(out, 'manifest.json'), 'utf8');
    text = text
      .replaceAll(f.sha256, sha(changed))
      .replace(`"bytes":${f.bytes}}`, `"bytes":${changed.length}}`)
      .replace(/"bytes": (\d+)\n/, (_m, total: string) => `"bytes": ${Number(total) + 2}\n`);
    await writeFile(join(out, 'manifest.json'), text);
    const alone = await verify(out);
    expect(alone.code, JSON.stringify(alone.v.problems)).toBe(0);

    const against = await verify(out, '--archive', ...arc.args);
    expect(against.code).toBe(1);
    expect(against.v.archive!.manifestRecorded).toBe(false);
    expect(against.v.problems.map((p) => [p.problem, p.path])).toEqual([
      ['archive-hash', item.itemKey],
      ['manifest-altered', 'manifest.json'],
    ]);
    expect(against.v.problems[1]!.detail).toContain(`this manifest's is ${sha(text)}`);
  }, 60_000);

  it("an mbox whose messages are not its items' (two swapped, the file's hash listed anew) is named item by item", async () => {
    const { out, manifest } = await exportAs('mbox');
    // the mbox with the most items, its first two entries swapped
    const counts = new Map<string, number>();
    for (const i of manifest.items) counts.set(i.path, (counts.get(i.path) ?? 0) + 1);
    const path = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    expect(counts.get(path)).toBeGreaterThan(1);
    const mbox = await readFile(join(out, path));
    const starts: number[] = [];
    for (let at = 0; at >= 0; at = mbox.indexOf('\nFrom ', at + 1)) starts.push(at === 0 ? 0 : at + 1);
    const [a, b, c] = [starts[0]!, starts[1]!, starts[2] ?? mbox.length];
    const swapped = Buffer.concat([mbox.subarray(b, c), mbox.subarray(a, b), mbox.subarray(c)]);
    await writeFile(join(out, path), swapped);
    const f = manifest.files.find((x) => x.path === path)!;
    const text = (await readFile(join(out, 'manifest.json'), 'utf8')).replace(f.sha256, sha(swapped));
    await writeFile(join(out, 'manifest.json'), text);
    const r = await verify(out);
    expect(r.code).toBe(1);
    const items = manifest.items.filter((i) => i.path === path);
    expect(r.v.problems.map((p) => [p.problem, p.path])).toEqual([
      ['item-file', items[0]!.itemKey],
      ['item-file', items[1]!.itemKey],
    ]);
    expect(r.v.problems[0]!.detail).toContain(`message 1 of ${path} is not its archived MIME`);
  }, 60_000);

  it('an mbox that differs is named the same when its items are gathered again two at a time', async () => {
    const { out, manifest } = await exportAs('mbox');
    const [swapped, short] = byItems(manifest);
    const items = (path: string) => manifest.items.filter((i) => i.path === path);
    const [s, t] = [items(swapped!), items(short!)];
    expect(s.length).toBeGreaterThan(3);
    expect(t.length).toBeGreaterThan(2);
    /** The mbox `path` with its entries (each a "From " line and its message, quoted) rearranged by `edit`. */
    const rewriteMbox = async (path: string, edit: (entries: Buffer[]) => Buffer[]) => {
      const mbox = await readFile(join(out, path));
      const starts: number[] = [];
      for (let at = 0; at >= 0; at = mbox.indexOf('\nFrom ', at + 1)) starts.push(at === 0 ? 0 : at + 1);
      await relist(out, path, Buffer.concat(edit(starts.map((a, n) => mbox.subarray(a, starts[n + 1])))));
    };
    // the second and third messages swapped: the two fall in different passes of two items
    await rewriteMbox(swapped!, (e) => [e[0]!, e[2]!, e[1]!, ...e.slice(3)]);
    await rewriteMbox(short!, (e) => e.slice(0, -1));
    const named = new Map([
      [
        swapped!,
        [
          {
            path: s[1]!.itemKey,
            problem: 'item-file',
            detail: `item ${s[1]!.itemKey}: message 2 of ${swapped} is not its archived MIME (SHA-256 ${s[2]!.mimeSha256}, archived ${s[1]!.mimeSha256})`,
          },
          {
            path: s[2]!.itemKey,
            problem: 'item-file',
            detail: `item ${s[2]!.itemKey}: message 3 of ${swapped} is not its archived MIME (SHA-256 ${s[1]!.mimeSha256}, archived ${s[2]!.mimeSha256})`,
          },
        ],
      ],
      [
        short!,
        [
          {
            path: short!,
            problem: 'item-file',
            detail: `${short} holds ${t.length - 1} messages, the manifest lists ${t.length} items in it`,
          },
        ],
      ],
    ]);
    // the files' problems in the order of their first items in the manifest
    const expected = [...new Set(manifest.items.map((i) => i.path))].flatMap((path) => named.get(path) ?? []);
    expect((await verify(out)).v.problems).toEqual(expected);
    expect((await verifyExport(out, { detailItems: 2 })).problems).toEqual(expected);
  }, 60_000);

  it("an event taken out of an RSMF file's rsmf_manifest.json names its item; two events swapped name both", async () => {
    const { out, manifest } = await exportAs('rsmf');
    const [path, other] = byItems(manifest);
    const items = manifest.items.filter((i) => i.path === path);
    expect(items.length).toBeGreaterThan(2);
    let removed = '';
    await rewriteRsmf(out, path!, (_zip, m) => {
      removed = itemKeyOf(m.events[1]!);
      m.events.splice(1, 1);
    });
    expect(removed).toBe(items[1]!.itemKey);
    const r = await verify(out);
    expect(r.code).toBe(1);
    expect(r.v.problems.map((p) => [p.problem, p.path])).toEqual([
      ['item-file', removed],
      ['item-file', path],
    ]);
    expect(r.v.problems.map((p) => p.detail)).toEqual([
      `item ${removed}: ${path} holds no event of it`,
      `${path} holds ${items.length - 1} events, the manifest lists ${items.length} items in it`,
    ]);

    const { out: out2 } = await exportAs('rsmf');
    const otherItems = manifest.items.filter((i) => i.path === other);
    expect(otherItems.length).toBeGreaterThan(1);
    await rewriteRsmf(out2, other!, (_zip, m) => m.events.splice(0, 2, m.events[1]!, m.events[0]!));
    const swapped = await verify(out2);
    expect(swapped.code).toBe(1);
    expect(swapped.v.problems.map((p) => [p.problem, p.path])).toEqual([
      ['item-file', otherItems[0]!.itemKey],
      ['item-file', otherItems[1]!.itemKey],
    ]);
    expect(swapped.v.problems[0]!.detail).toBe(
      `item ${otherItems[0]!.itemKey}: event 1 of ${other} is item ${otherItems[1]!.itemKey}'s, where the manifest lists this item (its events are not in the manifest's order)`,
    );
  }, 60_000);

  it("an RSMF item entry that is not well formed is named, and its file's events against the items the check kept", async () => {
    const { out, manifest } = await exportAs('rsmf');
    const [path] = byItems(manifest);
    const items = manifest.items.filter((i) => i.path === path);
    const damaged = items[1]!;
    // its archived hash made no hash: the entry is named, and left out of the items it checks
    const text = await readFile(join(out, 'manifest.json'), 'utf8');
    const line = `"mimeSha256":"${damaged.mimeSha256}"`;
    expect(text.split(line)).toHaveLength(2);
    await writeFile(join(out, 'manifest.json'), text.replace(line, '"mimeSha256":"not a hash"'));
    const r = await verify(out);
    expect(r.code).toBe(1);
    // the items read again are those the first read kept, not every entry whose key is a string:
    // before, the two reads disagreed and the file was said to have changed while it was verified
    expect(r.v.problems.map((p) => [p.problem, p.path])).toEqual([
      ['counts', damaged.itemKey],
      ['item-file', path],
      ['item-file', path],
    ]);
    expect(r.v.problems[1]!.detail).toMatch(
      new RegExp(`^${path}: event 2 \\(id [^,]+, item ${damaged.itemKey}\\) is not an item the manifest lists in it$`),
    );
    expect(r.v.problems[2]!.detail).toBe(
      `${path} holds ${items.length} events, the manifest lists ${items.length - 1} items in it`,
    );
  }, 60_000);

  it("an attachment taken out of an RSMF file's zip names the event that names it", async () => {
    const { out, manifest } = await exportAs('rsmf');
    // the first file one of whose events has an attachment
    let found: { path: string; event: number; id: string; itemKey: string } | undefined;
    for (const path of byItems(manifest)) {
      const { manifest: m } = await readRsmf(await readFile(join(out, path)));
      const events = (m as RsmfManifest).events;
      const event = events.findIndex((e) => e.attachments?.length);
      if (event >= 0) {
        found = { path, event, id: events[event]!.attachments![0]!.id, itemKey: itemKeyOf(events[event]!) };
        break;
      }
    }
    expect(found, 'an exported item with an attachment').toBeDefined();
    const { path, event, id, itemKey } = found!;
    await rewriteRsmf(out, path, (zip) => {
      expect(zip[id]).toBeDefined();
      delete zip[id];
    });
    const r = await verify(out);
    expect(r.code).toBe(1);
    expect(r.v.problems).toEqual([
      {
        path,
        problem: 'item-file',
        detail: expect.stringMatching(
          new RegExp(`^${path}: event ${event + 1} \\(id [^,]+, item ${itemKey}\\) names attachment `),
        ) as unknown,
      },
    ]);
    expect(r.v.problems[0]!.detail).toContain(`names attachment ${id}, which its rsmf.zip does not hold`);
    const text = await cli('verify-export', out);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`  item-file: ${path}: event ${event + 1} (id `);
  }, 60_000);

  it('reads a manifest laid out again by other tools; refuses a directory without one', async () => {
    const { out, manifest } = await exportAs('mbox');
    await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 4));
    const r = await verify(out);
    expect(r.code, JSON.stringify(r.v.problems)).toBe(0);
    expect(r.v.checked.items).toBe(manifest.items.length);
    // a damaged entry in the exporter's layout is named by its line
    const { out: out2 } = await exportAs('eml');
    const lines = (await readFile(join(out2, 'manifest.json'), 'utf8')).split('\n');
    const at = lines.findIndex((l) => l.startsWith('    {"path"'));
    lines[at] = lines[at]!.replace('"sha256"', '"sha256');
    await writeFile(join(out2, 'manifest.json'), lines.join('\n'));
    const damaged = await cli('verify-export', out2);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toContain(`${join(out2, 'manifest.json')} line ${at + 1}: not a JSON entry`);

    // --archive where no archive is: refused, and none made there
    if (t.kind === 'sqlite') {
      const nowhere = `${arc.data}-nowhere`;
      const r2 = await cli('verify-export', out2, '--archive', '--data-dir', nowhere);
      expect(r2.code).toBe(1);
      expect(r2.stderr).toContain(
        `WXA_CONFIG_NOT_FOUND: verify-export --archive: ${nowhere} holds no archive (no archive.db); give --data-dir (or --database) the archive that made the export`,
      );
      expect(existsSync(nowhere)).toBe(false);
    }
    const none = await cli('verify-export', arc.data);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${arc.data} holds no manifest.json: not an export's directory`);
  }, 60_000);
});
