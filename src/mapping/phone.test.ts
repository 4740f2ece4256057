import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeMobile } from './phone.js';

const FULL_WIDTH_OFFSET = 0xff10 - 0x30;
const fullWidth = (s: string): string =>
  s.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + FULL_WIDTH_OFFSET));

/** Every way people write a Chinese mobile that the mapping CSV must accept. */
function writingsOf(n: string): string[] {
  const [a, b, c] = [n.slice(0, 3), n.slice(3, 7), n.slice(7)];
  return [
    n,
    `+86${n}`,
    `+86 ${a} ${b} ${c}`,
    `0086${n}`,
    `00 86 ${n}`,
    `86${n}`,
    `86-${a}-${b}-${c}`,
    `(+86) ${a}-${b}-${c}`,
    `+86.${a}.${b}.${c}`,
    `  ${a} ${b} ${c}  `,
    fullWidth(n),
    `＋８６ ${fullWidth(a)} ${fullWidth(b)} ${fullWidth(c)}`,
    `（＋86）${a}-${b}-${c}`,
    `\u200b${n}\u200b`,
  ];
}

describe('normalizeMobile', () => {
  it.each([
    ['+86 138 0013 8000', '+8613800138000'],
    ['008613800138000', '+8613800138000'],
    ['13800138000', '+8613800138000'],
    ['86-138-0013-8000', '+8613800138000'],
    ['(+86) 138-0013-8000', '+8613800138000'],
    ['１３８００１３８０００', '+8613800138000'],
    ['+44 7911 123456', '+447911123456'],
    ['+852 9123 4567', '+85291234567'],
    ['+1 202 555 0123', '+12025550123'],
  ])('accepts %s', (input, e164) => {
    expect(normalizeMobile(input)).toEqual({ ok: true, e164 });
  });

  it('honours the default region for national numbers', () => {
    expect(normalizeMobile('07911 123456', 'GB')).toEqual({ ok: true, e164: '+447911123456' });
    expect(normalizeMobile('9123 4567', 'HK')).toEqual({ ok: true, e164: '+85291234567' });
  });

  it.each([
    [
      '+86 1380013800',
      'mobile-wrong-length',
      '"+86 1380013800" is not a valid mobile number (10 digits after +86, a Chinese mobile has 11)',
    ],
    [
      '138001380001',
      'mobile-wrong-length',
      '"138001380001" is not a valid mobile number (12 digits after +86, a Chinese mobile has 11)',
    ],
    [
      '+86 140 1234 5678',
      'mobile-not-in-range',
      '"+86 140 1234 5678" is not a valid mobile number (the right length for a Chinese mobile, but not in a range assigned to mobile networks)',
    ],
    // Ofcom keeps 07700 900000-900999 for drama: never assigned, so never a person's phone.
    [
      '+44 7700 900123',
      'mobile-not-in-range',
      '"+44 7700 900123" is not a valid mobile number (the right length for a mobile in United Kingdom, but not in a range assigned to mobile networks)',
    ],
    [
      '+852 9123 456',
      'mobile-wrong-length',
      '"+852 9123 456" is not a valid mobile number (7 digits after +852, a mobile in Hong Kong SAR China has 8)',
    ],
    ['+86 10 6552 9988', 'mobile-not-mobile', '"+86 10 6552 9988" is a fixed-line number, not a mobile number'],
    [
      '+999 1234 5678',
      'mobile-unknown-country-code',
      '"+999 1234 5678" does not start with a known country code after the + or 00',
    ],
    ['abc', 'mobile-bad-chars', '"abc" is not a phone number (only digits, spaces, + ( ) - . are expected)'],
    [
      'tel:+8613800138000',
      'mobile-bad-chars',
      '"tel:+8613800138000" is not a phone number (only digits, spaces, + ( ) - . are expected)',
    ],
    ['   ', 'mobile-empty', 'the mobile number is empty'],
    [
      '1.38001E+10',
      'mobile-scientific',
      '"1.38001E+10" is in scientific notation, which a spreadsheet makes of a long number, losing digits (format the column as text and type the number again)',
    ],
    [
      '447911123456',
      'mobile-missing-plus',
      '"447911123456" is not a valid mobile number (12 digits after +86, a Chinese mobile has 11); if it is +44 7911 123456, write it with the +',
    ],
  ])('rejects %s with a reason a person can act on', (input, code, reason) => {
    // toMatchObject compares the reason exactly; the params are checked in codes.test.ts
    expect(normalizeMobile(input)).toMatchObject({ ok: false, code, reason });
  });

  it('normalizes every writing of a valid Chinese mobile to the same E.164', () => {
    // Prefixes whose whole block is assigned to mobile networks (13x, 15x but 154, 18x).
    const prefix = fc.constantFrom(
      ...['130', '131', '132', '133', '135', '136', '137', '138', '139'],
      ...['150', '151', '152', '153', '155', '156', '157', '158', '159'],
      ...['180', '181', '182', '183', '184', '185', '186', '187', '188', '189'],
    );
    const rest = fc.stringMatching(/^\d{8}$/);
    fc.assert(
      fc.property(prefix, rest, (p, r) => {
        const n = p + r;
        for (const w of writingsOf(n)) expect(normalizeMobile(w), w).toEqual({ ok: true, e164: `+86${n}` });
      }),
    );
  });

  it('gives the same answer for every writing of any 11 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^1\d{10}$/), (n) => {
        const results = writingsOf(n).map((w) => normalizeMobile(w));
        const first = results[0]!;
        for (const r of results) {
          expect(r.ok).toBe(first.ok);
          if (r.ok && first.ok) expect(r.e164).toBe(first.e164);
        }
      }),
    );
  });

  it('never throws and only returns E.164 on success', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[+\d\s()-]{0,20}$/)), (s) => {
        const r = normalizeMobile(s);
        if (r.ok) expect(r.e164).toMatch(/^\+[1-9]\d{6,14}$/);
        else expect(r.reason.length).toBeGreaterThan(0);
      }),
    );
  });
});
