import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatAddress, headerLine } from '../../render/headers.js';
import { loadHeaders } from './headers.js';
import {
  cutJournal,
  journalDir,
  openJournal,
  readDone,
  readHeader,
  readKeys,
  writeHeader,
  type JournalHeader,
  type WrittenItem,
} from './journal.js';
import { fileHeaders, HEAD_READ, PassWriter } from './load-files-write.js';
import type { ExportKeyPage } from '../../store/index.js';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'wxa-journal-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

const header = (version: JournalHeader['version'], items: number): JournalHeader => ({
  version,
  exportId: 'e1',
  format: 'eml',
  caseId: 1,
  caseName: 'Case',
  reviewSetId: null,
  query: null,
  tags: [],
  exportedBy: 'tester',
  startedAt: '2026-01-01T00:00:00.000Z',
  items,
});

async function* pages(keys: string[], rowids: number[] | null = null): AsyncGenerator<ExportKeyPage> {
  yield { keys, rowids };
}

/** A message whose To lists `people` participants (a large group's header block runs past one read). */
function message(people: number, subject: string): Buffer {
  const to = Array.from({ length: people }, (_, i) => formatAddress(`成员 Member ${i}`, `m${i}@example.com`)).join(
    ', ',
  );
  return Buffer.from(
    [
      headerLine('From', formatAddress('李强 Li Qiang', 'li.qiang@example.com')),
      headerLine('To', to),
      headerLine('Subject', subject),
      'Content-Type: text/plain; charset=utf-8\r\n',
      '\r\n',
      'body\r\n\r\nmore body\r\n',
    ].join(''),
    'utf8',
  );
}

function item(n: number, mime: Buffer): WrittenItem {
  return {
    n,
    controlNumber: `WXA${String(n + 1).padStart(8, '0')}`,
    itemKey: `wecom:c:${n}`,
    msgid: `${n}`,
    mimeSha256: 'a'.repeat(64),
    bytes: mime.length,
    path: `NATIVES/a@example.com/WXA${String(n + 1).padStart(8, '0')}.eml`,
    custodians: ['a@example.com'],
    dateSent: '2026-01-01T00:00:00.000Z',
    conversation: 'conv',
    msgtype: 'text',
    tags: ['responsive'],
    ...loadHeaders(mime),
  };
}

describe('export journal, version 2', () => {
  it("leaves the headers an item's file holds out of its line, and keeps every other field", async () => {
    await writeHeader(out, (n) => header(2, n), pages(['k0']));
    const mime = message(3, 'Quarterly numbers');
    const written = item(0, mime);
    const journal = await openJournal(out, true);
    await journal.append([written]);
    await journal.close();
    const text = await readFile(join(journalDir(out), 'done.jsonl'), 'utf8');
    const line = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(line)).not.toContain('from');
    expect(Object.keys(line)).not.toContain('to');
    expect(Object.keys(line)).not.toContain('subject');
    const { from: _from, to: _to, subject: _subject, ...rest } = written;
    expect(line).toEqual(rest);
    expect(text.length).toBeLessThan(JSON.stringify(written).length);
  });

  it('reads the headers back from the file as the stored message gave them, wherever the blank line falls among the reads', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.string({ maxLength: 40 }), (people, subject) => {
        const mime = message(people, subject);
        const file = join(out, `m${people}.eml`);
        writeFileSync(file, mime);
        expect(fileHeaders(file)).toEqual(loadHeaders(mime));
      }),
      { numRuns: 30 },
    );
  });

  it("gives the stored message's headers where the blank line ending the header block straddles two reads", () => {
    for (let at = HEAD_READ - 4; at <= HEAD_READ + 1; at++) {
      const head = `Subject: near the edge\r\nFrom: <a@example.com>\r\nX-Pad: `;
      const mime = Buffer.from(`${head}${'p'.repeat(at - head.length)}\r\n\r\nTo: <body@example.com>\r\n`, 'latin1');
      expect(mime.indexOf('\r\n\r\n')).toBe(at);
      const file = join(out, `edge${at}.eml`);
      writeFileSync(file, mime);
      expect(fileHeaders(file)).toEqual({ from: '<a@example.com>', to: '', subject: 'near the edge' });
      expect(fileHeaders(file)).toEqual(loadHeaders(mime));
    }
  });

  it('gives the same load-file rows from version 1 lines (headers carried) and version 2 lines (headers read from the files)', async () => {
    const mimes = [message(2, '第一 First'), message(400, 'Second, "quoted"'), message(0, 'Third\r\n folded')];
    const items = mimes.map((m, n) => item(n, m));
    await writeHeader(out, (n) => header(2, n), pages(items.map((i) => i.itemKey)));
    for (const [n, m] of mimes.entries()) {
      await mkdir(join(out, 'NATIVES', 'a@example.com'), { recursive: true });
      await writeFile(join(out, items[n]!.path), m);
    }
    const rows = async (lines: Parameters<PassWriter['add']>[0]) => {
      const w = await PassWriter.open(out, header(2, items.length));
      w.add(lines);
      const pass = w.finish();
      return {
        dat: await readFile(join(out, 'DATA', 'loadfile.dat'), 'utf8'),
        csv: await readFile(join(out, 'DATA', 'loadfile.csv'), 'utf8'),
        hashes: pass.loadFiles.map((f) => f.sha256),
      };
    };
    const v1 = await rows(items);
    const v2 = await rows(items.map(({ from: _f, to: _t, subject: _s, ...line }) => line));
    expect(v2).toEqual(v1);
    expect(v1.csv).toContain('"Second, ""quoted"""');
  });

  it('resumes a version 1 journal and refuses one of a version it does not know, naming the file', async () => {
    await writeHeader(out, (n) => header(1, n), pages(['k0']));
    expect((await readHeader(out))?.version).toBe(1);
    const path = join(journalDir(out), 'header.json');
    await writeFile(path, JSON.stringify({ ...header(2, 1), version: 4 }));
    await expect(readHeader(out)).rejects.toThrow(
      /header\.json: an export journal of version 4.*knows versions 1, 2, 3.*export into a new directory/,
    );
  });

  it('reads back lines of both versions in order', async () => {
    await writeHeader(out, (n) => header(1, n), pages(['k0', 'k1']));
    const [a, b] = [item(0, message(1, 'a')), item(1, message(1, 'b'))];
    // a version 1 line carries the headers; this build appends version 2 lines after it
    await writeFile(join(journalDir(out), 'done.jsonl'), JSON.stringify(a) + '\n');
    const journal = await openJournal(out, true);
    await journal.append([b]);
    await journal.close();
    const back = [];
    for await (const d of readDone(out)) back.push(d);
    expect(back.map((d) => [d.n, d.subject])).toEqual([
      [0, a.subject],
      [1, undefined],
    ]);
  });
});

describe('export journal, cut on resume', () => {
  it('keeps the good lines, hands each to the caller once and says how many, and drops every line from the first bad one', async () => {
    await writeHeader(out, (n) => header(2, n), pages(['k0', 'k1', 'k2', 'k3', 'k4']));
    const journal = await openJournal(out, true);
    const items = [0, 1, 2, 3].map((n) => item(n, message(1, `s${n}`)));
    await journal.append(items.slice(0, 3));
    await journal.close();
    const path = join(journalDir(out), 'done.jsonl');
    const good = await readFile(path, 'utf8');
    // as a power loss can leave it: zeros where a line was, a whole line after them, a torn one
    await writeFile(path, good + '\0'.repeat(40) + '\n' + JSON.stringify(items[3]) + '\n' + '{"n":4,"pa');
    const seen: number[] = [];
    expect(await cutJournal(out, (d) => seen.push(d.n))).toBe(3);
    expect(seen).toEqual([0, 1, 2]);
    expect(await readFile(path, 'utf8')).toBe(good);
    // cut again: nothing more to drop
    expect(await cutJournal(out)).toBe(3);
    // a line out of sequence is dropped with what follows it; an empty journal has none
    await writeFile(path, good + JSON.stringify(items[3]).replace('"n":3', '"n":7') + '\n');
    expect(await cutJournal(out)).toBe(3);
    expect(await readFile(path, 'utf8')).toBe(good);
    await writeFile(path, '');
    expect(await cutJournal(out, () => seen.push(-1))).toBe(0);
    expect(seen).toEqual([0, 1, 2]);
  });
});

describe('export journal, the key list', () => {
  async function read(version: JournalHeader['version'], from: number, size: number): Promise<ExportKeyPage[]> {
    const out2: ExportKeyPage[] = [];
    for await (const p of readKeys(out, version, from, size)) out2.push(p);
    return out2;
  }

  it('version 3 keeps each key with its rowid (0 where there is none), read back from any item, a batch at a time', async () => {
    // keys as an archive may name them: with spaces, and one that looks like a rowid
    const keys = ['wecom:c:m 1', 'wecom:c:m2', '12 34', 'wecom:c:m4', 'wecom:c:m5'];
    await writeHeader(out, (n) => header(3, n), pages(keys, [7, 0, 9, 0, 0]));
    expect(await readFile(join(journalDir(out), 'items.txt'), 'utf8')).toBe(
      '7 wecom:c:m 1\n0 wecom:c:m2\n9 12 34\n0 wecom:c:m4\n0 wecom:c:m5\n',
    );
    expect(await read(3, 0, 2)).toEqual([
      { keys: ['wecom:c:m 1', 'wecom:c:m2'], rowids: [7, 0] },
      { keys: ['12 34', 'wecom:c:m4'], rowids: [9, 0] },
      // a batch with no rowid at all says so: its items are looked up by key
      { keys: ['wecom:c:m5'], rowids: null },
    ]);
    expect(await read(3, 2, 10)).toEqual([{ keys: ['12 34', 'wecom:c:m4', 'wecom:c:m5'], rowids: [9, 0, 0] }]);
    // a line that does not start with a rowid is a key without one
    await writeFile(join(journalDir(out), 'items.txt'), 'x1 wecom:c:m 1\nwecom:c:m2\n3 wecom:c:m3\n');
    expect(await read(3, 0, 10)).toEqual([{ keys: ['x1 wecom:c:m 1', 'wecom:c:m2', 'wecom:c:m3'], rowids: [0, 0, 3] }]);
    // a selection without rowids (PostgreSQL)
    await rm(journalDir(out), { recursive: true });
    await writeHeader(out, (n) => header(3, n), pages(['a', 'b']));
    expect(await read(3, 0, 10)).toEqual([{ keys: ['a', 'b'], rowids: null }]);
  });

  it('reads the key list of a version 2 journal (a key a line) as keys without rowids', async () => {
    await mkdir(journalDir(out), { recursive: true });
    await writeFile(join(journalDir(out), 'items.txt'), 'wecom:c:m0\n7 wecom:c:m1\r\nwecom:c:m2\n');
    expect(await read(2, 0, 2)).toEqual([
      { keys: ['wecom:c:m0', '7 wecom:c:m1'], rowids: null },
      { keys: ['wecom:c:m2'], rowids: null },
    ]);
    expect(await read(1, 1, 5)).toEqual([{ keys: ['7 wecom:c:m1', 'wecom:c:m2'], rowids: null }]);
  });
});
