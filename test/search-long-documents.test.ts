// Long documents (an attachment's extracted text) are found as exactly as short ones, on both
// dialects: past PostgreSQL's tsvector limits (positions above 16,383, a token more than 256
// times, a token over 2 KB, more than 1 MiB of distinct tokens) every substring and phrase is
// still found, and nothing is found that is not there. Checked against the brute-force scan.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { embeddedSearchIndex, searchArchive, type SearchDocument } from '../src/compliance/search/index.js';
import type { Db } from '../src/store/db.js';
import { ArchiveBlobs, checkSearchIntegrity, type Store } from '../src/store/index.js';
import { describeDialects } from './helpers/dialects.js';
import { matches, queryText, type BruteQuery } from './helpers/search-brute.js';
import { prng } from '../bench/prng.js';

const T0 = Date.UTC(2025, 5, 1);
const CJK = [...'客户理财产品保本收益风险基金股票债券合同条款赎回申购净值利率汇率审批合规报告季度年度会议'];

/** Random Chinese text of `n` characters over `alphabet`, the same for a seed. */
function chinese(n: number, seed: number, alphabet: readonly string[] = CJK): string {
  const r = prng(seed);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)]!;
  return s;
}

/** 2,500 distinct Han characters: their bigrams are ~6 bytes each, so 300,000 characters pass 1 MiB. */
const WIDE = Array.from({ length: 2500 }, (_, i) => String.fromCodePoint(0x4e00 + i));
const LONG_WORD = 'q'.repeat(2999) + 'z';

function doc(i: number, attachment: string, text = `item ${i}`): SearchDocument {
  return {
    itemKey: `wecom:corp:long${i}`,
    msgid: `long${i}`,
    connectorId: 'c1',
    time: T0 + i * 1000,
    msgtype: 'file',
    from: { id: 'zhangsan', name: '张三' },
    to: [{ id: 'lisi', name: '李四' }],
    conversation: { id: 'single:lisi:zhangsan', kind: 'single' },
    mailboxes: ['zhang.san@example.com'],
    recalled: false,
    hasAttachments: true,
    external: false,
    texts: [text],
    fileNames: [`doc${i}.txt`],
    attachmentTexts: [attachment],
    unreadableAttachments: 0,
  };
}

const wide = chinese(300_000, 9, WIDE);
const DOCS: SearchDocument[] = [
  // positions far past 16,383, with a phrase and a word only at the very end
  doc(0, chinese(40_000, 1) + '。骆驼祥子 zanzibar quartz'),
  // a word 300 times, then a phrase with it at the end
  doc(1, Array.from({ length: 300 }, () => 'fund').join(' ') + ' fund report'),
  // one word of 3,000 letters
  doc(2, `${LONG_WORD} tail`),
  // more than 1 MiB of distinct tokens
  doc(3, wide),
  // short documents beside them
  doc(4, '保本保息 fund', 'report fund'),
  doc(5, 'quartz zanzibar', '骆驼'),
];

const QUERIES: BruteQuery[] = [
  { t: 'cjk', text: '骆驼祥子' },
  { t: 'cjk', text: '驼祥' },
  { t: 'words', words: ['zanzibar', 'quartz'] },
  { t: 'words', words: ['quartz', 'zanzibar'] },
  { t: 'words', words: ['fund', 'report'] },
  { t: 'words', words: ['report', 'fund'] },
  { t: 'words', words: ['fund', 'fund', 'fund'] },
  { t: 'words', words: [LONG_WORD] },
  { t: 'words', words: [LONG_WORD.slice(0, 256)] },
  { t: 'words', words: [LONG_WORD, 'tail'] },
  { t: 'cjk', text: [...wide].slice(123_456, 123_459).join('') },
  { t: 'cjk', text: [...wide].slice(299_990, 300_000).join('') },
  { t: 'cjk', text: [...wide][7]! },
  // two characters of the wide alphabet that are nowhere next to each other
  { t: 'cjk', text: absentPair() },
  {
    t: 'and',
    of: [
      { t: 'cjk', text: '保本' },
      { t: 'not', of: { t: 'words', words: ['quartz'] } },
    ],
  },
  {
    t: 'or',
    of: [
      { t: 'words', words: [LONG_WORD] },
      { t: 'cjk', text: '骆驼祥子' },
    ],
  },
];

function absentPair(): string {
  const text = [...wide];
  for (let a = 0; a < WIDE.length; a++)
    for (let b = 0; b < WIDE.length; b++) {
      const pair = WIDE[a]! + WIDE[b]!;
      if (!wide.includes(pair) && text.includes(WIDE[a]!) && text.includes(WIDE[b]!)) return pair;
    }
  throw new Error('every pair occurs');
}

describeDialects('long documents are searched exactly', (t) => {
  let db: Db;
  let store: Store;
  beforeAll(async () => {
    db = await t.openDb();
    store = { db, blobs: new ArchiveBlobs(tmpdir()), close: () => db.destroy() };
    await embeddedSearchIndex(db).index(DOCS);
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('finds what the brute-force scan finds, and nothing else', async () => {
    for (const q of QUERIES) {
      const want = DOCS.filter((d) => matches(d, q))
        .map((d) => d.itemKey)
        .sort();
      const got = await searchArchive(store, { query: queryText(q), limit: 500 });
      expect(got.items.map((h) => h.itemKey).sort(), queryText(q).slice(0, 80)).toEqual(want);
      expect(got.total).toBe(want.length);
    }
    // The queries reach every kind of long document, and some find nothing.
    const hits = new Set<string>();
    for (const q of QUERIES) for (const d of DOCS) if (matches(d, q)) hits.add(d.itemKey);
    expect(hits.size).toBe(DOCS.length);
    expect(QUERIES.filter((q) => !DOCS.some((d) => matches(d, q))).length).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('re-indexes and removes long documents in place', async () => {
    const index = embeddedSearchIndex(db);
    await index.index([doc(0, 'short now'), doc(3, wide)]);
    expect((await searchArchive(store, { query: '骆驼祥子' })).items.map((h) => h.itemKey)).toEqual([]);
    expect(await index.remove([DOCS[3]!.itemKey, 'wecom:corp:none'])).toBe(1);
    expect((await searchArchive(store, { query: [...wide].slice(10, 13).join('') })).total).toBe(0);
    await checkSearchIntegrity(db);
  }, 120_000);
});
