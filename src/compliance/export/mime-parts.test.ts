// The MIME reader verify-export uses on RSMF files gives the attachments mailparser gives (names
// and decoded bytes) and the header fields, on the RSMF writer's own files and on messages laid
// out otherwise: nested multiparts, a part without header fields, quoted-printable, bare LF line
// ends, a quoted boundary with spaces, no closing delimiter, a preamble that holds the boundary
// text mid-line; and it refuses bytes with no header block.
import { simpleParser } from 'mailparser';
import { expect, it } from 'vitest';
import { mimeParts } from './mime-parts.js';
import { rsmfFile } from './rsmf.js';
import { rsmfItem } from '../../../test/helpers/rsmf-items.js';

async function sameAsMailparser(raw: Buffer | string): Promise<void> {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const ours = mimeParts(bytes);
  const theirs = await simpleParser(bytes, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  expect(ours.attachments.map((a) => [a.filename, a.content.toString('hex')])).toEqual(
    theirs.attachments.map((a) => [a.filename, a.content.toString('hex')]),
  );
  for (const [name, value] of ours.headers)
    if (name.startsWith('x-')) expect(value).toBe(String(theirs.headers.get(name)).trim());
}

it("reads the RSMF writer's files as mailparser does", async () => {
  const file = rsmfFile([await rsmfItem(1), await rsmfItem(2, true), await rsmfItem(3)], 'c1').bytes;
  await sameAsMailparser(file);
  const parts = mimeParts(file);
  expect(parts.headers.get('x-rsmf-version')).toBe('2.0.0');
  expect(parts.headers.get('x-rsmf-eventcount')).toBe('3');
  expect(parts.attachments.map((a) => a.filename)).toEqual(['rsmf.zip']);
  // a zip: its local file header's signature
  expect(parts.attachments[0]!.content.subarray(0, 4).toString('hex')).toBe('504b0304');
});

it('reads messages laid out otherwise as mailparser does', async () => {
  const crlf = (lines: string[]) => lines.join('\r\n');
  // nested multiparts, a part without header fields, quoted-printable, a type that is no text
  await sameAsMailparser(
    crlf([
      'Subject: nested',
      'X-RSMF-Version: 2.0.0',
      'Content-Type: multipart/mixed;',
      '  boundary="outer b"',
      '',
      'a preamble that says --outer b mid-line',
      '--outer b',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      '',
      'a part with no header fields',
      '--inner',
      'Content-Type: text/html',
      '',
      '<p>hi</p>',
      '--inner--',
      '--outer b',
      'Content-Type: application/octet-stream; name="q.bin"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=C3=A9 =',
      'soft break',
      '--outer b',
      'Content-Type: text/plain',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'an attached text',
      '--outer b--',
      '',
    ]),
  );
  // bare LF line ends, and no closing delimiter
  await sameAsMailparser(
    [
      'X-RSMF-EventCount: 2',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'body',
      '--b',
      'Content-Type: application/zip; name="rsmf.zip"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('PK\u0003\u0004 zip bytes').toString('base64'),
      '',
    ].join('\n'),
  );
});

it('refuses bytes with no header block, and a multipart without a boundary', () => {
  expect(() => mimeParts(Buffer.from('\r\n\r\njust a body'))).toThrow('no header block');
  expect(() => mimeParts(Buffer.from('no blank line at all'))).toThrow('no header block');
  expect(() => mimeParts(Buffer.from('Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nbody\r\n--x--\r\n'))).toThrow(
    'a multipart/mixed part gives no boundary',
  );
});
