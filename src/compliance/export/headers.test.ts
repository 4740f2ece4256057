import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeText, formatAddress, headerLine } from '../../render/headers.js';
import libmime from 'libmime';
import { bareAddress, decodeOurValue, decodeUtf8Base64Words, loadHeaders } from './headers.js';

/**
 * The header reading as it was before it worked on bytes (the whole block decoded, unfolded and
 * split into lines, then each line parsed): the byte-level reader must agree with it on any input.
 * The block ends at its first empty line (CRLF or LF); a message with none reads 64 KB.
 */
function referenceFields(mime: Buffer): Map<string, string> {
  const text = mime.toString('latin1');
  const empty = /(?:^|\n)\r?\n/.exec(text);
  const block = empty ? text.slice(0, empty.index + (empty[0].startsWith('\n') ? 1 : 0)) : text.slice(0, 64 * 1024);
  const fields = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 2 || colon > 7) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (!['from', 'to', 'cc', 'subject'].includes(name) || fields.has(name)) continue;
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (m) fields.set(name, m[2]!);
    if (fields.size === 4) break;
  }
  return fields;
}

/** A value's bytes decoded as before they were read as bytes: unfolded, read as UTF-8, its encoded words decoded. */
function referenceValue(bytes: Buffer): string {
  const v = bytes
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/^[ \t]+/, '');
  const utf8 = Buffer.from(v, 'latin1').toString('utf8');
  if (!utf8.includes('=?')) return utf8.trim();
  try {
    return (decodeUtf8Base64Words(utf8) ?? libmime.decodeWords(utf8)).trim();
  } catch {
    return utf8.trim();
  }
}

const message = (lines: string[], body = 'body\r\n') => Buffer.from(`${lines.join('')}\r\n${body}`, 'utf8');

describe('loadHeaders', () => {
  it('decodes folded encoded words and takes the first From, To, Cc and Subject, whatever their case', () => {
    const mime = message([
      'Resent-From: <resent@example.com>\r\n',
      'X-From: decoy\r\n',
      'Subjects: decoy\r\n',
      headerLine('FROM', formatAddress('李强 Li Qiang', 'li.qiang@example.com')),
      headerLine('to', formatAddress('孙军', 'sun.jun@example.com')),
      'Cc: <cc@example.com>\r\n',
      headerLine(
        'Subject',
        encodeText('客户风险测评 KYC Questionnaire, with a subject long enough to be folded twice'),
      ),
      'Subject: a second subject is not the message subject\r\n',
      'From: second@example.com\r\n',
    ]);
    expect(loadHeaders(mime)).toEqual({
      from: '李强 Li Qiang <li.qiang@example.com>',
      to: '孙军 <sun.jun@example.com>, <cc@example.com>',
      subject: '客户风险测评 KYC Questionnaire, with a subject long enough to be folded twice',
    });
    // the same values again (people fields are remembered): the same answer
    expect(loadHeaders(mime)).toEqual(loadHeaders(Buffer.from(mime)));
  });

  it('reads only the header block, and gives empty fields where a message has none', () => {
    const mime = message(['Date: Sun, 01 Nov 2026 06:14:19 +0000\r\n'], 'From: in the body\r\nSubject: also body\r\n');
    expect(loadHeaders(mime)).toEqual({ from: '', to: '', subject: '' });
  });

  it('passes a plain value through, trimmed, and keeps text that only looks encoded as the decoder leaves it', () => {
    const mime = message(['From:   plain@example.com  \r\n', 'Subject: =?x-unknown?Q?abc?= tail\r\n']);
    const h = loadHeaders(mime);
    expect(h.from).toBe('plain@example.com');
    expect(h.subject).toContain('tail');
  });

  it('gives back what the renderer wrote, among decoys and later duplicates (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 120 });
    const decoyName = fc.constantFrom('X-From', 'Resent-To', 'Subjects', 'Tos', 'C', 'Ccc', 'Fro', 'X-Subject');
    const nameCase = (n: string) => fc.constantFrom(n, n.toUpperCase(), n.toLowerCase());
    fc.assert(
      fc.property(
        fc.record({
          from: text,
          to: text,
          cc: text,
          subject: text,
          decoys: fc.array(fc.tuple(decoyName, text), { maxLength: 4 }),
          names: fc.tuple(nameCase('From'), nameCase('To'), nameCase('Cc'), nameCase('Subject')),
          order: fc.shuffledSubarray([0, 1, 2, 3], { minLength: 4, maxLength: 4 }),
          later: text,
        }),
        (g) => {
          const values = [g.from, g.to, g.cc, g.subject];
          const fields = g.order.map((i) => headerLine(g.names[i]!, encodeText(values[i]!)));
          const lines = [
            ...g.decoys.map(([n, v]) => headerLine(n, encodeText(v))),
            ...fields,
            // a second occurrence of each field never replaces the first
            ...g.order.map((i) => headerLine(g.names[i]!, encodeText(g.later))),
          ];
          expect(loadHeaders(message(lines))).toEqual({
            from: g.from.trim(),
            to: [g.to.trim(), g.cc.trim()].filter(Boolean).join(', '),
            subject: g.subject.trim(),
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('loadHeaders at the byte level', () => {
  // Pieces that make header blocks hard to read: line ends of every kind, folds, lone CRs, colons
  // in odd places, wanted names in any case and as prefixes of others, blank lines, non-ASCII.
  const piece = fc.constantFrom(
    'From:',
    'from:',
    'FROM: ',
    'To:',
    'tO:',
    'Cc:',
    'CC:',
    'Subject:',
    'subject: ',
    'Subjects:',
    'X-From:',
    'Fro:',
    'T:',
    ' ',
    '\t',
    '\r\n',
    '\n',
    '\r',
    '\r\n ',
    '\n\t',
    '\r\n\r\n',
    '\n\n',
    ':',
    'a',
    'b@c.d',
    '=?UTF-8?B?5p2O5by6?=',
    '=?utf-8?q?a=20b?=',
    '李强',
    '\u00e9',
    'Date: x',
    '<x@y.z>',
  );
  const block = fc.array(piece, { maxLength: 40 }).map((parts) => Buffer.from(parts.join(''), 'utf8'));

  it('finds the same fields as decoding, unfolding and splitting the whole block (property)', () => {
    fc.assert(
      fc.property(block, (mime) => {
        const want = referenceFields(mime);
        const got = loadHeaders(mime);
        const expected = loadHeaders(
          Buffer.from([...want].map(([name, value]) => `${name}: ${value}\r\n`).join('') + '\r\n', 'latin1'),
        );
        expect(got).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads no further than 64 KB into a message without an empty line', () => {
    const far = Buffer.concat([
      Buffer.from('X-Pad: ' + 'p'.repeat(70 * 1024) + '\r\n'),
      Buffer.from('Subject: late\r\n'),
    ]);
    expect(loadHeaders(far).subject).toBe('');
    expect(loadHeaders(Buffer.from('Subject: early\r\nX: y')).subject).toBe('early');
  });

  it('reads a header block of any size to its empty line, and nothing after it', () => {
    // a To of a large group reaches past 64 KB; the block still ends only at its empty line
    const people = Array.from({ length: 1500 }, (_, i) => formatAddress(`成员 ${i}`, `member${i}@example.com`));
    const mime = message(
      [headerLine('To', people.join(', ')), headerLine('Subject', encodeText('大群'))],
      'From: in the body\r\n'.repeat(10),
    );
    expect(mime.indexOf('Subject:')).toBeGreaterThan(64 * 1024);
    const h = loadHeaders(mime);
    expect(h.to.split(', ')).toHaveLength(1500);
    expect(h.to.endsWith('成员 1499 <member1499@example.com>')).toBe(true);
    expect(h.subject).toBe('大群');
    expect(h.from).toBe('');
    // an empty line of either kind ends it: LF, and a CRLF after a bare LF
    expect(loadHeaders(Buffer.from('To: a@b.c\n\nSubject: body\r\n\r\n'))).toEqual({
      from: '',
      to: 'a@b.c',
      subject: '',
    });
    expect(loadHeaders(Buffer.from('To: a@b.c\n\r\nSubject: body\r\n'))).toEqual({
      from: '',
      to: 'a@b.c',
      subject: '',
    });
    expect(loadHeaders(Buffer.from('\r\nSubject: body\r\n'))).toEqual({ from: '', to: '', subject: '' });
  });
});

describe('field values decoded from their bytes', () => {
  // what a value's bytes may hold: text, white space, folds (a line end is always followed by
  // white space inside a field), lone CRs, encoded words of every kind, delimiters, non-ASCII
  const piece = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\t', '<', '@', ',', '=', '?', '_', '\v', '\f'), maxLength: 8 }),
    fc.constantFrom(
      '\r\n ',
      '\n\t',
      '\r\n \t ',
      '\r',
      '=?',
      '?=',
      '=?UTF-8?B?',
      '=?utf-8?Q?a=20b?=',
      '=?GBK?B?xOO6ww==?=',
      '=?UTF-8?B??=',
      '=?UTF-8?B?QUI?=',
      '=?UTF-8?B?QQ==QkI=?=',
      '=?UTF-8?B?QR==?=',
      '=?UTF-8*en?B?QUJD?=',
      '李强',
      '\u00a0',
      '\u3000',
    ),
    fc
      .tuple(
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom('UTF-8', 'utf-8', 'Utf-8'),
        fc.constantFrom('B', 'b'),
        fc.constantFrom(' ', '\r\n ', '', '\t'),
      )
      .map(([text, cut, charset, b, sep]) => {
        const bytes = Buffer.from(text, 'utf8');
        const at = Math.min(cut, bytes.length);
        return [bytes.subarray(0, at), bytes.subarray(at)]
          .filter((x) => x.length)
          .map((x) => `=?${charset}?${b}?${x.toString('base64')}?=`)
          .join(sep);
      }),
  );

  it('gives what unfolding and decoding the value gives, or leaves it to them (property)', () => {
    let decoded = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const bytes = Buffer.from(pieces.join(''), 'utf8');
        const ours = decodeOurValue(bytes, 0, bytes.length);
        if (ours === undefined) return;
        decoded++;
        expect(ours).toBe(referenceValue(bytes));
      }),
      { numRuns: 3000 },
    );
    // most values are decoded here, not left to the general path
    expect(decoded).toBeGreaterThan(1000);
  });

  // the addresses people have here (an address holding a word's delimiter is left to the general path)
  const address = fc
    .tuple(
      fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/),
      fc.constantFrom('example.com', 'external.wechat-archiver.invalid'),
    )
    .map(([local, domain]) => `${local}@${domain}`);

  it('decodes every value our renderer writes itself, whatever its text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), address, (text, address) => {
        for (const value of [encodeText(text), formatAddress(text, address)]) {
          const line = Buffer.from(headerLine('Subject', value), 'utf8');
          const bytes = line.subarray('Subject:'.length, line.length - 2);
          const ours = decodeOurValue(bytes, 0, bytes.length);
          expect(ours).toBeDefined();
          expect(ours).toBe(referenceValue(bytes));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves a value that is not ours to the general path', () => {
    for (const value of ['caf\u00e9', 'a\rb', '=?GBK?B?xOO6ww==?=', '=?UTF-8?Q?a?=', 'a ?= b', '=?UTF-8?B?QUI?=']) {
      const bytes = Buffer.from(value, 'utf8');
      expect(decodeOurValue(bytes, 0, bytes.length)).toBeUndefined();
    }
  });
});

describe('bareAddress', () => {
  it('takes the angle address, else a bare one, else MAILER-DAEMON', () => {
    expect(bareAddress('李强 <li@example.com>')).toBe('li@example.com');
    expect(bareAddress('li@example.com')).toBe('li@example.com');
    expect(bareAddress('nobody')).toBe('MAILER-DAEMON');
  });
});

describe('encoded words decoded without libmime', () => {
  /** A value as headers carry it: encoded words (split anywhere, even inside a character), text and white space between. */
  const piece = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'Z', ' ', '\t', '<', '@', ',', '=', '?', '_', '李', '强'), maxLength: 8 }),
    fc.constantFrom(' ', '  ', '\r\n ', '\u00a0', '=?', '?=', '=?UTF-8?B?', '=?utf-8?Q?a=20b?=', '=?GBK?B?xOO6ww==?='),
    fc
      .tuple(
        fc.string({ maxLength: 12 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom('UTF-8', 'utf-8', 'Utf-8', 'UTF8'),
        fc.constantFrom('B', 'b'),
      )
      .map(([text, cut, charset, b]) => {
        const bytes = Buffer.from(text, 'utf8');
        const at = Math.min(cut, bytes.length);
        return [bytes.subarray(0, at), bytes.subarray(at)]
          .filter((x) => x.length)
          .map((x) => `=?${charset}?${b}?${x.toString('base64')}?=`)
          .join(' ');
      }),
    // base64 that is not whole groups, or padded inside
    fc.constantFrom('=?UTF-8?B?QUI?=', '=?UTF-8?B?QQ==QkI=?=', '=?UTF-8?B?QR==?=', '=?UTF-8?B?5p?= =?UTF-8?B?2O?='),
  );

  it('gives what libmime gives, or leaves the value to it (property)', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const value = pieces.join('');
        const ours = decodeUtf8Base64Words(value);
        if (ours !== undefined) expect(ours).toBe(libmime.decodeWords(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes our own renderer's words, a character split across two of them included", () => {
    const name = '客户风险测评 KYC Questionnaire 张伟 Zhang Wei (+8613800000000)';
    for (const value of [
      encodeText(name),
      formatAddress('张伟 Zhang Wei', 'zhang.wei@example.com'),
      // one character's three bytes split over two words, as a long word may be cut
      `=?UTF-8?B?${Buffer.from('客户').subarray(0, 4).toString('base64')}?=\r\n =?UTF-8?B?${Buffer.from('客户').subarray(4).toString('base64')}?=`,
    ]) {
      const ours = decodeUtf8Base64Words(value);
      expect(ours).toBeDefined();
      expect(ours).toBe(libmime.decodeWords(value));
    }
    expect(decodeUtf8Base64Words(encodeText(name))).toContain('客户风险测评');
  });

  it('leaves any other encoded word to libmime', () => {
    for (const value of [
      '=?GBK?B?xOO6ww==?=',
      '=?UTF-8?Q?caf=C3=A9?=',
      '=?UTF-8?B?QUI?=',
      '=?UTF-8*en?B?QUJD?=',
      // a word's delimiter outside the words, which libmime joins by the raw text (found by the property)
      '=?UTF-8?B??=?UTF-8?B?QUI?==?UTF-8?B?QR==?=',
    ])
      expect(decodeUtf8Base64Words(value)).toBeUndefined();
  });
});
