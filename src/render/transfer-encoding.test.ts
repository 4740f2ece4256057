import { describe, expect, it } from 'vitest';
import { base64Lines, canonicalText, encodeTextBody, quotedPrintable } from './transfer-encoding.js';

const qp = (s: string): string => quotedPrintable(Buffer.from(canonicalText(s), 'utf8'));

describe('quotedPrintable', () => {
  it('escapes = and non-ASCII, keeps the rest', () => {
    expect(qp('a=b 中')).toBe('a=3Db =E4=B8=AD');
  });

  it('encodes whitespace before a line break and at the end', () => {
    expect(qp('x \ny\t')).toBe('x=20\r\ny=09');
  });

  it('breaks softly at 76 characters without splitting an escape', () => {
    const out = qp(`${'a'.repeat(74)}中${'b'.repeat(200)}`);
    const lines = out.split('\r\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(76);
    for (const l of lines.slice(0, -1)) expect(l.endsWith('=')).toBe(true);
    expect(lines[0]).toBe(`${'a'.repeat(74)}=`);
    expect(lines[1]?.startsWith('=E4=B8=AD')).toBe(true);
  });
});

describe('base64Lines', () => {
  it.each([0, 1, 56, 57, 58, 114, 1000])('encodes %i bytes in 76-character CRLF lines', (n) => {
    const data = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37) & 0xff));
    const text = base64Lines(data).toString('latin1');
    const lines = text.split('\r\n');
    expect(lines.pop()).toBe('');
    for (const l of lines.slice(0, -1)) expect(l.length).toBe(76);
    expect(Buffer.from(lines.join(''), 'base64').equals(data)).toBe(true);
  });
});

describe('encodeTextBody', () => {
  it('uses quoted-printable for mostly ASCII and base64 for mostly Chinese or when asked', () => {
    expect(encodeTextBody('Hello there, 你好').encoding).toBe('quoted-printable');
    expect(encodeTextBody('你好世界 hi').encoding).toBe('base64');
    expect(encodeTextBody('Hello', true).encoding).toBe('base64');
  });

  it('sends every line break as CRLF', () => {
    expect(encodeTextBody('a\nb\rc\r\nd').body).toBe('a\r\nb\r\nc\r\nd');
  });
});
