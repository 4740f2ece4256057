// PDF transcripts on a real archive made by the CLI: one PDF per custodian and conversation whose
// extracted text (pdf.js) holds every message's text, Chinese and English, in time order, with
// the sender, the UTC time with its offset, recalls and consent notices named as such, every
// attachment's name, size and SHA-256, the export id on every page and the page numbers; the font
// is subset (a PDF is far smaller than the 20 MB font); manifest.json hashes every PDF; a
// SIGKILLed export, resumed, ends with the same files; no CJK font gives an error naming the
// setting and the Debian package.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { createHash } from 'node:crypto';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_PDF_FONTS, loadPdfFont } from '../src/compliance/export/index.js';
import { pdfPathOf } from '../src/compliance/export/pdf-write.js';
import { transcriptBody, utcTime } from '../src/compliance/export/pdf-transcript.js';
import { pdfText as readPdfText } from '../src/compliance/search/extract/pdf.js';
import { exportArchive, type ArchivedItem } from './helpers/export-archive.js';
import { exportKilledAt } from './helpers/export-crash.js';
import { exportedFiles as files } from './helpers/export-files.js';
import { cli, cliJson } from './helpers/cli.js';
import type { ArchiveOn } from './helpers/archive-on.js';
import { describeDialects } from './helpers/dialects.js';

const sha = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');
/**
 * The text of a PDF, read once per distinct file: the resume test compares the uninterrupted
 * export's transcripts, which the first test has read already (reading a transcript with its
 * embedded CJK font is most of this file's CPU).
 */
const texts = new Map<string, Promise<string>>();
const pdfText = (bytes: Buffer): Promise<string> => {
  const key = sha(bytes);
  let text = texts.get(key);
  if (!text) texts.set(key, (text = readPdfText(bytes)));
  return text;
};
const ALL = 'after:2000-01-01';
/** pdf.js returns wrapped lines as separate runs: compare text without any whitespace. */
const squash = (s: string) => s.replace(/\s+/g, '');
const CJK = /[\u4e00-\u9fff]/;

type Item = ArchivedItem;
interface Manifest {
  exportId: string;
  files: { path: string; sha256: string; bytes: number }[];
  items: { controlNumber: string; itemKey: string; path: string }[];
}

describeDialects('export --format pdf', (t) => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let archive: ArchiveOn;
  let items: Map<string, Item>;

  beforeAll(async () => {
    ({ dir, archive, items } = await exportArchive('export-pdf', t));
    expect(items.size).toBeGreaterThan(40);
  }, 300_000);

  afterAll(async () => dir.cleanup());

  const exportPdf = (out: string, ...extra: string[]) =>
    cliJson<{ exportId: string; manifest: string; resumed: boolean; counts: { items: number; files: number } }>(
      'export',
      '--query',
      ALL,
      '--format',
      'pdf',
      '--out',
      out,
      ...archive.args,
      ...extra,
    );

  /**
   * One uninterrupted PDF export of the whole archive, made by whichever test needs it first
   * (rendering PDFs is what takes the time here): the transcripts test reads it, the resume test
   * compares a killed export with it and the rerun test exports it again.
   */
  let whole: Promise<{ out: string; res: Awaited<ReturnType<typeof exportPdf>> }> | undefined;
  const uninterrupted = () =>
    (whole ??= (async () => {
      const out = join(dir.path, 'pdf');
      return { out, res: await exportPdf(out) };
    })());

  it('writes readable transcripts: every message in order, CJK text extracted, pages numbered', async () => {
    const { out, res } = await uninterrupted();
    expect(res.counts.items).toBe(items.size);
    const all = await files(out);
    const pdfs = [...all.keys()].filter((p) => p.endsWith('.pdf')).sort();
    expect(pdfs.length).toBeGreaterThan(1);
    const m = JSON.parse(all.get('manifest.json')!.toString('utf8')) as Manifest;
    expect(m.exportId).toBe(res.exportId);

    // the manifest lists every PDF with its SHA-256 and size, and every item in one of them
    expect(m.files.map((f) => f.path).sort()).toEqual(pdfs);
    for (const f of m.files) {
      expect(f.sha256, f.path).toBe(sha(all.get(f.path)!));
      expect(f.bytes).toBe(all.get(f.path)!.length);
    }
    expect(new Set(m.items.map((i) => i.itemKey))).toEqual(new Set(items.keys()));

    const fontBytes = (await stat(DEFAULT_PDF_FONTS.find((f) => f.path.includes('NotoSansCJK'))!.path)).size;
    let cjkChecked = 0;
    let latinChecked = 0;
    const labels = new Set<string>();
    for (const p of pdfs) {
      const bytes = all.get(p)!;
      // subset: a transcript carries the glyphs it uses, not the font
      expect(bytes.length, p).toBeLessThan(fontBytes / 20);
      const text = await pdfText(bytes);
      // the running header and footer of each page stand between a page's last line and the next's
      const flat = squash(
        text
          .split('\n')
          .filter((l) => !l.includes(`Export ${res.exportId}`) && !/ · Page \d+ of \d+$/.test(l))
          .join('\n'),
      );
      const pages = text.split(/Page \d+ of \d+/).length - 1;
      expect(pages, `${p} page numbers`).toBeGreaterThan(0);
      expect(text).toContain(`Page 1 of ${pages}`);
      expect(text.split(`Export ${res.exportId}`).length - 1, `${p}: export id on every page`).toBeGreaterThanOrEqual(
        pages,
      );
      expect(text).toContain('Query: after:2000-01-01');
      expect(text).toContain('UTC, shown with their offset (+00:00)');

      // this file's messages, in the manifest's (time) order: each text found after the one before
      const mine = m.items.filter((i) => i.path === p).map((i) => ({ ...i, item: items.get(i.itemKey)! }));
      expect(mine.length).toBeGreaterThan(0);
      let at = 0;
      for (const { controlNumber, item } of mine) {
        const stamp = squash(`${utcTime(item.time)} ${controlNumber}`);
        const pos = flat.indexOf(stamp, at);
        expect(pos, `${p}: ${controlNumber} after the previous message`).toBeGreaterThanOrEqual(at);
        at = pos + stamp.length;
        const body = squash(transcriptBody(item.mail.text));
        if (body) {
          const bpos = flat.indexOf(body, at);
          expect(bpos, `${p}: text of ${controlNumber} (${item.msgtype})`).toBeGreaterThanOrEqual(at);
          at = bpos + body.length;
          if (CJK.test(body)) cjkChecked++;
          if (/[A-Za-z]{4,}/.test(body)) latinChecked++;
        }
        const sender = item.mail.from!.value[0]!.address!;
        expect(flat).toContain(squash(sender));
        const label = (name: string, words: string) => {
          labels.add(name);
          expect(text, `${p}: ${controlNumber}`).toContain(words);
        };
        if (item.recalledBy !== null) label('recalled', 'RECALLED by the sender');
        if (item.msgtype === 'agree') label('agree', 'Consent: agreed to archiving');
        if (item.msgtype === 'disagree') label('disagree', 'Consent: declined archiving');
        if (item.msgtype === 'revoke') label('revoke', 'Recall of an earlier message');
        for (const a of item.mail.attachments) {
          labels.add('attachment');
          expect(flat, `${p}: attachment of ${controlNumber}`).toContain(
            squash(`${a.filename} (${a.content.length} bytes, SHA-256 ${sha(a.content)})`),
          );
        }
      }
    }
    expect(cjkChecked).toBeGreaterThan(5);
    expect(latinChecked).toBeGreaterThan(0);
    expect(labels).toEqual(new Set(['recalled', 'agree', 'disagree', 'revoke', 'attachment']));
  }, 180_000);

  // The journal and resume are the same code for every format and run on PostgreSQL in the EML,
  // mbox and RSMF suites; rendering PDFs is what takes the time here. The PostgreSQL half
  // checks the transcripts above, the rest runs on SQLite only, to keep the suite short.
  if (t.kind === 'sqlite')
    it('killed midway (SIGKILL), then resumed, gives the same files and manifest as an uninterrupted export', async () => {
      const whole = (await uninterrupted()).out;
      const cut = join(dir.path, 'cut');
      const signal = await exportKilledAt(17, '--query', ALL, '--format', 'pdf', '--out', cut, ...archive.args);
      expect(signal).toBe('SIGKILL');
      expect((await files(cut)).has('manifest.json')).toBe(false);
      const resumed = await exportPdf(cut);
      expect(resumed.resumed).toBe(true);
      const a = await files(whole);
      const b = await files(cut);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      // The export id differs (each export makes its own), and it is printed in the PDFs: compare
      // the text of the transcripts with the id taken out, and every byte of everything else.
      const ida = (JSON.parse(a.get('manifest.json')!.toString('utf8')) as Manifest).exportId;
      const idb = (JSON.parse(b.get('manifest.json')!.toString('utf8')) as Manifest).exportId;
      for (const [p, bytes] of a) {
        if (p === 'manifest.json') continue;
        if (p.endsWith('.pdf'))
          expect((await pdfText(b.get(p)!)).replaceAll(idb, 'ID'), p).toBe(
            (await pdfText(bytes)).replaceAll(ida, 'ID'),
          );
        else expect(b.get(p)!.equals(bytes), p).toBe(true);
      }
      // the PDFs' sizes and hashes differ with the id printed in them; the paths do not
      const norm = (m: Buffer) => {
        const j = JSON.parse(m.toString('utf8')) as Manifest & { counts: { bytes: number } };
        return {
          ...j,
          startedAt: '',
          exportId: '',
          counts: { ...j.counts, bytes: 0 },
          files: j.files.map((f) => f.path),
        };
      };
      expect(norm(b.get('manifest.json')!)).toEqual(norm(a.get('manifest.json')!));
    }, 180_000);

  if (t.kind === 'sqlite')
    it('a resumed PDF export writes the same bytes as the run it resumes', async () => {
      // same export id (the journal keeps it): a finished export run again is byte-identical
      const { out } = await uninterrupted();
      const before = await files(out);
      const again = await exportPdf(out);
      expect(again.resumed).toBe(true);
      const after = await files(out);
      for (const [p, bytes] of before) if (p !== 'manifest.json') expect(after.get(p)!.equals(bytes), p).toBe(true);
    }, 180_000);

  if (t.kind === 'sqlite')
    it('without a CJK font, says which setting and which Debian package', async () => {
      await expect(loadPdfFont({}, [{ path: join(dir.path, 'no-such-font.ttc') }])).rejects.toThrow(
        /fonts-noto-cjk.*export\.pdfFont/,
      );
      const config = join(dir.path, 'bad-font.json');
      await writeFile(config, JSON.stringify({ dataDir: archive.data, export: { pdfFont: 'missing/font.ttf' } }));
      const r = await cli(
        'export',
        '--query',
        ALL,
        '--format',
        'pdf',
        '--out',
        join(dir.path, 'nofont'),
        '--config',
        config,
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('export.pdfFont');
      expect(r.stderr).toContain(join(dir.path, 'missing', 'font.ttf'));
    });

  if (t.kind === 'sqlite')
    it('splits a conversation of many messages into a transcript per UTC day', async () => {
      const out = join(dir.path, 'plan');
      await mkdir(join(out, '.export'), { recursive: true });
      const line = (n: number, path: string, day: string) =>
        JSON.stringify({ n, path, dateSent: `${day}T10:00:00.000Z` }) + '\n';
      await writeFile(
        join(out, '.export', 'done.jsonl'),
        [
          line(0, 'PDF/a/big.pdf', '2024-01-01'),
          line(1, 'PDF/a/big.pdf', '2024-01-01'),
          line(2, 'PDF/a/big.pdf', '2024-01-02'),
          line(3, 'PDF/a/small.pdf', '2024-01-02'),
          line(4, 'PDF/a/small.pdf', '2024-01-03'),
        ].join(''),
      );
      const pathOf = await pdfPathOf(out, 2);
      const d = (path: string, day: string) =>
        ({ path, dateSent: `${day}T10:00:00.000Z` }) as Parameters<typeof pathOf>[0];
      expect(pathOf(d('PDF/a/big.pdf', '2024-01-01'))).toBe('PDF/a/big_2024-01-01.pdf');
      expect(pathOf(d('PDF/a/big.pdf', '2024-01-02'))).toBe('PDF/a/big_2024-01-02.pdf');
      expect(pathOf(d('PDF/a/small.pdf', '2024-01-03'))).toBe('PDF/a/small.pdf');
    });
});
