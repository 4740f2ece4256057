/**
 * The snippet of a hit: a window of its text around the first match, with the [start, end)
 * UTF-16 offsets of every match of the query's terms in it. Matching follows the index: CJK
 * runs as substrings, words whole, both after NFKC and lower case (mapped back to the
 * original characters so that offsets point into the text as written).
 */
import { classOf, normalizeText, runsOf } from './tokenize.js';

/** Characters of the snippet window. */
export const SNIPPET_LENGTH = 160;

interface Folded {
  text: string;
  /** folded index -> original UTF-16 index */
  start: number[];
  end: number[];
}

/** Folds each character on its own, keeping where it came from. */
function fold(original: string): Folded {
  let text = '';
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  for (const ch of original) {
    const f = normalizeText(ch);
    for (let k = 0; k < f.length; k++) {
      start.push(i);
      end.push(i + ch.length);
    }
    text += f;
    i += ch.length;
  }
  return { text, start, end };
}

function isWordAt(s: string, i: number): boolean {
  if (i < 0 || i >= s.length) return false;
  const cp = s.codePointAt(i)!;
  return classOf(String.fromCodePoint(cp)) === 'word';
}

/** Ranges in `text` of each run of each term (CJK substrings, whole words), merged. */
export function matchRanges(text: string, terms: readonly string[]): Array<[number, number]> {
  const f = fold(text);
  const out: Array<[number, number]> = [];
  for (const term of terms)
    for (const run of runsOf(normalizeText(term))) {
      const needle = run.chars.join('');
      for (let at = f.text.indexOf(needle); at >= 0; at = f.text.indexOf(needle, at + 1)) {
        const stop = at + needle.length;
        if (run.kind === 'word' && (isWordAt(f.text, at - 1) || isWordAt(f.text, stop))) continue;
        out.push([f.start[at]!, f.end[stop - 1]!]);
      }
    }
  out.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [];
  for (const r of out) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** A window of the text around its first match, and the matches inside the window. */
export function snippetOf(
  body: string,
  terms: readonly string[],
): { snippet: string; highlights: Array<[number, number]> } {
  const text = body.replace(/\s+/g, ' ').trim();
  const ranges = matchRanges(text, terms);
  let from = 0;
  if (ranges.length > 0 && ranges[0]![0] > SNIPPET_LENGTH / 3) from = ranges[0]![0] - Math.floor(SNIPPET_LENGTH / 3);
  // Never cut a surrogate pair in two.
  if (from > 0 && /[\uDC00-\uDFFF]/.test(text[from] ?? '')) from--;
  let to = Math.min(text.length, from + SNIPPET_LENGTH);
  if (to < text.length && /[\uDC00-\uDFFF]/.test(text[to] ?? '')) to++;
  const lead = from > 0 ? '…' : '';
  const tail = to < text.length ? '…' : '';
  const snippet = lead + text.slice(from, to) + tail;
  const highlights = ranges
    .filter(([s, e]) => s >= from && e <= to)
    .map(([s, e]) => [s - from + lead.length, e - from + lead.length] as [number, number]);
  return { snippet, highlights };
}
