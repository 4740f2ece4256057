import { describe, expect, it } from 'vitest';
import { decodeLines, sniffDelimiter, splitFields } from './csv-lines.js';

describe('splitFields', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    [' a , b ,c ', ['a', 'b', 'c']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['  "a"  ,"b"', ['a', 'b']],
    ['a,,', ['a', '', '']],
    ['""', ['']],
    ['', ['']],
  ])('splits %j', (line, fields) => {
    expect(splitFields(line, ',')).toEqual({ ok: true, fields });
  });

  it.each([
    ['a,"b', 2, 'the quote that opens column 2 is never closed'],
    ['"a"b,c', 1, 'column 1 has text after its closing quote'],
    ['a,b"c', 2, 'column 2 has a stray quote (")'],
  ])('refuses %j at its column', (line, column, reason) => {
    expect(splitFields(line, ',')).toMatchObject({ ok: false, column, reason });
  });

  it('keeps tabs inside fields when the delimiter is a tab', () => {
    expect(splitFields('a\t\tb', '\t')).toEqual({ ok: true, fields: ['a', '', 'b'] });
  });
});

describe('sniffDelimiter', () => {
  it.each([
    [['a,b', 'c,d'], ','],
    [['a;b', 'c;d,e'], ';'],
    [['"x;y",b', '"p;q",d'], ','],
    [['a\tb'], '\t'],
    [['only'], ','],
    [['# a;b;c', 'a,b'], ','],
  ])('%j -> %j', (lines, d) => {
    expect(sniffDelimiter(lines)).toBe(d);
  });
});

describe('decodeLines', () => {
  it('keeps line numbers physical around an undecodable line', () => {
    const b = Buffer.concat([Buffer.from('a\r\n'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\nb\rc')]);
    // 0xff 0xfe at the start would be a UTF-16 BOM; here it is mid-file
    expect(decodeLines(b).lines).toEqual(['a', { undecodable: true }, 'b', 'c']);
  });

  it('does not call one bad line in a UTF-8 file GBK', () => {
    const b = Buffer.concat([
      Buffer.from('张三,a@example.com\n李四,b@example.com\n'),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x0a]),
    ]);
    expect(decodeLines(b).encodingHint).toBeUndefined();
  });
});
