/**
 * Our index tokens as PostgreSQL full-text values: a document's tokens become a `tsvector`
 * written as a literal with explicit positions (not `to_tsvector`, whose parser would split and
 * classify the tokens its own way), and a query phrase becomes `tsquery` literals, so both
 * dialects index and match exactly the tokens compliance/search/tokenize.ts makes.
 *
 * Why a tsvector of our tokens with a GIN index, and not the alternatives: `pg_trgm` cannot use
 * its index for a pattern under 3 characters (a 1- or 2-character Chinese query is the common
 * case) and in a C-collation database treats every non-ASCII character as a separator; a table
 * of (token, item, position) rows is several times the size of the text and answers a phrase
 * by joining one row set per token. A GIN index over tsvectors answers `a & b` from posting
 * lists and checks `a <-> b` on the candidates' positions, like FTS5 does.
 *
 * A tsvector has limits FTS5 has not: 256 positions per lexeme, positions up to 16,383, lexemes
 * up to 2,047 bytes, 1 MiB of lexemes. A document within them is exact through its positions. A
 * longer one (an attachment's text) is an "overflow" document: its vector holds its distinct
 * tokens without positions (to find candidates) and its tokens are kept as text, against which
 * a phrase is verified; when even its distinct tokens exceed 1 MiB its vector holds only
 * HUGE, which every text query also asks for, so such a document is verified by every text
 * query. Nothing is missed.
 *
 * A single whole token on a document with positions needs no check beyond the GIN index (it
 * answers `a`, `a:*` and `a | b` exactly), so the common one-word query never reads a vector.
 */

/**
 * The token between two fields of a document (compliance/search/tokenize.ts FIELD_BREAK; a
 * test holds the two equal: the store does not import the tokenizer).
 */
export const FIELD_BREAK_TOKEN = '\uE000';

/** Code points of a lexeme; a longer token is indexed as its first ones and TRUNCATED. */
const LEXEME_MAX = 256;
/** Marks a shortened lexeme: a separator in our tokenizer, so no whole token ends with it. */
const TRUNCATED = '\u2026';
/** The lexeme of a document too large for its distinct tokens: private use, never a token. */
const HUGE = '\uE001';
/** tsvector: highest position kept exactly, positions kept per lexeme, bytes of lexemes. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS = 256;
const MAX_LEXEME_BYTES = 1_000_000;

/** A token as the lexeme it is indexed and queried by. */
export function lexemeOf(token: string): string {
  if (token.length <= LEXEME_MAX) return token;
  const cps = Array.from(token);
  return cps.length <= LEXEME_MAX ? token : cps.slice(0, LEXEME_MAX).join('') + TRUNCATED;
}

const quote = (lexeme: string): string => `'${lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** What search_fts stores for one document. */
export interface PgTokenRow {
  /** a tsvector literal */
  vector: string;
  /** the tokens as text when the vector cannot hold their positions, else null */
  overflow: string | null;
}

/** The search_fts row of a document's space-separated tokens (SearchRowWrite.tokens). */
export function pgTokenRow(tokens: string): PgTokenRow {
  const list = tokens === '' ? [] : tokens.split(' ');
  const positions = new Map<string, number[]>();
  let pos = 0;
  let exact = true;
  for (const t of list) {
    pos++;
    // A field break is no token anyone searches for: the gap in the positions is what keeps a
    // phrase inside one field.
    if (t === FIELD_BREAK_TOKEN) continue;
    const lex = lexemeOf(t);
    if (lex !== t) exact = false;
    let at = positions.get(lex);
    if (!at) positions.set(lex, (at = []));
    at.push(pos);
    if (at.length > MAX_POSITIONS) exact = false;
  }
  if (pos > MAX_POSITION) exact = false;
  let bytes = 0;
  for (const lex of positions.keys()) bytes += Buffer.byteLength(lex);
  if (exact && bytes <= MAX_LEXEME_BYTES)
    return { vector: [...positions].map(([lex, at]) => `${quote(lex)}:${at.join(',')}`).join(' '), overflow: null };
  const vector = bytes <= MAX_LEXEME_BYTES ? [...positions.keys()].map(quote).join(' ') : quote(HUGE);
  return { vector, overflow: tokens };
}

/** One token of a query phrase (store/search-query.ts PhraseToken). */
interface QueryToken {
  token: string;
  prefix: boolean;
}

/** How a text condition is asked of search_fts. */
export interface PgTextQuery {
  /** every token in any order, or a huge document: the condition the GIN index answers */
  candidates: string;
  /** every token, in any order */
  all: string;
  /** the tokens at consecutive positions */
  phrase: string;
  /** a regular expression over ' ' + overflow + ' ' that verifies the phrase exactly */
  verify: string;
  /** `all` alone decides for a document with positions (one whole, untruncated token) */
  single: boolean;
}

const REGEX_SPECIAL = /[\\^$.|?*+()[\]{}]/g;

export function pgTextQuery(phrase: readonly QueryToken[]): PgTextQuery {
  const lex = phrase.map((t) => `${quote(lexemeOf(t.token))}${t.prefix ? ':*' : ''}`);
  const verify = phrase.map((t) => t.token.replace(REGEX_SPECIAL, '\\$&') + (t.prefix ? '[^ ]*' : '')).join(' ');
  return {
    candidates: `(${lex.join(' & ')}) | ${quote(HUGE)}`,
    all: lex.join(' & '),
    phrase: lex.join(' <-> '),
    verify: ` ${verify} `,
    single: phrase.length === 1 && lexemeOf(phrase[0]!.token) === phrase[0]!.token,
  };
}
