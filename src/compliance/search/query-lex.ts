/**
 * The query lexer: words, "quoted phrases", parentheses and the `-` of a negation, each with
 * its UTF-16 offset in the query so that an error can point at the exact place.
 */
import { queryError } from './query-error.js';

export type Lexeme =
  | { kind: 'word'; text: string; position: number }
  | { kind: 'quoted'; text: string; position: number }
  /** `key:value`, where the value may be quoted (`from:"Zhang San"`) */
  | { kind: 'pair'; key: string; value: string; position: number; valuePosition: number }
  | { kind: '(' | ')' | '-'; position: number };

const SPACE = /\s/u;
/** Characters that end a bare word. */
const STOP = /[\s()"]/u;
const PAIR = /^([A-Za-z]+):(.*)$/su;

function readQuoted(q: string, start: number): { text: string; end: number } {
  const close = q.indexOf('"', start + 1);
  if (close < 0) throw queryError(q.length, 'a closing " for the quote at position ' + start);
  return { text: q.slice(start + 1, close), end: close + 1 };
}

export function lex(q: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (SPACE.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ kind: c, position: i });
      i++;
    } else if (c === '"') {
      const r = readQuoted(q, i);
      out.push({ kind: 'quoted', text: r.text, position: i });
      i = r.end;
    } else if (c === '-' && i + 1 < q.length && !SPACE.test(q[i + 1]!) && q[i + 1] !== ')') {
      // `-term`: a minus before a word, phrase or group negates it; a lone `-` is a word.
      out.push({ kind: '-', position: i });
      i++;
    } else {
      let j = i;
      while (j < q.length && !STOP.test(q[j]!)) j++;
      const text = q.slice(i, j);
      const pair = PAIR.exec(text);
      if (pair && j === i + text.length && text.endsWith(':') && q[j] === '"') {
        const r = readQuoted(q, j);
        out.push({ kind: 'pair', key: pair[1]!, value: r.text, position: i, valuePosition: j });
        i = r.end;
        continue;
      }
      if (pair) {
        out.push({ kind: 'pair', key: pair[1]!, value: pair[2]!, position: i, valuePosition: i + pair[1]!.length + 1 });
      } else out.push({ kind: 'word', text, position: i });
      i = j;
    }
  }
  return out;
}
