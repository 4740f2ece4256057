// Property: a supervision policy flags an item with exactly the lexicon terms that a brute-force
// scan of the item's own text finds under the search semantics (CJK: substring of one field;
// Latin: whole words in order, any case or width), over random mixed Chinese/English texts and
// lexicons. The brute force (test/helpers/search-brute.ts) shares no code with the tokenizer.
// Also: the sample is reproducible per (policy, item) and its share is close to the one asked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SearchDocument } from '../src/compliance/search/index.js';
import { compilePolicy, conditionsOf, flagsFor, sampled } from '../src/compliance/supervision/index.js';
import { fold, matches } from './helpers/search-brute.js';

const CJK_CHARS = [...'保本证收益稳赚不赔内幕消息加我微信'];
const WORDS = ['guaranteed', 'return', 'risk', 'free', 'off', 'the', 'record', 'delete', 'this', 'message', 'q3'];
const SEPS = [' ', ' ', '，', '。', ',', '.', '\n', '-', '/', '!'];

function variant(w: string, how: number): string {
  if (how === 1) return w.toUpperCase();
  if (how === 2) return w[0]!.toUpperCase() + w.slice(1);
  if (how === 3) return [...w].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
  return w;
}

const cjkRun = fc.array(fc.constantFrom(...CJK_CHARS), { minLength: 1, maxLength: 6 }).map((a) => a.join(''));
const piece = fc.oneof(
  cjkRun,
  fc.tuple(fc.constantFrom(...WORDS), fc.integer({ min: 0, max: 3 })).map(([w, h]) => variant(w, h)),
  fc.constantFrom(...SEPS),
);
const text = fc.array(piece, { minLength: 0, maxLength: 16 }).map((a) => a.join(''));

/** A lexicon term: a CJK string, or one to three Latin words joined by a space or hyphen. */
type Term = { kind: 'cjk'; text: string } | { kind: 'words'; words: string[]; text: string };
const term: fc.Arbitrary<Term> = fc.oneof(
  fc
    .array(fc.constantFrom(...CJK_CHARS), { minLength: 1, maxLength: 4 })
    .map((a) => ({ kind: 'cjk' as const, text: a.join('') })),
  fc
    .tuple(
      fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }),
      fc.constantFrom(' ', '-'),
      fc.integer({ min: 0, max: 3 }),
    )
    .map(([ws, sep, how]) => ({ kind: 'words' as const, words: ws, text: ws.map((w) => variant(w, how)).join(sep) })),
);

function docOf(texts: string[], files: string[], key: string): SearchDocument {
  return {
    itemKey: key,
    msgid: key,
    connectorId: 'c',
    time: 0,
    msgtype: 'text',
    // Who writes is not text to be supervised: a name full of lexicon words must not flag.
    from: { id: 'zhangsan', name: '保本 Guaranteed Return' },
    to: [{ id: 'lisi', name: '内幕消息' }],
    conversation: { id: 'g', name: 'delete this message', kind: 'group' },
    mailboxes: [],
    recalled: false,
    hasAttachments: files.length > 0,
    external: false,
    texts,
    fileNames: files,
    attachmentTexts: [],
    unreadableAttachments: 0,
  };
}

/** What a person checking by hand would find: the item's own text fields only. */
function bruteTerms(doc: SearchDocument, terms: Term[]): string[] {
  const own: SearchDocument = { ...doc, from: { id: '' }, to: [], conversation: { id: '', kind: 'group' } };
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of terms) {
    const key = fold(t.text);
    if (seen.has(key)) continue;
    seen.add(key);
    const q = t.kind === 'cjk' ? ({ t: 'cjk', text: t.text } as const) : ({ t: 'words', words: t.words } as const);
    if (matches(own, q)) out.push(t.text);
  }
  return out;
}

describe('supervision lexicon matching', () => {
  it('flags exactly the terms a brute-force scan of the text finds', () => {
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 3 }),
        fc.array(text, { maxLength: 2 }),
        fc.array(term, { minLength: 1, maxLength: 12 }),
        (texts, files, terms) => {
          const doc = docOf(texts, files, 'k1');
          const policy = compilePolicy(1, 1, conditionsOf({ name: 'p', terms: terms.map((t) => t.text) }));
          const flags = flagsFor([policy], doc);
          const expected = bruteTerms(doc, terms);
          expect(flags[0]?.terms ?? []).toEqual(expected);
          expect(flags.length).toBe(expected.length > 0 ? 1 : 0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('finds the starter examples in mixed text, and not inside longer words or across punctuation', () => {
    const policy = compilePolicy(
      1,
      1,
      conditionsOf({ name: 'p', terms: ['保证收益', 'risk-free', 'off the record', '内幕消息', 'free'] }),
    );
    const t = (s: string) => flagsFor([policy], docOf([s], [], 'k'))[0]?.terms ?? [];
    expect(t('这单ＲＩＳＫ－ＦＲＥＥ，保证收益10%')).toEqual(['保证收益', 'risk-free', 'free']);
    expect(t('Strictly OFF THE RECORD: 有内幕消息')).toEqual(['off the record', '内幕消息']);
    expect(t('freedom and riskfree offers; 保证，收益')).toEqual([]);
  });
});

describe('sampling', () => {
  it('is a fixed function of policy and item, near the share asked', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `sandbox:msg-${i}`);
    const a = keys.filter((k) => sampled(7, k, 1000));
    const b = keys.filter((k) => sampled(7, k, 1000));
    expect(b).toEqual(a);
    expect(a.length / keys.length).toBeGreaterThan(0.09);
    expect(a.length / keys.length).toBeLessThan(0.11);
    // Another policy samples other items, so two policies do not review the same slice.
    const other = new Set(keys.filter((k) => sampled(8, k, 1000)));
    const overlap = a.filter((k) => other.has(k)).length;
    expect(overlap / a.length).toBeLessThan(0.2);
    expect(keys.filter((k) => sampled(7, k, 0))).toEqual([]);
    expect(keys.filter((k) => sampled(7, k, 10_000)).length).toBe(keys.length);
  });

  it('samples only what no condition flagged, and says so', () => {
    const policy = compilePolicy(3, 1, conditionsOf({ name: 'p', terms: ['保本'], samplePercent: 100 }));
    expect(flagsFor([policy], docOf(['保本基金'], [], 'x'))[0]?.reasons).toEqual(['lexicon']);
    expect(flagsFor([policy], docOf(['hello'], [], 'y'))[0]?.reasons).toEqual(['sample']);
  });
});
