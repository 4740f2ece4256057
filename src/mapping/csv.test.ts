import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseMappingCsv } from './csv.js';
import { createResolver } from './resolver.js';
import type { MappingProblem } from './types.js';

const fixture = readFileSync(new URL('./fixtures/bad-mapping.csv', import.meta.url));

/** line, column, severity and a piece of the reason: what the operator must see for each bad line. */
type Expected = [line: number, column: number | undefined, severity: 'error' | 'warning', reason: string];

const EXPECTED: Expected[] = [
  [4, undefined, 'error', 'the row has no mailbox (e-mail address)'],
  [5, 4, 'error', '"wangwu@example" is not a valid e-mail address (the domain "example" has no dot)'],
  [6, 2, 'error', '"+86 1380013800" is not a valid mobile number (10 digits after +86, a Chinese mobile has 11)'],
  [7, undefined, 'error', 'the row has no userid, mobile number or external id to map from'],
  [8, 5, 'error', 'the row has 5 columns but the header has 4'],
  [12, undefined, 'warning', 'the row repeats line 11 and is ignored'],
  [13, 2, 'error', 'the quote that opens column 2 is never closed'],
  [
    15,
    1,
    'error',
    'userid "wei" maps to wei@example.com here but to wei.two@example.com on line 16 and to wei.three@example.com on line 34',
  ],
  [
    16,
    1,
    'error',
    'userid "WEI" maps to wei.two@example.com here but to wei@example.com on line 15 and to wei.three@example.com on line 34',
  ],
  [17, 2, 'error', 'mobile "13900139000" maps to chen@example.com here but to chen.li@example.com on line 18'],
  [18, 2, 'error', 'mobile "+86 139 0013 9000" maps to chen.li@example.com here but to chen@example.com on line 17'],
  [19, 1, 'error', '"张三" is not a WeCom userid'],
  [20, 3, 'error', '"ext123" is not a WeCom external id (those start with wm or wo'],
  [22, 2, 'error', '"+86 10 6552 9988" is a fixed-line number, not a mobile number'],
  [23, 1, 'error', 'column 1 has a stray quote (")'],
  [24, 1, 'error', 'column 1 has text after its closing quote'],
  [25, 4, 'error', '"Chu Wei <chu@example.com>" is not a valid e-mail address (write only the address'],
  [26, 2, 'error', '"1.38001E+10" is in scientific notation'],
  [27, 4, 'error', '"he@@example.com" is not a valid e-mail address (it has more than one @)'],
  [29, undefined, 'error', 'the line is not valid UTF-8 text'],
  [30, 4, 'error', '"lv@example.com;" is not a valid e-mail address ("example.com;" is not a domain name)'],
  [
    34,
    1,
    'error',
    'userid "Wei" maps to wei.three@example.com here but to wei@example.com on line 15 and to wei.two@example.com on line 16',
  ],
  [35, undefined, 'error', 'the line contains invisible control characters'],
];

const brief = (p: MappingProblem): Expected => [p.line, p.column, p.severity, p.reason];

describe('parseMappingCsv on the fixture of bad rows', () => {
  const parsed = parseMappingCsv(fixture, 'mapping.csv');

  it('reports every bad line, and only those, with its physical line, column and reason', () => {
    expect(parsed.problems.map((p) => p.line)).toEqual(EXPECTED.map((e) => e[0]));
    parsed.problems.forEach((p, i) => {
      const [line, column, severity, reason] = EXPECTED[i]!;
      expect(brief(p).slice(0, 3)).toEqual([line, column, severity]);
      expect(p.reason).toContain(reason);
    });
  });

  it('names both sides of a conflict', () => {
    const at = (line: number): MappingProblem | undefined => parsed.problems.find((p) => p.line === line);
    expect(at(15)?.relatedLines).toEqual([16, 34]);
    expect(at(17)?.relatedLines).toEqual([18]);
    expect(at(18)?.relatedLines).toEqual([17]);
    expect(at(12)?.relatedLines).toEqual([11]);
  });

  it('keeps the good rows, normalized', () => {
    expect(parsed.rows).toEqual([
      { line: 3, userid: 'zhangsan', mobile: '+8613800138000', mailbox: 'zhangsan@example.com' },
      { line: 11, userid: 'zhouba', mailbox: 'zhouba@example.com' },
      { line: 14, mobile: '+85291234567', mailbox: 'hk.sales@example.com' },
      { line: 21, externalId: 'wmAbCdEf0123456789', mailbox: 'client.manager@example.com' },
      { line: 32, userid: 'jin', mobile: '+447911123456', mailbox: 'jin@example.com' },
      { line: 33, userid: 'tang', mobile: '+8613800138001', mailbox: 'tang@example.com' },
    ]);
    expect(parsed.dataLines).toBe(29);
  });

  it('lets the good rows resolve and holds the conflicting ones', () => {
    const resolver = createResolver({
      csvRows: parsed.rows,
      autoFromDirectoryEmail: false,
      directory: {
        corpId: 'ww1',
        corpName: 'Test',
        people: [
          { id: 'hk01', kind: 'internal', mobile: '+852 9123 4567' },
          { id: 'chen01', kind: 'internal', mobile: '13900139000' },
        ],
        rooms: [],
      },
    });
    expect(resolver.resolve('zhangsan')).toEqual({ mailbox: 'zhangsan@example.com', via: 'csv-userid' });
    expect(resolver.resolve('ZhouBa')).toEqual({ mailbox: 'zhouba@example.com', via: 'csv-userid' });
    expect(resolver.resolve('hk01')).toEqual({ mailbox: 'hk.sales@example.com', via: 'csv-mobile' });
    expect(resolver.resolve('wmAbCdEf0123456789')).toEqual({
      mailbox: 'client.manager@example.com',
      via: 'csv-external',
    });
    expect(resolver.resolve('jin')).toEqual({ mailbox: 'jin@example.com', via: 'csv-userid' });
    expect(resolver.resolve('wei')).toEqual({ mailbox: null, reason: 'unmapped' });
    expect(resolver.resolve('chen01')).toEqual({ mailbox: null, reason: 'unmapped' });
  });

  it('formats each problem in the one message format', () => {
    const six = parsed.problems.find((p) => p.line === 6)!;
    expect(formatProblem('mapping.csv', six)).toBe(
      'mapping.csv line 6: "+86 1380013800" is not a valid mobile number (10 digits after +86, a Chinese mobile has 11); fix the row or remove it',
    );
    const twelve = parsed.problems.find((p) => p.line === 12)!;
    expect(formatProblem('mapping.csv', twelve)).toBe(
      'mapping.csv line 12: the row repeats line 11 and is ignored; remove it',
    );
    expect(formatProblem('mapping.csv', { line: 0, severity: 'warning', reason: 'the file has no mapping rows' })).toBe(
      'mapping.csv: the file has no mapping rows; remove it',
    );
  });
});

const ZS = { userid: 'zhangsan', mobile: '+8613800138000', mailbox: 'zs@example.com' };

describe('parseMappingCsv file shapes', () => {
  it.each([
    ['English header', 'userid,mobile,external id,mailbox\nzhangsan,13800138000,,zs@example.com\n', 2],
    ['header in another order and case', 'E-Mail,Mobile Number,WeCom UserID\nzs@example.com,13800138000,zhangsan\n', 2],
    ['Chinese header', '用户ID,手机号,外部联系人ID,邮箱\nzhangsan,13800138000,,zs@example.com\n', 2],
    ['other Chinese names', '账号,手机,邮箱地址\nzhangsan,+86 138 0013 8000,zs@example.com\n', 2],
    ['no header', 'zhangsan,+86 138 0013 8000,zs@example.com\n', 1],
    ['no header, any order', 'zs@example.com,zhangsan,008613800138000\n', 1],
    ['UTF-8 BOM', '\uFEFFuserid,mobile,mailbox\nzhangsan,13800138000,zs@example.com\n', 2],
    ['semicolons', 'userid;mobile;mailbox\nzhangsan;+86 138 0013 8000;zs@example.com\n', 2],
    ['tabs', 'userid\tmobile\tmailbox\nzhangsan\t13800138000\tzs@example.com\n', 2],
    ['CRLF', 'userid,mobile,mailbox\r\nzhangsan,13800138000,zs@example.com\r\n', 2],
    ['CR only', 'userid,mobile,mailbox\rzhangsan,13800138000,zs@example.com\r', 2],
    ['quoted fields and spaces', 'userid , mobile , mailbox\n "zhangsan" ,"+86 138 0013 8000", zs@example.com \n', 2],
    ['full-width values', '用户ID,手机号,邮箱\nzhangsan,１３８００１３８０００,ｚｓ＠ｅｘａｍｐｌｅ．ｃｏｍ\n', 2],
    ['full-width commas', '用户ID，手机号，邮箱\nzhangsan，138 0013 8000，zs@example.com\n', 2],
  ])('%s', (_name, text, line) => {
    const parsed = parseMappingCsv(text, 'm.csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([{ line, ...ZS }]);
  });

  it('reads quoted values with doubled quotes and delimiters inside', () => {
    const parsed = parseMappingCsv('userid;mailbox\n"zhang;san";zs@example.com\n"li""si";ls@example.com\n', 'm.csv');
    expect(parsed.rows).toEqual([]);
    expect(parsed.problems.map((p) => [p.line, p.column])).toEqual([
      [2, 1],
      [3, 1],
    ]);
    expect(parsed.problems[0]!.reason).toBe(
      '"zhang;san" is not a WeCom userid (up to 64 letters, digits and _ - @ . starting with a letter or digit)',
    );
    expect(parsed.problems[1]!.value).toBe('li"si');
  });

  it('reads a UTF-8 Buffer with a BOM and a UTF-16 Buffer with a BOM', () => {
    const text = 'userid,mobile,mailbox\nzhangsan,13800138000,zs@example.com\n';
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replaceAll(',', '\t'), 'utf16le')]);
    for (const b of [utf8, utf16]) expect(parseMappingCsv(b, 'm.csv').rows).toEqual([{ line: 2, ...ZS }]);
  });

  it('decodes a file saved as plain "CSV" by Excel on Chinese Windows (GB18030), and says so', () => {
    const gbk = Buffer.concat([
      Buffer.from([0xd3, 0xc3, 0xbb, 0xa7, 0x49, 0x44, 0x2c, 0xca, 0xd6, 0xbb, 0xfa, 0x2c, 0xd3, 0xca, 0xcf, 0xe4]), // 用户ID,手机,邮箱
      Buffer.from('\r\nzhangsan,13800138000,zs@example.com\r\n'),
      // # 李四: a comment in Chinese, then his row.
      Buffer.from([0x23, 0x20, 0xc0, 0xee, 0xcb, 0xc4, 0x0d, 0x0a]),
      Buffer.from('lisi,13900139000,ls@example.com\r\n'),
    ]);
    const parsed = parseMappingCsv(gbk, 'm.csv');
    expect(parsed.encoding).toBe('GB18030');
    // The Chinese header is recognised (decoded right), so its columns are used in its order.
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([
      { line: 2, ...ZS },
      { line: 4, userid: 'lisi', mobile: '+8613900139000', mailbox: 'ls@example.com' },
    ]);
  });

  it('reads UTF-8 as UTF-8 even when it would also decode as GB18030', () => {
    // These UTF-8 bytes are also a valid GB18030 sequence; UTF-8 is tried first and wins.
    const parsed = parseMappingCsv(Buffer.from('用户ID,邮箱\nzs,zs@example.com\n'), 'm.csv');
    expect(parsed.encoding).toBe('UTF-8');
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual([{ line: 2, userid: 'zs', mailbox: 'zs@example.com' }]);
  });

  it('flags replacement characters in text that was decoded with the wrong encoding', () => {
    const parsed = parseMappingCsv('zhangsan,zs@example.com\n\uFFFD\uFFFD,x@example.com\n', 'm.csv');
    expect(parsed.rows).toHaveLength(1);
    expect(parsed.problems.map((p) => p.line)).toEqual([2]);
  });

  it('ignores blank lines, comments and empty spreadsheet rows, keeping physical line numbers', () => {
    const parsed = parseMappingCsv(
      '\n# comment\n\n   \n,,,\nzhangsan,zs@example.com\n  # indented\nlisi,bad\n',
      'm.csv',
    );
    expect(parsed.rows.map((r) => r.line)).toEqual([6]);
    expect(parsed.problems.map((p) => p.line)).toEqual([8]);
    expect(parsed.dataLines).toBe(2);
  });

  it('warns about an ignored header column and still reads the rows', () => {
    const parsed = parseMappingCsv('userid,name,mailbox\nzhangsan,张三,zs@example.com\n', 'm.csv');
    expect(parsed.rows).toEqual([{ line: 2, userid: 'zhangsan', mailbox: 'zs@example.com' }]);
    expect(parsed.problems.map(brief)).toEqual([
      [1, 2, 'warning', 'column 2 "name" is not a mapping column and is ignored'],
    ]);
  });

  it.each([
    ['no mailbox column', 'userid,mobile\nzhangsan,13800138000\n', 'the header has no mailbox column'],
    [
      'no key column',
      'mailbox,name\nzs@example.com,张三\n',
      'the header has no userid, mobile number or external id column',
    ],
    [
      'a column twice',
      'userid,email,mailbox\nzhangsan,a@example.com,b@example.com\n',
      'columns 2 and 3 are both mailbox columns',
    ],
  ])('uses no row when the header has %s', (_name, text, reason) => {
    const parsed = parseMappingCsv(text, 'm.csv');
    expect(parsed.rows).toEqual([]);
    expect(parsed.dataLines).toBe(1);
    expect(parsed.problems.filter((p) => p.severity === 'error').map((p) => [p.line, p.reason])).toEqual([[1, reason]]);
  });

  it('says when a first line looks like a header it does not know', () => {
    const parsed = parseMappingCsv('person,address\nzhangsan,zs@example.com\n', 'm.csv');
    expect(parsed.rows).toEqual([{ line: 2, userid: 'zhangsan', mailbox: 'zs@example.com' }]);
    expect(parsed.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'this looks like a header, but none of "person", "address" is a known column name'],
    ]);
  });

  it('asks for a header when a row without one is ambiguous', () => {
    const parsed = parseMappingCsv(
      'zhangsan,张三,zs@example.com\nzs@corp,zs@example.com\na,b,c,d,e@example.com\n',
      'm.csv',
    );
    expect(parsed.problems.map(brief)).toEqual([
      [1, 2, 'error', '"zhangsan" and "张三" both look like a userid; add a header line that names the columns'],
      [
        2,
        2,
        'error',
        '"zs@corp" and "zs@example.com" both look like a mailbox; add a header line that names the columns',
      ],
      [3, 5, 'error', 'the row has 5 values, but a mapping row has at most 4 (userid, mobile, external id, mailbox)'],
    ]);
  });

  it('reports an empty file once', () => {
    expect(parseMappingCsv('', 'm.csv').problems.map((p) => [p.line, p.reason])).toEqual([
      [0, 'the file has no mapping rows'],
    ]);
    expect(parseMappingCsv('userid,mailbox\n', 'm.csv').problems.map((p) => p.line)).toEqual([0]);
  });

  it('accepts the same person on two lines when they agree on the mailbox', () => {
    const parsed = parseMappingCsv(
      'zhangsan,zs@example.com\n13800138000,ZS@example.com\nzhangsan,13800138000,zs@example.com\n',
      'm.csv',
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows.map((r) => r.line)).toEqual([1, 2, 3]);
  });
});

describe('parseMappingCsv properties', () => {
  const userid = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,11}$/);
  const mobile = fc.stringMatching(/^1(3\d|5[0-35-9]|8\d)\d{8}$/);
  const mailbox = fc
    .tuple(fc.stringMatching(/^[a-z](\.?[a-z0-9]){0,8}$/), fc.constantFrom('example.com', 'corp.cn'))
    .map(([l, d]) => `${l}@${d}`);

  it('reads back every unique row, whatever the delimiter, quoting and line ending', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(userid, mobile, mailbox), { minLength: 1, maxLength: 8, selector: ([u]) => u }),
        fc.constantFrom(',', ';', '\t'),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        (rows, d, eol, quote) => {
          const mobiles = new Set(rows.map(([, m]) => m));
          fc.pre(mobiles.size === rows.length);
          const q = (s: string): string => (quote ? `"${s}"` : s);
          const text =
            ['userid', 'mobile', 'mailbox'].join(d) + eol + rows.map((r) => r.map(q).join(d)).join(eol) + eol;
          const parsed = parseMappingCsv(text, 'm.csv');
          expect(parsed.problems).toEqual([]);
          expect(parsed.rows).toEqual(
            rows.map(([u, m, e], i) => ({ line: i + 2, userid: u, mobile: `+86${m}`, mailbox: e })),
          );
        },
      ),
    );
  });

  it('never throws, and every problem points at a real line', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
        ),
        (input) => {
          const parsed = parseMappingCsv(input, 'm.csv');
          const lines = (typeof input === 'string' ? input : input.toString('latin1')).split(/\r\n|\r|\n/).length;
          for (const p of parsed.problems) {
            expect(p.line).toBeGreaterThanOrEqual(0);
            expect(p.line).toBeLessThanOrEqual(lines);
            expect(p.reason.length).toBeGreaterThan(0);
          }
          for (const r of parsed.rows) expect(r.mailbox).toContain('@');
        },
      ),
    );
  });
});
