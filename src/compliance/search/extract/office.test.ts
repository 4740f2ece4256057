import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDocx, makePdf, makePptx, makeXlsx } from '../../../../test/helpers/office-files.js';
import { detectBinaryFormat } from './detect.js';
import { MAX_INPUT_BYTES } from './limits.js';
import { extractOfficeText } from './office.js';
import { createExtractPool } from './pool.js';
import { readZipParts } from './zip.js';

const pool = createExtractPool({ threads: 1 });
afterAll(() => pool.close());

const read = (fileName: string, bytes: Uint8Array) => extractOfficeText({ fileName, bytes }, pool);

describe('attachment text of PDF and Office files', () => {
  it('reads a Word document, Chinese and English, paragraph by paragraph', async () => {
    const out = await read('合同.docx', makeDocx(['保本保息的承诺', 'Guaranteed returns & more']));
    expect(out?.status).toBe('ok');
    expect(out?.text).toContain('保本保息的承诺');
    expect(out?.text).toContain('Guaranteed returns & more');
    expect(out?.text.indexOf('保本')).toBeLessThan(out?.text.indexOf('Guaranteed') ?? -1);
  });

  it('reads an Excel workbook: sheet names, shared strings and numbers, row by row', async () => {
    const bytes = makeXlsx([
      {
        name: '客户名单',
        rows: [
          ['姓名', '金额'],
          ['张三', 1500000],
        ],
      },
      { name: 'Q2', rows: [['wire transfer', 42]] },
    ]);
    const out = await read('clients.xlsx', bytes);
    expect(out?.status).toBe('ok');
    expect(out?.text.split('\n')).toEqual([
      '客户名单',
      'Q2',
      '',
      '姓名\t金额',
      '张三\t1500000',
      '',
      'wire transfer\t42',
    ]);
  });

  it('reads a PowerPoint deck: slides in number order (10 after 2), then the notes', async () => {
    const slides = Array.from({ length: 11 }, (_, i) => [`slide ${i + 1} title`, `第${i + 1}页`]);
    const out = await read('deck.pptx', makePptx(slides, ['speaker note: 内幕消息']));
    expect(out?.status).toBe('ok');
    const text = out?.text ?? '';
    expect(text.indexOf('slide 2 title')).toBeLessThan(text.indexOf('slide 10 title'));
    expect(text).toContain('第11页');
    expect(text.trim().endsWith('speaker note: 内幕消息')).toBe(true);
  });

  it('reads a PDF page by page', async () => {
    const out = await read('statement.pdf', makePdf([['Account statement', 'insider tip'], ['page two total']]));
    expect(out?.status).toBe('ok');
    expect(out?.text).toMatch(/Account statement\s+insider tip\s+page two total/);
  });

  it('knows a file by its bytes, not its name', async () => {
    expect(detectBinaryFormat('scan.bin', makePdf([['x']]))).toBe('pdf');
    expect(detectBinaryFormat('report.dat', makeDocx(['x']))).toBe('docx');
    expect(detectBinaryFormat('book.zip', makeXlsx([{ name: 's', rows: [['x']] }]))).toBe('xlsx');
    expect(detectBinaryFormat('a.zip', zipSync({ 'readme.txt': strToU8('hi') }))).toBeUndefined();
    expect(detectBinaryFormat('notes.txt', strToU8('plain text'))).toBeUndefined();
    const out = await read('renamed.txt', makeDocx(['hidden in a renamed file']));
    expect(out?.text).toContain('hidden in a renamed file');
  });

  it('reports a damaged file as failed with the reason, and goes on with the next one', async () => {
    const docx = makeDocx(['whole']);
    const cut = await read('broken.docx', docx.slice(0, Math.floor(docx.length / 2)));
    expect(cut?.status).toBe('failed');
    expect(cut?.reason).toBeTruthy();
    const pdf = await read('broken.pdf', strToU8('%PDF-1.4\nthis is not a PDF body'));
    expect(pdf?.status).toBe('failed');
    expect(pdf?.reason).toMatch(/PDF/i);
    const named = await read('looks.xlsx', strToU8('not a zip at all'));
    expect(named?.status).toBe('failed');
    const next = await read('fine.docx', makeDocx(['after the broken ones']));
    expect(next?.status).toBe('ok');
  });

  it('recognises legacy binary Office files and says they are not read', async () => {
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    const out = await read('old.doc', ole);
    expect(out?.status).toBe('unsupported');
    expect(out?.reason).toMatch(/legacy/);
  });

  it('refuses a file over the size limit without reading it', async () => {
    const big = new Uint8Array(MAX_INPUT_BYTES + 1);
    big.set(strToU8('%PDF-1.4\n'));
    const out = await read('huge.pdf', big);
    expect(out?.status).toBe('too-large');
    expect(out?.reason).toMatch(/MiB limit/);
  });

  it('refuses a zip bomb from its declared sizes before inflating it', () => {
    const bytes = zipSync({ 'xl/sharedStrings.xml': new Uint8Array(2 * 1024 * 1024) }, { level: 9 });
    expect(bytes.length).toBeLessThan(20_000);
    expect(() => readZipParts(bytes, () => true, 1024 * 1024)).toThrow(/more than 1 MiB/);
  });
});

describe('extraction bounds', () => {
  it('terminates a file that runs over its time and keeps serving the next one', async () => {
    const timed = createExtractPool({ threads: 1 });
    try {
      // Warm the worker first so the deadline measures the file, not the thread's start.
      expect((await timed.run('pdf', makePdf([['warm']]))).status).toBe('ok');
      const pages = Array.from({ length: 4000 }, (_, i) => Array.from({ length: 40 }, (_, j) => `line ${i} ${j}`));
      const t0 = Date.now();
      const out = await timed.run('pdf', makePdf(pages), { timeoutMs: 400 });
      expect(out).toEqual({ status: 'timeout', text: '', reason: 'not read within 0.4 s' });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect((await timed.run('docx', makeDocx(['still working']))).text).toContain('still working');
    } finally {
      await timed.close();
    }
  });

  it('a file that needs more memory than the worker may use fails alone as too-large', async () => {
    const small = createExtractPool({ threads: 1, heapMb: 16 });
    try {
      const rows = Array.from({ length: 60_000 }, (_, i) => [`客户 ${i} 的备注 ${'x'.repeat(40)}`, i]);
      const out = await small.run('xlsx', makeXlsx([{ name: 'big', rows }]));
      expect(out.status).toBe('too-large');
      expect(out.reason).toMatch(/more than 16 MB of memory/);
      expect((await small.run('docx', makeDocx(['after the big one']))).status).toBe('ok');
    } finally {
      await small.close();
    }
  });
});
