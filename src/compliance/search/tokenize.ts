/**
 * The search tokenizer, shared by every index implementation (SQLite FTS5 today, PostgreSQL
 * `tsvector('simple')` later): the same text gives the same tokens whatever stores them.
 *
 * Text is NFKC-normalised and lower-cased, so full-width forms and case never matter. Runs of
 * letters and digits of alphabetic scripts become one token each (whole-word matching). Runs of
 * CJK characters (Han, kana, Hangul, bopomofo) have no spaces to split on, so each run of
 * `c1..cn` becomes its overlapping bigrams `c1c2 .. c(n-1)cn` followed by the single last
 * character `cn`. Why this shape and not "bigrams plus every single character":
 *   - every CJK character of the text starts exactly one token (a bigram, or the run's last
 *     character), so a one-character query is the prefix query `c*` and finds every text that
 *     contains `c` (100% recall), with half the tokens of the "plus every character" design;
 *   - a query of 2+ CJK characters is the phrase of its bigrams; bigrams sit at consecutive
 *     positions only inside one run, because every run ends with its single-character token,
 *     so a phrase match is always a true substring of one run: no false positive across runs,
 *     words or fields (fields are also separated by FIELD_BREAK), and no post-filter is needed.
 */

/** Bump when the tokens of a text change; `reindex` rebuilds rows made by an older version. */
export const TOKENIZER_VERSION = 1;

/**
 * Between two fields of one item (message text, a file name, a participant): a private-use
 * character no query can produce, so that a phrase never spans two fields.
 */
export const FIELD_BREAK = '\uE000';

const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]$/u;
const WORD = /^[\p{L}\p{N}\p{M}]$/u;

type CharClass = 'cjk' | 'word' | 'sep';

export function classOf(ch: string): CharClass {
  if (CJK.test(ch)) return 'cjk';
  return WORD.test(ch) ? 'word' : 'sep';
}

/** NFKC and lower case: what both the indexed text and the query go through first. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** A run of characters of one class, in normalised text. */
export interface Run {
  kind: 'cjk' | 'word';
  chars: string[];
}

/** Splits normalised text into CJK runs and word runs; separators only end runs. */
export function runsOf(normalized: string): Run[] {
  const runs: Run[] = [];
  let cur: Run | undefined;
  for (const ch of normalized) {
    const k = classOf(ch);
    if (k === 'sep') {
      cur = undefined;
      continue;
    }
    if (!cur || cur.kind !== k) {
      cur = { kind: k, chars: [] };
      runs.push(cur);
    }
    cur.chars.push(ch);
  }
  return runs;
}

/** The index tokens of one run. */
export function runTokens(run: Run): string[] {
  if (run.kind === 'word') return [run.chars.join('')];
  const out: string[] = [];
  for (let i = 0; i + 1 < run.chars.length; i++) out.push(run.chars[i]! + run.chars[i + 1]!);
  out.push(run.chars[run.chars.length - 1]!);
  return out;
}

const SEP = 0;
const IS_CJK = 1;
const IS_WORD = 2;
const UNKNOWN = 3;
/**
 * classOf of every BMP code unit, filled as characters are met: indexing a million items spends
 * most of its JavaScript time classifying characters, and a table look-up is many times faster
 * than a Unicode property expression, with the expression still deciding every entry.
 */
const BMP_CLASS = new Uint8Array(0x10000).fill(UNKNOWN);

function classCode(cp: number): number {
  const k = classOf(String.fromCodePoint(cp));
  return k === 'cjk' ? IS_CJK : k === 'word' ? IS_WORD : SEP;
}

function bmpClass(unit: number): number {
  let k = BMP_CLASS[unit]!;
  if (k === UNKNOWN) {
    // A lone surrogate half is a separator, as classOf says of it.
    k = classCode(unit);
    BMP_CLASS[unit] = k;
  }
  return k;
}

/** Appends the tokens of the CJK run text[from, to) (as runTokens) to out. */
function pushCjkRun(text: string, from: number, to: number, astral: boolean, out: string[]): void {
  if (astral) {
    for (const x of runTokens({ kind: 'cjk', chars: Array.from(text.slice(from, to)) })) out.push(x);
    return;
  }
  for (let i = from; i + 2 <= to; i++) out.push(text.slice(i, i + 2));
  out.push(text.charAt(to - 1));
}

/** The index tokens of a text, in order: runTokens of every run of runsOf, in one pass. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const s = normalizeText(text);
  let runKind = SEP;
  let runStart = 0;
  let astral = false;
  const end = (at: number) => {
    if (runKind === IS_WORD) out.push(s.slice(runStart, at));
    else if (runKind === IS_CJK) pushCjkRun(s, runStart, at, astral, out);
  };
  for (let i = 0; i < s.length;) {
    const unit = s.charCodeAt(i);
    let width = 1;
    let k: number;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        width = 2;
        k = classCode(0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00));
      } else k = bmpClass(unit);
    } else k = bmpClass(unit);
    if (k !== runKind) {
      end(i);
      runKind = k;
      runStart = i;
      astral = false;
    }
    if (width === 2) astral = true;
    i += width;
  }
  end(s.length);
  return out;
}

/** The index tokens of several fields of one item, with FIELD_BREAK between fields. */
export function tokenizeFields(fields: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const t = tokenize(f);
    if (t.length === 0) continue;
    if (out.length > 0) out.push(FIELD_BREAK);
    // Not push(...t): spreading an attachment's hundreds of thousands of tokens as arguments
    // overflows the call stack.
    for (const x of t) out.push(x);
  }
  return out;
}

/** One token of a query phrase; `prefix` matches every index token that starts with it. */
export interface QueryToken {
  token: string;
  prefix: boolean;
}

/**
 * The phrase a query term becomes: tokens that must stand at consecutive positions. A CJK run
 * that the term continues after (a separator or a word follows) ends there in the text too, so
 * it keeps its last-character token; a run at the end of the term may continue in the text, so
 * it gives only its bigrams, or the prefix `c*` when it is a single character.
 */
export function queryPhrase(term: string): QueryToken[] {
  const runs = runsOf(normalizeText(term));
  const out: QueryToken[] = [];
  runs.forEach((run, i) => {
    const last = i === runs.length - 1;
    if (run.kind === 'word') {
      out.push({ token: run.chars.join(''), prefix: false });
      return;
    }
    const toks = runTokens(run);
    if (!last) {
      for (const t of toks) out.push({ token: t, prefix: false });
    } else if (run.chars.length === 1) {
      out.push({ token: run.chars[0]!, prefix: true });
    } else {
      for (const t of toks.slice(0, -1)) out.push({ token: t, prefix: false });
    }
  });
  return out;
}
