import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanDecrypted } from './clean.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const parse = (bytes: Uint8Array): unknown => JSON.parse(cleanDecrypted(bytes).text);

/** Control characters the cleaner removes (tab, LF and CR are kept, escaped). */
// eslint-disable-next-line no-control-regex -- the property is about control characters
const REMOVED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
// eslint-disable-next-line no-control-regex -- the property is about control characters
const HAS_REMOVED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
/** JSON whose strings are rich in control characters (binary-ascii) or in any code point (binary). */
const anyJson = fc.oneof(fc.jsonValue({ stringUnit: 'binary-ascii' }), fc.jsonValue({ stringUnit: 'binary' }));
// eslint-disable-next-line no-control-regex -- the property is about control characters
const CONTROLS = /[\u0000-\u001f]/g;

/** JSON.stringify, but with every control character of a string written raw, as DecryptData sometimes does. */
function rawStringify(value: unknown): string {
  // An escaped backslash is matched first, so that the `n` of a literal backslash-n stays text.
  return JSON.stringify(value).replace(
    /\\\\|\\u00([01][0-9a-f])|\\([ntrbf])/g,
    (all, hex: string | undefined, ch: string | undefined) => {
      if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
      if (ch === undefined) return all;
      return { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }[ch] ?? all;
    },
  );
}

/** What the parsed value should be after cleaning: strings (keys too) without the removed controls. */
function withoutRemoved(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(REMOVED, '');
  if (Array.isArray(value)) return value.map(withoutRemoved);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(REMOVED, ''), withoutRemoved(v)]));
  }
  return value;
}

/** Is `sub` a subsequence of `text`? */
function isSubsequence(sub: string, text: string): boolean {
  let j = 0;
  for (let i = 0; i < text.length && j < sub.length; i++) if (text[i] === sub[j]) j++;
  return j === sub.length;
}

describe('cleanDecrypted', () => {
  it('passes clean JSON through unchanged', () => {
    const text = '{\n  "msgid": "a",\t"text": {"content": "你好 hello \\n"}\r\n}';
    expect(cleanDecrypted(utf8(text))).toEqual({ text, changed: false });
  });

  it('escapes raw newlines and tabs inside strings without reporting a change', () => {
    const result = cleanDecrypted(utf8('{"content":"第一行 line 1\n\tline 2\r\n"}'));
    expect(result.changed).toBe(false);
    expect(JSON.parse(result.text)).toEqual({ content: '第一行 line 1\n\tline 2\r\n' });
  });

  it('removes other control characters and reports the change', () => {
    const result = cleanDecrypted(utf8('{"content":"a\u0000b\u0007c\u001fd"}\u0001'));
    expect(result.changed).toBe(true);
    expect(JSON.parse(result.text)).toEqual({ content: 'abcd' });
  });

  it('keeps a backslash before a raw control character as a literal backslash', () => {
    const result = cleanDecrypted(utf8('{"a":"x\\\ny","b":"p\\\u0002q"}'));
    expect(result.changed).toBe(true);
    expect(JSON.parse(result.text)).toEqual({ a: 'x\\\ny', b: 'p\\q' });
  });

  it('replaces invalid UTF-8 and reports the change', () => {
    const bytes = Buffer.concat([utf8('{"content":"ab'), Buffer.from([0xff, 0xc3]), utf8('cd 中"}')]);
    const result = cleanDecrypted(bytes);
    expect(result.changed).toBe(true);
    expect(JSON.parse(result.text)).toEqual({ content: 'ab\ufffd\ufffdcd 中' });
  });

  it('does not report a U+FFFD the sender typed', () => {
    expect(cleanDecrypted(utf8('{"content":"\ufffd"}')).changed).toBe(false);
  });

  it('strips a byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('{"a":1}')]);
    expect(parse(bytes)).toEqual({ a: 1 });
  });

  it('makes any JSON with raw control characters in its strings parse, keeping the text', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        const raw = rawStringify(value);
        const result = cleanDecrypted(utf8(raw));
        // Through JSON once, as -0 comes back as 0.
        const expected: unknown = JSON.parse(JSON.stringify(withoutRemoved(value)));
        expect(JSON.parse(result.text)).toEqual(expected);
        expect(result.changed).toBe(HAS_REMOVED.test(raw));
      }),
    );
  });

  it('reports invalid bytes inside strings as U+FFFD and the change', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom(0xff, 0xfe, 0x80), (before, after, bad) => {
        const bytes = Buffer.concat([
          utf8(`{"s":${JSON.stringify(before).slice(0, -1)}`),
          Buffer.from([bad]),
          utf8(`${JSON.stringify(after).slice(1)}}`),
        ]);
        const result = cleanDecrypted(bytes);
        expect(result.changed).toBe(true);
        expect(JSON.parse(result.text)).toEqual({ s: `${before}\ufffd${after}` });
      }),
    );
  });

  it('keeps every printable character of any input, in order', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ unit: 'binary' }).map(utf8),
          anyJson.map((v) => utf8(rawStringify(v))),
        ),
        (bytes) => {
          const decoded = new TextDecoder().decode(bytes);
          const { text } = cleanDecrypted(bytes);
          expect(isSubsequence(decoded.replace(CONTROLS, ''), text)).toBe(true);
        },
      ),
    );
  });
});
