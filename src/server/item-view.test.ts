// Reading a stored message into the console's view: headers, attachments, the HTML body made
// safe with cid: images pointing at attachment URLs, and a text-only body shown escaped.
import { describe, expect, it } from 'vitest';
import { itemUrls, readItemMessage } from './item-view.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

function message(parts: { headers?: string; body: string }): Buffer {
  return Buffer.from(
    'From: =?UTF-8?B?5p6X5p2w?= <jie.lin@example.com>\r\n' +
      'To: "Huang" <huang@example.com>, undisclosed-recipients:;\r\n' +
      'Subject: =?UTF-8?B?W1dlQ2hhdF0g5p6X5p2wOiDkvaDlpb0=?=\r\n' +
      'Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n' +
      (parts.headers ?? '') +
      'MIME-Version: 1.0\r\n' +
      parts.body,
    'utf8',
  );
}

const related = message({
  headers: 'X-WeChat-MsgTime: 1700000000123\r\n',
  body:
    'Content-Type: multipart/related; boundary="b1"\r\n\r\n' +
    '--b1\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
    '<html><body onload="steal()"><p>你好</p><img src="cid:pic%40x"><img src="cid:unknown@x">' +
    '<script>alert(1)</script><a href="javascript:alert(2)">x</a></body></html>\r\n' +
    '--b1\r\nContent-Type: image/png\r\nContent-ID: <pic@x>\r\nContent-Transfer-Encoding: base64\r\n' +
    'Content-Disposition: inline; filename="dot.png"\r\n\r\n' +
    `${PNG.toString('base64')}\r\n` +
    '--b1\r\nContent-Type: application/pdf; name="=?UTF-8?B?5oql5ZGKLnBkZg==?="\r\nContent-Transfer-Encoding: base64\r\n' +
    "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf\r\n\r\n" +
    `${Buffer.from('%PDF-1.4 test').toString('base64')}\r\n` +
    '--b1--\r\n',
});

describe('readItemMessage', () => {
  it('reads headers, lists attachments and points cid: images at their URLs', async () => {
    const urls = itemUrls('jie.lin@example.com', 'wecom:corp:m1');
    const msg = await readItemMessage(related, urls.attachment);
    expect(msg.subject).toBe('[WeChat] 林杰: 你好');
    expect(msg.from).toBe('林杰 <jie.lin@example.com>');
    expect(msg.to).toEqual(['Huang <huang@example.com>']);
    expect(msg.date).toBe(1_700_000_000_123);
    expect(msg.attachments.map(({ content: _c, ...a }) => a)).toEqual([
      { index: 0, filename: 'dot.png', contentType: 'image/png', size: PNG.length },
      { index: 1, filename: '报告.pdf', contentType: 'application/pdf', size: 13 },
    ]);
    expect(msg.attachments[0]!.content.equals(PNG)).toBe(true);
    const att0 = '/api/mailboxes/jie.lin%40example.com/items/wecom%3Acorp%3Am1/attachments/0';
    expect(urls.attachment(0)).toBe(att0);
    expect(msg.html).toContain(`<img src="${att0}" />`);
    // An unknown cid: points nowhere (its source is dropped), never at the raw reference.
    expect(msg.html).toContain('<img />');
    expect(msg.html).toContain('<p>你好</p>');
    expect(msg.html).not.toMatch(/<script|onload|javascript:|cid:/i);
  });

  it('shows a text-only message escaped, and takes the Date header without X-WeChat-MsgTime', async () => {
    const plain = message({
      body: 'Content-Type: text/plain; charset=utf-8\r\n\r\n<script>alert(1)</script>\r\nline two\r\n',
    });
    const msg = await readItemMessage(plain, (i) => `/a/${i}`);
    expect(msg.date).toBe(Date.UTC(2023, 10, 14, 22, 13, 20));
    expect(msg.attachments).toEqual([]);
    expect(msg.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(msg.html).toContain('line two');
    expect(msg.html).not.toMatch(/<script/i);
  });
});

describe('names shown to a reader', () => {
  it('are shown with bidi and control characters replaced, so an extension cannot be disguised', async () => {
    const b64 = (t: string) => `=?UTF-8?B?${Buffer.from(t, 'utf8').toString('base64')}?=`;
    const spoofed = Buffer.from(
      `From: ${b64('\u202eEve')} <eve@example.com>\r\nTo: huang@example.com\r\n` +
        `Subject: ${b64('File: invoice\u202efdp.exe')}\r\nMIME-Version: 1.0\r\n` +
        'Content-Type: multipart/mixed; boundary="b2"\r\n\r\n' +
        '--b2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n' +
        // RFC 2231 name: "invoice<U+202E>fdp.exe" (displays as "invoiceexe.pdf") and one with an isolate.
        '--b2\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n' +
        "Content-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe\r\n\r\n" +
        `${Buffer.from('MZ').toString('base64')}\r\n` +
        '--b2\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n' +
        "Content-Disposition: attachment; filename*=UTF-8''%E2%81%A7gpj.%E2%81%A9scr%E2%80%8F%D8%9C\r\n\r\n" +
        `${Buffer.from('MZ').toString('base64')}\r\n` +
        '--b2--\r\n',
      'utf8',
    );
    const msg = await readItemMessage(spoofed, (i) => `/a/${i}`);
    expect(msg.attachments.map((a) => a.filename)).toEqual(['invoice_fdp.exe', '_gpj._scr__']);
    // The subject names the file too, and a sender chooses their own display name.
    expect(msg.subject).toBe('File: invoice_fdp.exe');
    expect(msg.from).toBe('_Eve <eve@example.com>');
    for (const a of msg.attachments) expect(a.filename).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u);
  });
});
