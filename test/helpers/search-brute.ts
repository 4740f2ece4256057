/**
 * A brute-force search for tests: evaluates a query, given as a tree, by scanning the raw
 * fields of every document with NFKC + lower case and plain string/regex matching. It shares
 * nothing with the production tokenizer or index, so agreement between the two means
 * something.
 */
import type { SearchDocument, SearchParticipant } from '../../src/compliance/search/document.js';

export type BruteQuery =
  | { t: 'and' | 'or'; of: BruteQuery[] }
  | { t: 'not'; of: BruteQuery }
  /** CJK text: a substring of one field */
  | { t: 'cjk'; text: string }
  /** Latin words: whole words, in order, separated only by spaces/punctuation, in one field */
  | { t: 'words'; words: string[] }
  | { t: 'from' | 'to' | 'participant'; value: string }
  | { t: 'conversation' | 'type' | 'mailbox' | 'connector'; value: string }
  | { t: 'after' | 'before'; time: number; text: string }
  | { t: 'has-attachment' | 'recalled' | 'external' };

export function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}\\p{Script=Bopomofo}';
/** a letter, digit or mark that is not CJK: what a word is made of */
const WORD_CHAR = `(?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}])`;
/** neither a word character nor CJK: what may stand between the words of a phrase */
const GAP = `(?:(?![${CJK}])[^\\p{L}\\p{N}\\p{M}])`;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function fieldsOf(d: SearchDocument): string[] {
  const people = [d.from, ...d.to].flatMap((p) => [p.name, p.id, p.mobile, p.email, p.mailbox]);
  return [...d.texts, ...d.fileNames, ...d.attachmentTexts, ...people, d.conversation.name].filter(
    (x): x is string => typeof x === 'string',
  );
}

function digits(s: string): string {
  return s.replace(/\D/g, '');
}

function personIs(p: SearchParticipant, value: string): boolean {
  const v = fold(value).trim();
  if ([p.id, p.name, p.email, p.mailbox].some((x) => x !== undefined && fold(x).trim() === v)) return true;
  if (p.mobile && /^\+?[\d\s\-().]{5,}$/.test(v)) {
    const m = digits(p.mobile);
    return digits(v) === m || `86${digits(v)}` === m;
  }
  return false;
}

export function matches(d: SearchDocument, q: BruteQuery): boolean {
  switch (q.t) {
    case 'and':
      return q.of.every((x) => matches(d, x));
    case 'or':
      return q.of.some((x) => matches(d, x));
    case 'not':
      return !matches(d, q.of);
    case 'cjk':
      return fieldsOf(d).some((f) => fold(f).includes(fold(q.text)));
    case 'words': {
      const re = new RegExp(
        `(?<!${WORD_CHAR})${q.words.map((w) => escape(fold(w))).join(`${GAP}+`)}(?!${WORD_CHAR})`,
        'u',
      );
      return fieldsOf(d).some((f) => re.test(fold(f)));
    }
    case 'from':
      return personIs(d.from, q.value);
    case 'to':
      return d.to.some((p) => p.id !== d.from.id && personIs(p, q.value));
    case 'participant':
      return [d.from, ...d.to].some((p) => personIs(p, q.value));
    case 'conversation':
      return [d.conversation.id, d.conversation.name].some((x) => x !== undefined && fold(x) === fold(q.value));
    case 'type':
      return d.msgtype.toLowerCase() === q.value.toLowerCase();
    case 'mailbox':
      return d.mailboxes.some((m) => fold(m) === fold(q.value));
    case 'connector':
      return d.connectorId === q.value;
    case 'after':
      return d.time >= q.time;
    case 'before':
      return d.time < q.time;
    case 'has-attachment':
      return d.hasAttachments;
    case 'recalled':
      return d.recalled;
    case 'external':
      return d.external;
  }
}

function quoteIfNeeded(v: string): string {
  return /[\s()"]/.test(v) ? `"${v}"` : v;
}

/** The query language text of a tree, with explicit parentheses around every group. */
export function queryText(q: BruteQuery): string {
  switch (q.t) {
    case 'and':
      return `(${q.of.map(queryText).join(' ')})`;
    case 'or':
      return `(${q.of.map(queryText).join(' OR ')})`;
    case 'not':
      return `-${queryText(q.of)}`;
    case 'cjk':
      return q.text;
    case 'words':
      return q.words.length === 1 ? q.words[0]! : `"${q.words.join(' ')}"`;
    case 'after':
    case 'before':
      return `${q.t}:${q.text}`;
    case 'has-attachment':
      return 'has:attachment';
    case 'recalled':
      return 'is:recalled';
    case 'external':
      return 'is:external';
    default:
      return `${q.t}:${quoteIfNeeded(q.value)}`;
  }
}
