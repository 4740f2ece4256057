// Property: over random mixed Chinese/English items, the index finds exactly what a brute-force
// scan of the raw fields finds: any CJK substring of 1+ characters, any Latin whole word in any
// case and width, quoted phrases, every filter, and AND / OR / NOT / parentheses combined.
// The brute force (test/helpers/search-brute.ts) shares no code with the tokenizer or index.
// It runs on both dialects: FTS5 on SQLite, the tsvector index on PostgreSQL.
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  embeddedSearchIndex,
  searchArchive,
  type SearchDocument,
  type SearchResult,
} from '../src/compliance/search/index.js';
import { ArchiveBlobs, type Store } from '../src/store/index.js';
import type { Db } from '../src/store/db.js';
import { describeDialects } from './helpers/dialects.js';
import { fold, matches, queryText, type BruteQuery } from './helpers/search-brute.js';

const CJK_CHARS = [...'保本基金客户理财收益の한'];
const WORDS = ['alpha', 'beta', 'fund', 'report', 'q3', '2025', 'gamma'];
const SEPS = [' ', ' ', '，', '。', ',', '.', '\n', '-', '/', '!'];
const PEOPLE = [
  { id: 'zhangsan', name: '张三', mobile: '+86 138 0000 0001', email: 'zhang.san@example.com' },
  { id: 'LiSi', name: 'Li Si', mobile: '+8613800000002', email: 'li.si@example.com' },
  { id: 'wmEXT01', name: '王五', mobile: '+86-138-0000-0003', email: 'wang@partner.example' },
  { id: 'zhaoliu', name: '赵六', mobile: '13800000004', email: 'zhao@example.com' },
];
const CONVS = [
  { id: 'wrGroupA', name: '理财群 Fund Team', kind: 'group' as const },
  { id: 'wrGroupB', name: '客户服务', kind: 'group' as const },
  { id: 'single:lisi:zhangsan', kind: 'single' as const },
];
const TYPES = ['text', 'file', 'link', 'markdown'];
const BOXES = ['zhang.san@example.com', 'li.si@example.com', 'Compliance@Example.com'];
const T0 = Date.UTC(2025, 2, 1);
const HOUR = 3_600_000;

/** Latin forms a word may take in text or query: any case, full-width. */
function variant(w: string, how: number): string {
  if (how === 1) return w.toUpperCase();
  if (how === 2) return w[0]!.toUpperCase() + w.slice(1);
  if (how === 3) return [...w].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
  return w;
}

const piece = fc.oneof(
  fc.array(fc.constantFrom(...CJK_CHARS), { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
  fc.tuple(fc.constantFrom(...WORDS), fc.integer({ min: 0, max: 3 })).map(([w, h]) => variant(w, h)),
  fc.constantFrom(...SEPS),
);
const text = fc.array(piece, { minLength: 0, maxLength: 14 }).map((a) => a.join(''));

const doc = (i: number) =>
  fc
    .record({
      text,
      file: fc.option(text, { nil: undefined }),
      from: fc.integer({ min: 0, max: PEOPLE.length - 1 }),
      to: fc.subarray([0, 1, 2, 3]),
      conv: fc.integer({ min: 0, max: CONVS.length - 1 }),
      type: fc.constantFrom(...TYPES),
      boxes: fc.subarray(BOXES),
      hours: fc.integer({ min: 0, max: 24 * 20 }),
      recalled: fc.boolean(),
      external: fc.boolean(),
      connector: fc.constantFrom('c1', 'c2'),
    })
    .map((r): SearchDocument => ({
      itemKey: `wecom:corp:${i}`,
      msgid: `m${i}`,
      connectorId: r.connector,
      time: T0 + r.hours * HOUR + i,
      msgtype: r.type,
      from: PEOPLE[r.from]!,
      to: r.to.filter((t) => t !== r.from).map((t) => PEOPLE[t]!),
      conversation: CONVS[r.conv]!,
      mailboxes: r.boxes,
      recalled: r.recalled,
      hasAttachments: r.file !== undefined,
      external: r.external,
      texts: [r.text],
      fileNames: r.file !== undefined ? [`${r.file}.txt`] : [],
      attachmentTexts: [],
      unreadableAttachments: 0,
    }));

const docs = fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => doc(i))));

/**
 * Runs fn over an index of exactly `items`. SQLite: a new in-memory database each time.
 * PostgreSQL: one database per test, the items removed again after each run (creating a
 * database per run would dominate the test's time).
 */
type WithIndex = <T>(items: SearchDocument[], fn: (store: Store) => Promise<T>) => Promise<T>;

function indexes(openDb: () => Promise<Db>, shared: boolean): WithIndex {
  let db: Db | undefined;
  if (shared) {
    beforeAll(async () => {
      db = await openDb();
    });
    afterAll(async () => {
      await db?.destroy();
    });
  }
  return async (items, fn) => {
    const d = db ?? (await openDb());
    const store: Store = { db: d, blobs: new ArchiveBlobs(tmpdir()), close: async () => undefined };
    const index = embeddedSearchIndex(d);
    try {
      await index.index(items);
      return await fn(store);
    } finally {
      if (shared) await index.remove(items.map((x) => x.itemKey));
      else await d.destroy();
    }
  };
}

/** Every hit of a query, page by page (small pages, to exercise the cursor). */
async function allHits(store: Store, query: string, mailboxScope?: string[]): Promise<SearchResult['items']> {
  const out: SearchResult['items'] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const r = await searchArchive(store, {
      query,
      limit: 7,
      ...(cursor ? { cursor } : {}),
      ...(mailboxScope ? { mailboxScope } : {}),
    });
    out.push(...r.items);
    if (!r.nextCursor) {
      expect(out.length).toBe(r.total);
      return out;
    }
    cursor = r.nextCursor;
  }
  throw new Error('paging did not end');
}

function expected(items: SearchDocument[], q: BruteQuery, scope?: string[]): string[] {
  return items
    .filter((d) => matches(d, q) && (!scope || d.mailboxes.some((m) => scope.some((s) => fold(s) === fold(m)))))
    .map((d) => d.itemKey)
    .sort();
}

/** A CJK substring of some field of some item, or a word of one, in a random form. */
function termOf(items: SearchDocument[], pick: number, at: number, len: number, how: number): BruteQuery {
  const all = items.flatMap((d) => [...d.texts, ...d.fileNames]).join(' ');
  const cjk = [...all.matchAll(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Hangul}]+/gu)].map((m) => [...m[0]]);
  const words = [...fold(all).matchAll(/[a-z0-9]+/g)].map((m) => m[0]);
  if (cjk.length > 0 && (pick % 2 === 0 || words.length === 0)) {
    const run = cjk[pick % cjk.length]!;
    const start = at % run.length;
    const n = 1 + (len % Math.min(4, run.length - start));
    return { t: 'cjk', text: run.slice(start, start + n).join('') };
  }
  if (words.length > 0) return { t: 'words', words: [variant(words[pick % words.length]!, how)] };
  return { t: 'cjk', text: CJK_CHARS[pick % CJK_CHARS.length]! };
}

/** An instant as a query writes it; the model takes the instant back from this text (form 2 drops milliseconds). */
const iso = (t: number, form: number): string => {
  const d = new Date(t);
  if (form === 0) return d.toISOString().slice(0, 10);
  if (form === 1) return d.toISOString().replace('.000Z', 'Z');
  // The same instant written in UTC+08:00.
  const local = new Date(t + 8 * HOUR).toISOString().slice(0, 19);
  return `${local}+08:00`;
};

function filterOf(items: SearchDocument[], k: number, v: number): BruteQuery {
  const p = PEOPLE[v % PEOPLE.length]!;
  const personForms = [p.id.toUpperCase(), p.name, p.email, p.mobile.replace(/\D/g, '').slice(-11)];
  const c = CONVS[v % CONVS.length]!;
  const time = T0 + (v % (24 * 20)) * HOUR + (v % 3 === 0 ? 0 : 17);
  switch (k % 12) {
    case 0:
      return { t: 'from', value: personForms[v % personForms.length]! };
    case 1:
      return { t: 'to', value: personForms[(v + 1) % personForms.length]! };
    case 2:
      return { t: 'participant', value: personForms[(v + 2) % personForms.length]! };
    case 3:
      return { t: 'conversation', value: v % 2 === 0 || !c.name ? c.id : c.name };
    case 4:
      return { t: 'type', value: TYPES[v % TYPES.length]!.toUpperCase() };
    case 5:
      return { t: 'mailbox', value: BOXES[v % BOXES.length]!.toUpperCase() };
    case 6:
      return { t: 'connector', value: v % 2 === 0 ? 'c1' : 'c2' };
    case 7: {
      const form = v % 3;
      const text = iso(form === 0 ? Date.UTC(2025, 2, 1 + (v % 20)) : time, form);
      return { t: 'after', time: Date.parse(text), text };
    }
    case 8: {
      const form = v % 3;
      const text = iso(form === 0 ? Date.UTC(2025, 2, 1 + (v % 20)) : time, form);
      return { t: 'before', time: Date.parse(text), text };
    }
    case 9:
      return { t: 'has-attachment' };
    case 10:
      return { t: 'recalled' };
    default:
      return items.length > 0 ? { t: 'external' } : { t: 'recalled' };
  }
}

/** A random query tree over the items' own vocabulary. */
function queryArb(items: SearchDocument[]): fc.Arbitrary<BruteQuery> {
  const leaf = fc.oneof(
    fc
      .tuple(fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 3 }))
      .map(([a, b, c, d]) => termOf(items, a, b, c, d)),
    fc.tuple(fc.nat(), fc.nat()).map(([k, v]) => filterOf(items, k, v)),
  );
  const { tree } = fc.letrec<{ tree: BruteQuery }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('tree'), { minLength: 2, maxLength: 3 }).map((of): BruteQuery => ({ t: 'and', of })),
      fc.array(tie('tree'), { minLength: 2, maxLength: 3 }).map((of): BruteQuery => ({ t: 'or', of })),
      tie('tree').map((of): BruteQuery => ({ t: 'not', of })),
    ),
  }));
  return tree;
}

describeDialects('search finds exactly what a brute-force scan finds', (t) => {
  const withIndex = indexes(t.openDb, t.kind === 'postgres');

  it('a CJK substring (1+ characters) or a Latin whole word in any case and width', async () => {
    await fc.assert(
      fc.asyncProperty(
        docs,
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 8,
        }),
        async (items, picks) => {
          await withIndex(items, async (store) => {
            for (const [a, b, c, d] of picks) {
              const q = termOf(items, a, b, c, d);
              const hits = await allHits(store, queryText(q));
              expect(hits.map((h) => h.itemKey).sort(), queryText(q)).toEqual(expected(items, q));
            }
          });
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('"phrases" of words match the words in order', async () => {
    await fc.assert(
      fc.asyncProperty(docs, fc.nat(), fc.integer({ min: 0, max: 3 }), async (items, at, how) => {
        const words = [...fold(items.map((d) => d.texts[0]).join(' ')).matchAll(/[a-z0-9]+/g)].map((m) => m[0]);
        const pair = [WORDS[at % WORDS.length]!, WORDS[(at >> 3) % WORDS.length]!];
        if (words.length >= 2) pair.splice(0, 2, words[at % words.length]!, words[(at + 1) % words.length]!);
        const q: BruteQuery = { t: 'words', words: pair.map((w) => variant(w, how)) };
        await withIndex(items, async (store) => {
          const hits = await allHits(store, queryText(q));
          expect(hits.map((h) => h.itemKey).sort(), queryText(q)).toEqual(expected(items, q));
        });
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('filters, AND, OR, NOT and parentheses agree with a brute-force evaluation, newest first', async () => {
    await fc.assert(
      fc.asyncProperty(
        docs.chain((items) => fc.tuple(fc.constant(items), fc.array(queryArb(items), { minLength: 1, maxLength: 5 }))),
        fc.option(fc.subarray(BOXES), { nil: undefined }),
        async ([items, queries], scope) => {
          await withIndex(items, async (store) => {
            for (const q of queries) {
              const hits = await allHits(store, queryText(q), scope);
              expect(hits.map((h) => h.itemKey).sort(), queryText(q)).toEqual(expected(items, q, scope));
              const times = hits.map((h) => Date.parse(h.time));
              expect(times).toEqual([...times].sort((x, y) => y - x));
            }
          });
        },
      ),
      { numRuns: 80 },
    );
  }, 180_000);
});
