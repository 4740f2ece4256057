/**
 * Lexicon files: one term or phrase a line, `#` starts a comment (a whole line, or the rest of
 * a line after a space). Terms are matched with the search index's semantics, so a line that
 * gives the tokenizer nothing to match (only punctuation) could never flag anything: it is an
 * error naming the file and line rather than a silent no-op in a compliance control.
 */
import { ArchiverError } from '../../core/errors.js';
import { normalizeText, queryPhrase } from '../search/index.js';

/** A term longer than this is almost certainly a pasted paragraph, not a phrase. */
export const TERM_MAX = 200;
export const LEXICON_MAX_TERMS = 10_000;

function lexiconError(source: string, line: number, what: string): ArchiverError {
  return new ArchiverError('WXA_SUPERVISION_LEXICON_INVALID', `${source}:${line}: ${what}`, {
    details: { file: source, line },
  });
}

/** Each line of a lexicon text with its comment cut and its spaces folded ('' for none). */
function lexiconLines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((raw) => {
      const hash = raw.search(/(^|\s)#/);
      return (hash >= 0 ? raw.slice(0, hash) : raw).replace(/\s+/g, ' ').trim();
    });
}

/** Whether a lexicon text has no term at all: only comments and blank lines. */
export function lexiconIsEmpty(text: string): boolean {
  return lexiconLines(text).every((term) => term === '');
}

/** The terms of a lexicon text, in file order, each once (compared NFKC and case folded). */
export function parseLexicon(text: string, source = 'lexicon'): string[] {
  const terms: string[] = [];
  const seen = new Set<string>();
  const lines = lexiconLines(text);
  lines.forEach((term, i) => {
    const lineNo = i + 1;
    if (term === '') return;
    if (term.length > TERM_MAX)
      throw lexiconError(source, lineNo, `the term is ${term.length} characters; keep each term under ${TERM_MAX}`);
    if (queryPhrase(term).length === 0)
      throw lexiconError(
        source,
        lineNo,
        `"${term}" has no letters, digits or CJK characters to match; remove the line or write a word`,
      );
    const key = normalizeText(term);
    if (seen.has(key)) return;
    seen.add(key);
    terms.push(term);
  });
  if (terms.length > LEXICON_MAX_TERMS)
    throw lexiconError(source, lines.length, `${terms.length} terms; a lexicon takes at most ${LEXICON_MAX_TERMS}`);
  return terms;
}

/** A lexicon as a file: the terms one a line, for the editor and for copying a policy's terms out. */
export function formatLexicon(terms: readonly string[]): string {
  return terms.map((t) => `${t}\n`).join('');
}
