import { describe, expect, it } from 'vitest';
import { EXTRACT_MAX_BYTES, extractAttachmentText } from './index.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('extractAttachmentText', () => {
  it('reads UTF-8 text and CSV by content type or extension', async () => {
    expect(await extractAttachmentText({ fileName: 'a.txt', bytes: enc('保本 fund') })).toEqual({
      status: 'ok',
      text: '保本 fund',
    });
    const csv = await extractAttachmentText({
      fileName: 'x',
      contentType: 'text/csv',
      bytes: enc('名称,金额\n基金,100'),
    });
    expect(csv.text).toContain('基金,100');
  });

  it('reads GB18030 and UTF-16 text', async () => {
    const gbk = Uint8Array.from([0xb1, 0xa3, 0xb1, 0xbe]); // 保本 in GBK
    expect((await extractAttachmentText({ fileName: 'a.txt', bytes: gbk })).text).toBe('保本');
    const utf16 = Uint8Array.from([0xff, 0xfe, 0xdd, 0x4f, 0x2c, 0x67]);
    expect((await extractAttachmentText({ fileName: 'a.txt', bytes: utf16 })).text).toBe('保本');
  });

  it('takes the visible text of HTML, without scripts or entities', async () => {
    const r = await extractAttachmentText({
      fileName: 'page.html',
      bytes: enc('<html><script>alert(1)</script><p>保本 &amp; fund</p></html>'),
    });
    expect(r.status).toBe('ok');
    expect(r.text).toContain('保本 & fund');
    expect(r.text).not.toContain('alert');
  });

  it('says unsupported or too-large instead of failing', async () => {
    expect((await extractAttachmentText({ fileName: 'a.bin', bytes: enc('x') })).status).toBe('unsupported');
    const big = { fileName: 'a.txt', bytes: new Uint8Array(EXTRACT_MAX_BYTES + 1) };
    expect((await extractAttachmentText(big)).status).toBe('too-large');
  });
});
