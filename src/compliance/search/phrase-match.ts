/**
 * The index's phrase semantics in memory: a term matches a token sequence when the tokens of
 * its query phrase (tokenize.ts `queryPhrase`) stand at consecutive positions, the last one
 * matching as a prefix where the phrase says so. This is what FTS5 does with the same tokens,
 * so text checked here (supervision flags items as they are archived, before any query runs)
 * matches exactly what a search for the same term finds: CJK substrings, whole Latin words,
 * NFKC and case folded. Many terms are checked in one pass over the tokens, indexed by their
 * first token, so the cost grows with the text, not with the size of the term list.
 */
import { queryPhrase, type QueryToken } from './tokenize.js';

function tokenMatches(docToken: string, q: QueryToken): boolean {
  return q.prefix ? docToken.startsWith(q.token) : docToken === q.token;
}

/** Whether `phrase` stands in `tokens` starting at position `at`. */
export function phraseAt(tokens: readonly string[], at: number, phrase: readonly QueryToken[]): boolean {
  if (at + phrase.length > tokens.length) return false;
  for (let k = 0; k < phrase.length; k++) if (!tokenMatches(tokens[at + k]!, phrase[k]!)) return false;
  return true;
}

/** A set of terms compiled for matching token sequences; `match` gives the indexes of the terms found. */
export interface PhraseSet {
  match(tokens: readonly string[]): number[];
}

/** The first code point of a token: a prefix phrase token is always one CJK character. */
function head(token: string): string {
  return String.fromCodePoint(token.codePointAt(0)!);
}

/** Compiles terms; a term without any token (only punctuation or spaces) never matches. */
export function compilePhrases(terms: readonly string[]): PhraseSet {
  const exact = new Map<string, Array<[number, QueryToken[]]>>();
  const prefix = new Map<string, Array<[number, QueryToken[]]>>();
  terms.forEach((term, i) => {
    const phrase = queryPhrase(term);
    const first = phrase[0];
    if (!first) return;
    const map = first.prefix ? prefix : exact;
    const key = first.prefix ? head(first.token) : first.token;
    const list = map.get(key) ?? [];
    list.push([i, phrase]);
    map.set(key, list);
  });
  return {
    match(tokens) {
      const found = new Set<number>();
      for (let at = 0; at < tokens.length; at++) {
        const tok = tokens[at]!;
        if (tok === '') continue;
        for (const list of [exact.get(tok), prefix.size > 0 ? prefix.get(head(tok)) : undefined]) {
          if (!list) continue;
          for (const [i, phrase] of list) if (!found.has(i) && phraseAt(tokens, at, phrase)) found.add(i);
        }
      }
      return [...found].sort((a, b) => a - b);
    },
  };
}
