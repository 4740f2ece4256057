// Every problem the mapping parser can report carries a code and the params its sentence needs,
// so the console can say it in the reader's language: one sample per code, then properties.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMappingCsv } from './csv.js';
import { checkMailbox } from './mailbox.js';
import { normalizeMobile } from './phone.js';
import {
  MAPPING_PARAM_VOCABULARIES,
  MAPPING_PROBLEM_CODES,
  MAPPING_PROBLEM_PARAMS,
  type MappingProblem,
  type MappingProblemCode,
  type MappingProblemParams,
} from './types.js';

const HEADER = 'userid,mobile,external id,mailbox,note';
const A64 = 'a'.repeat(64);

/** Data lines under HEADER, each with the one problem it must give. */
const ROWS: [row: string, code: MappingProblemCode, params: MappingProblemParams][] = [
  ['zs,,,zs,', 'mailbox-no-at', { value: 'zs' }],
  ['zs,,,"Zhang San <zs@example.com>",', 'mailbox-display-name', { value: 'Zhang San <zs@example.com>' }],
  ['zs,,,mailto:zs@example.com,', 'mailbox-mailto', { value: 'mailto:zs@example.com' }],
  ['zs,,,zhang san@example.com,', 'mailbox-space', { value: 'zhang san@example.com' }],
  ['zs,,,a@b@example.com,', 'mailbox-many-at', { value: 'a@b@example.com' }],
  ['zs,,,@example.com,', 'mailbox-no-local-part', { value: '@example.com' }],
  ['zs,,,zs@,', 'mailbox-no-domain', { value: 'zs@' }],
  [`zs,,,${A64}@${A64}.${A64}.${A64}.com,`, 'mailbox-too-long', { value: `${A64}@${A64}.${A64}.${A64}.com`, max: 254 }],
  [`zs,,,${A64}a@example.com,`, 'mailbox-local-part-too-long', { value: `${A64}a@example.com`, max: 64 }],
  ['zs,,,z(s@example.com,', 'mailbox-local-part-bad-char', { value: 'z(s@example.com', char: '(' }],
  ['zs,,,.zs@example.com,', 'mailbox-local-part-dot', { value: '.zs@example.com' }],
  ['zs,,,zs@localhost,', 'mailbox-domain-no-dot', { value: 'zs@localhost', domain: 'localhost' }],
  ['zs,,,zs@-bad.example.com,', 'mailbox-domain-invalid', { value: 'zs@-bad.example.com', domain: '-bad.example.com' }],
  [
    ',+86 1380013800,,a@example.com,',
    'mobile-wrong-length',
    { value: '+86 1380013800', digits: 10, callingCode: '86', expected: '11' },
  ],
  [',1.38001E+10,,a@example.com,', 'mobile-scientific', { value: '1.38001E+10' }],
  [',138-0013-800x,,a@example.com,', 'mobile-bad-chars', { value: '138-0013-800x' }],
  [',+999 1234 5678,,a@example.com,', 'mobile-unknown-country-code', { value: '+999 1234 5678' }],
  [',1,,a@example.com,', 'mobile-not-a-number', { value: '1' }],
  [',+86 10 6552 9988,,a@example.com,', 'mobile-not-mobile', { value: '+86 10 6552 9988', numberType: 'fixed-line' }],
  [',+1 800 555 0199,,a@example.com,', 'mobile-not-mobile', { value: '+1 800 555 0199', numberType: 'toll-free' }],
  [',+86 140 1234 5678,,a@example.com,', 'mobile-not-in-range', { value: '+86 140 1234 5678', callingCode: '86' }],
  [
    ',447911123456,,a@example.com,',
    'mobile-missing-plus',
    { value: '447911123456', callingCode: '86', international: '+44 7911 123456', digits: 12, expected: '11' },
  ],
  ['张三,,,a@example.com,', 'userid-invalid', { value: '张三' }],
  [',,ext123,a@example.com,', 'external-id-invalid', { value: 'ext123' }],
  ['zs,,,,', 'row-no-mailbox', {}],
  [',,,a@example.com,x', 'row-no-key', {}],
  ['zs,,,a@example.com,x,extra', 'row-too-many-columns', { columns: 6, headerColumns: 5, column: 6, value: 'extra' }],
  ['zs,"138,,a@example.com,', 'quote-not-closed', { column: 2 }],
  ['"zs"x,,,a@example.com,', 'text-after-quote', { column: 1 }],
  ['z"s,,,a@example.com,', 'stray-quote', { column: 1 }],
  ['zs\u0007,,,a@example.com,', 'line-control-chars', {}],
  ['\uFFFD\uFFFD,,,a@example.com,', 'line-replacement-char', {}],
];

type Coded = [line: number, code: MappingProblemCode, params: MappingProblemParams | undefined];

/** The problems of one parse, as [line, code, params]. */
function coded(input: string | Buffer): Coded[] {
  return parseMappingCsv(input, 'm.csv').problems.map((p) => [p.line, p.code, p.params]);
}

const DATA_LINES = [HEADER, ...ROWS.map(([row]) => row)].join('\n');

const PAIRS = 'userid,mailbox\nli,li@example.com\nli,li@example.com\nwei,wei@example.com\nWEI,wei.2@example.com\n';

/** Whole files whose header or shape is the problem. */
const FILES: [name: string, text: string, expected: Coded[]][] = [
  ['an empty file', '', [[0, 'file-empty', {}]]],
  [
    'a column twice',
    'userid,email,mailbox\nzs,a@example.com,b@example.com\n',
    [[1, 'header-column-twice', { first: 2, column: 3, kind: 'mailbox' }]],
  ],
  ['no mailbox column', 'userid,mobile\nzs,13800138000\n', [[1, 'header-no-mailbox', {}]]],
  [
    'no key column',
    'mailbox,name\nzs@example.com,张三\n',
    [
      [1, 'header-no-key', {}],
      [1, 'header-column-ignored', { column: 2, value: 'name' }],
    ],
  ],
  [
    'an unknown header',
    'person,address\nzs,zs@example.com\n',
    [[1, 'header-unknown', { names: '"person", "address"' }]],
  ],
  [
    'too many values without a header',
    'a,b,c,d,e@example.com\n',
    [[1, 'row-too-many-values', { values: 5, max: 4, column: 5, value: 'e@example.com' }]],
  ],
  [
    'two values of one kind without a header',
    'zhangsan,lisi,zs@example.com\n',
    [[1, 'row-ambiguous', { first: 'zhangsan', second: 'lisi', kind: 'userid', column: 2 }]],
  ],
];

/** One line not UTF-8 in a UTF-8 file, and a file saved as GBK with a corrupt byte pair (0xFF 0xFF). */
const ONE_BAD_LINE = Buffer.concat([Buffer.from('zs,zs@example.com\n'), Buffer.from([0xff, 0x2c, 0x61])]);
const GBK = Buffer.concat([
  Buffer.from([0xd3, 0xc3, 0xbb, 0xa7, 0x49, 0x44, 0x2c, 0xd3, 0xca, 0xcf, 0xe4]), // 用户ID,邮箱
  Buffer.from('\nzs,zs@example.com\n'),
  Buffer.from([0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0xd5, 0xc5, 0xc8, 0xfd, 0x40, 0x78, 0x2e, 0x63, 0x6e, 0x0a]), // 张三,张三@x.cn
  Buffer.from([0xc0, 0xee, 0xcb, 0xc4, 0xff, 0xff, 0x2c, 0x6c, 0x73, 0x40, 0x78, 0x2e, 0x63, 0x6e]), // 李四 + corrupt
]);

/** Empty values never reach the checks from a file (empty cells are skipped), so they are checked alone. */
function emptyValueFailures(): { code: MappingProblemCode; params: MappingProblemParams }[] {
  return [checkMailbox(' '), normalizeMobile('')].flatMap((r) => (r.ok ? [] : [r]));
}

describe('problem codes of the mapping parser', () => {
  it('gives each bad data line its code and the values its sentence names', () => {
    expect(coded(DATA_LINES)).toEqual([
      [1, 'header-column-ignored', { column: 5, value: 'note' }],
      ...ROWS.map(([, code, params], i) => [i + 2, code, params]),
    ]);
  });

  it('codes a repeated row and both sides of a conflict', () => {
    expect(coded(PAIRS)).toEqual([
      [3, 'duplicate-row', { firstLine: 2 }],
      [
        4,
        'key-conflict',
        {
          kind: 'userid',
          value: 'wei',
          mailbox: 'wei@example.com',
          otherMailboxes: 'wei.2@example.com',
          otherLines: '5',
        },
      ],
      [
        5,
        'key-conflict',
        {
          kind: 'userid',
          value: 'WEI',
          mailbox: 'wei.2@example.com',
          otherMailboxes: 'wei@example.com',
          otherLines: '4',
        },
      ],
    ]);
  });

  it('lists every other line of a conflict with more than two sides', () => {
    const text = '13900139000,a@example.com\n+86 139 0013 9000,b@example.com\n8613900139000,c@example.com\n';
    expect(coded(text)[0]).toEqual([
      1,
      'key-conflict',
      {
        kind: 'mobile',
        value: '13900139000',
        mailbox: 'a@example.com',
        otherMailboxes: 'b@example.com, c@example.com',
        otherLines: '2, 3',
      },
    ]);
  });

  it.each(FILES)('codes %s', (_name, text, expected) => {
    expect(coded(text)).toEqual(expected);
  });

  it('codes bytes that are not UTF-8, naming the encoding the file looks saved in', () => {
    expect(coded(ONE_BAD_LINE)).toEqual([[2, 'line-not-utf8', {}]]);
    expect(coded(GBK)).toEqual([
      [1, 'line-not-utf8-encoding', { encoding: 'GBK/GB18030' }],
      [3, 'line-not-utf8-encoding', { encoding: 'GBK/GB18030' }],
      [4, 'line-not-utf8-encoding', { encoding: 'GBK/GB18030' }],
    ]);
  });

  it('codes the empty values the checks refuse', () => {
    expect(emptyValueFailures().map((r) => [r.code, r.params])).toEqual([
      ['mailbox-empty', {}],
      ['mobile-empty', {}],
    ]);
  });

  it('has a sample above for every code', () => {
    const inputs = [DATA_LINES, PAIRS, ...FILES.map(([, text]) => text), ONE_BAD_LINE, GBK];
    const seen = new Set([
      ...inputs.flatMap((input) => coded(input).map(([, code]) => code)),
      ...emptyValueFailures().map((r) => r.code),
    ]);
    expect(MAPPING_PROBLEM_CODES.filter((c) => !seen.has(c))).toEqual([]);
  });
});

/** The contract the console relies on, for any problem at all. */
function checkContract(p: MappingProblem): void {
  expect(MAPPING_PROBLEM_CODES).toContain(p.code);
  const params = p.params ?? {};
  for (const name of MAPPING_PROBLEM_PARAMS[p.code]) expect(params, `${p.code} ${name}`).toHaveProperty([name]);
  for (const [name, words] of Object.entries(MAPPING_PARAM_VOCABULARIES) as [string, readonly string[]][]) {
    if (name in params) expect(words).toContain(params[name]);
  }
}

describe('problem codes, for any input', () => {
  it('codes every problem of the fixture of bad rows', () => {
    const fixture = readFileSync(new URL('./fixtures/bad-mapping.csv', import.meta.url));
    const problems = parseMappingCsv(fixture, 'mapping.csv').problems;
    expect(problems.length).toBeGreaterThan(20);
    problems.forEach(checkContract);
  });

  it('gives a known code and its params to every problem of any text or bytes', () => {
    const cell = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('zs', 'a@example.com', 'a@b', '+86 138', '138 0013 8000', 'wmX', '"q', '张三', ''),
    );
    const line = fc.array(cell, { maxLength: 6 }).map((cells) => cells.join(','));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(line, { maxLength: 6 }).map((lines) => lines.join('\n')),
          fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
        ),
        (input) => parseMappingCsv(input, 'm.csv').problems.forEach(checkContract),
      ),
    );
  });

  it('gives the same code when a value is checked alone and in a file', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[\d +()-]{1,16}$/), (mobile) => {
        const alone = normalizeMobile(mobile);
        const inFile = parseMappingCsv(`mobile,mailbox\n"${mobile}",a@example.com\n`, 'm.csv').problems;
        if (alone.ok || mobile.trim() === '') return;
        expect(inFile.map((p) => [p.code, p.params])).toEqual([[alone.code, alone.params]]);
      }),
    );
  });
});
