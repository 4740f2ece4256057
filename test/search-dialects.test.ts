// The two search indexes answer alike: the same corpus indexed through the SearchIndex seam into
// SQLite (FTS5) and PostgreSQL (tsvector + GIN), re-indexed and partly removed the same way,
// holds the same rows under the same time-ordered ids, and every query returns the same pages
// (hits, snippets, highlights, totals, cursors) newest first; by relevance the same hits.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../bench/prng.js';
import {
  embeddedSearchIndex,
  searchArchive,
  type SearchDocument,
  type SearchResult,
} from '../src/compliance/search/index.js';
import { openDatabase, type Db } from '../src/store/db.js';
import { ArchiveBlobs, searchFingerprints, type Store } from '../src/store/index.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';

const ZH = '客户 理财 产品 保本 收益 风险 基金 合同 条款 赎回 净值 审批 合规 报告 会议 确认 附件 转账 账户 投诉'.split(
  ' ',
);
const EN = 'client fund bond report review approve risk yield fee transfer invoice urgent please confirm'.split(' ');
const PEOPLE = [
  { id: 'zhangsan', name: '张三', mobile: '+86 138 0000 0001', email: 'zhang.san@example.com' },
  { id: 'LiSi', name: 'Li Si', email: 'li.si@example.com' },
  { id: 'wmEXT01', name: '王五', mobile: '+8613800000003' },
  { id: 'zhaoliu', name: '赵六', email: 'zhao@example.com' },
];
const CONVS = [
  { id: 'wrGroupA', name: '理财群 Fund Team', kind: 'group' as const },
  { id: 'wrGroupB', name: '客户服务', kind: 'group' as const },
  { id: 'single:lisi:zhangsan', kind: 'single' as const },
];
const BOXES = ['zhang.san@example.com', 'li.si@example.com', 'compliance@example.com'];
const T0 = Date.UTC(2025, 2, 1);

function corpus(n: number, seed: number, version = 0): SearchDocument[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 3 + Math.floor(r() * 10) }, () => (r() < 0.6 ? pick(ZH) : pick(EN)));
    const from = Math.floor(r() * PEOPLE.length);
    const file = r() < 0.2;
    return {
      itemKey: `wecom:corp:${i}`,
      msgid: `m${i}`,
      connectorId: r() < 0.5 ? 'c1' : 'c2',
      // Several items share a millisecond: their order within it must come out the same too.
      time: T0 + Math.floor(i / 3) * 60_000 + (i % 3 === 2 ? 1 : 0),
      msgtype: file ? 'file' : pick(['text', 'text', 'markdown', 'link']),
      from: PEOPLE[from]!,
      to: PEOPLE.filter((_, k) => k !== from && r() < 0.5),
      conversation: pick(CONVS),
      mailboxes: BOXES.filter(() => r() < 0.5),
      recalled: r() < 0.05,
      hasAttachments: file,
      external: r() < 0.2,
      texts: [words.join(r() < 0.5 ? '' : ' ') + (version ? ` v${version}` : '')],
      fileNames: file ? [`${pick(ZH)}${pick(EN)}.pdf`] : [],
      attachmentTexts: file ? [words.reverse().join(' ')] : [],
      unreadableAttachments: 0,
    };
  });
}

const QUERIES = [
  '保本',
  '保',
  '本收',
  '客户理财',
  'fund',
  '"fund report"',
  '保本 fund',
  '保本 OR 赎回',
  '(基金 OR bond) -合规',
  '-fee',
  'from:zhangsan',
  'from:张三 理财',
  'to:li.si@example.com',
  'participant:13800000003',
  'conversation:客户服务',
  'conversation:wrgroupa 风险',
  'mailbox:compliance@example.com',
  'type:file',
  'connector:c2 has:attachment',
  'is:recalled',
  'is:external OR is:recalled',
  'after:2025-03-01T01:00:00Z before:2025-03-01T02:00:00Z',
  'after:2025-03-01T10:00:00+08:00 审批',
  'v1',
  '张三',
  'Fund Team',
  '"Li Si" -is:external',
];

async function pages(store: Store, query: string, sort: 'newest' | 'relevance'): Promise<SearchResult[]> {
  const out: SearchResult[] = [];
  let cursor: string | undefined;
  do {
    const r = await searchArchive(store, { query, limit: 9, sort, ...(cursor ? { cursor } : {}) });
    out.push(r);
    cursor = r.nextCursor;
  } while (cursor && out.length < 200);
  return out;
}

const storeOf = (db: Db): Store => ({ db, blobs: new ArchiveBlobs(tmpdir()), close: () => db.destroy() });

describe('SQLite and PostgreSQL search indexes', () => {
  let pg: PostgresCluster;
  let lite: Store;
  let post: Store;
  beforeAll(async () => {
    pg = await startPostgres();
    lite = storeOf(await openDatabase({ file: ':memory:' }));
    post = storeOf(await openDatabase({ url: await pg.createDatabase() }));
    const docs = corpus(600, 7);
    const again = corpus(600, 7, 1).filter((_, i) => i % 9 === 0);
    const gone = docs.filter((_, i) => i % 13 === 5).map((d) => d.itemKey);
    for (const s of [lite, post]) {
      const index = embeddedSearchIndex(s.db);
      await index.beginBulkLoad();
      for (let i = 0; i < docs.length; i += 64) await index.index(docs.slice(i, i + 64));
      await index.index(again);
      expect(await index.remove(gone)).toBe(gone.length);
      await index.compact();
    }
  }, 180_000);
  afterAll(async () => {
    await lite?.close();
    await post?.close();
    await pg?.stop();
  });

  it('hold the same rows under the same ids', async () => {
    const a = await searchFingerprints(lite.db);
    expect(a.length).toBeGreaterThan(500);
    expect(await searchFingerprints(post.db)).toEqual(a);
  });

  it('return the same pages newest first, and the same hits by relevance', async () => {
    let nonEmpty = 0;
    for (const q of QUERIES) {
      const a = await pages(lite, q, 'newest');
      expect(await pages(post, q, 'newest'), q).toEqual(a);
      if (a[0]!.total > 0) nonEmpty++;
      const ra = (await pages(lite, q, 'relevance')).flatMap((p) => p.items.map((h) => h.itemKey)).sort();
      const rb = (await pages(post, q, 'relevance')).flatMap((p) => p.items.map((h) => h.itemKey)).sort();
      expect(rb, q).toEqual(ra);
      expect(ra.length).toBe(a[0]!.total);
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(QUERIES.length - 2);
  }, 180_000);

  it('PostgreSQL: writers indexing at once into the same milliseconds place every row once, in time order', async () => {
    const db = await openDatabase({ url: await pg.createDatabase() });
    try {
      // Four writers, each its own transaction on its own connection, 150 items each, all in the
      // same five milliseconds, sharing people and conversations; one item indexed by all four.
      const writers = [0, 1, 2, 3].map((w) =>
        corpus(150, 20 + w).map((d, i) => ({
          ...d,
          itemKey: i === 0 ? 'wecom:corp:shared' : `wecom:corp:w${w}-${i}`,
          time: T0 + (i % 5),
        })),
      );
      await Promise.all(writers.map((docs) => embeddedSearchIndex(db).index(docs)));
      const rows = await searchFingerprints(db);
      expect(rows.length).toBe(4 * 149 + 1);
      expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
      const times = new Map(writers.flat().map((d) => [d.itemKey, d.time]));
      for (const r of rows) expect(Math.floor(r.id / 1024), r.itemKey).toBe(times.get(r.itemKey));
      const all = await pages(storeOf(db), 'after:2025-03-01', 'newest');
      expect(all.flatMap((p) => p.items).length).toBe(rows.length);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
