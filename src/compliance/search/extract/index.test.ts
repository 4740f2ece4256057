// extractAttachmentText as the indexer calls it: Office and PDF files go to the worker pool,
// text formats are read in place, and no input makes it throw; every outcome is a status.
import { strToU8 } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDocx, makePptx, makeXlsx } from '../../../../test/helpers/office-files.js';
import { closeSharedExtractPool, extractAttachmentText } from './index.js';

afterAll(() => closeSharedExtractPool());

describe('extractAttachmentText', () => {
  it('reads Office files through the pool and text files in place', async () => {
    const docx = await extractAttachmentText({ fileName: 'a.docx', bytes: makeDocx(['内幕信息 insider']) });
    expect(docx.status).toBe('ok');
    expect(docx.text).toContain('内幕信息 insider');
    const xlsx = await extractAttachmentText({
      fileName: 'b.xlsx',
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      bytes: makeXlsx([{ name: 'S', rows: [['报价', 101]] }]),
    });
    expect(xlsx.text).toContain('报价\t101');
    const pptx = await extractAttachmentText({ fileName: 'c.pptx', bytes: makePptx([['路演 roadshow']]) });
    expect(pptx.text).toContain('路演 roadshow');
    const csv = await extractAttachmentText({ fileName: 'd.csv', bytes: strToU8('name,amount\n张三,100\n') });
    expect(csv).toEqual({ status: 'ok', text: 'name,amount\n张三,100\n' });
  });

  it('never throws: damaged, legacy and unknown files come back as a status', async () => {
    const broken = await extractAttachmentText({ fileName: 'e.xlsx', bytes: makeDocx(['x']).slice(0, 40) });
    expect(broken.status).toBe('failed');
    expect(broken.reason).toBeTruthy();
    const legacy = await extractAttachmentText({
      fileName: 'f.xls',
      bytes: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
    });
    expect(legacy.status).toBe('unsupported');
    const unknown = await extractAttachmentText({ fileName: 'g.bin', bytes: new Uint8Array([1, 2, 3]) });
    expect(unknown.status).toBe('unsupported');
    const empty = await extractAttachmentText({ fileName: 'h.pdf', bytes: new Uint8Array(0) });
    expect(empty.status).toBe('failed');
  });
});
