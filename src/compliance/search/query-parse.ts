/**
 * The query language: terms (all must match), "quoted phrases", OR, -term / NOT, parentheses
 * and filters (from: to: participant: conversation: type: mailbox: connector: after: before:
 * has:attachment is:recalled is:external). A query may be filters only. A bad query throws
 * WXA_SEARCH_QUERY_INVALID with the position and what was expected there.
 *
 * Precedence, loosest first: OR, then the implicit AND between neighbours, then - / NOT.
 * `OR`, `AND` and `NOT` are operators only in capitals, so the English words stay searchable.
 */
import { FILTER_FIELDS, type FilterField, type QueryNode } from './query-ast.js';
import { queryError } from './query-error.js';
import { lex, type Lexeme } from './query-lex.js';
import { parseQueryTime } from './query-time.js';
import { queryPhrase } from './tokenize.js';

const TERM_EXPECTED = 'a search term, "phrase", (group) or filter';

class Parser {
  private i = 0;
  constructor(
    private readonly q: string,
    private readonly toks: Lexeme[],
  ) {}

  private peek(): Lexeme | undefined {
    return this.toks[this.i];
  }

  private isWord(t: Lexeme | undefined, w: string): boolean {
    return t?.kind === 'word' && t.text === w;
  }

  private here(): number {
    return this.peek()?.position ?? this.q.length;
  }

  private found(): string {
    const t = this.peek();
    if (!t) return 'the end of the query';
    if (t.kind === 'word' || t.kind === 'quoted') return `"${t.text}"`;
    if (t.kind === 'pair') return `"${t.key}:"`;
    return `"${t.kind}"`;
  }

  parse(): QueryNode {
    if (this.toks.length === 0) throw queryError(0, TERM_EXPECTED, 'an empty query');
    const node = this.or();
    if (this.peek()) throw queryError(this.here(), TERM_EXPECTED, this.found());
    return node;
  }

  private or(): QueryNode {
    const children = [this.and()];
    while (this.isWord(this.peek(), 'OR')) {
      this.i++;
      children.push(this.and());
    }
    return children.length === 1 ? children[0]! : { type: 'or', children };
  }

  private and(): QueryNode {
    const children: QueryNode[] = [];
    for (;;) {
      const t = this.peek();
      if (!t || t.kind === ')' || this.isWord(t, 'OR')) break;
      if (this.isWord(t, 'AND')) {
        if (children.length === 0) break;
        this.i++;
        const next = this.peek();
        if (!next || next.kind === ')' || this.isWord(next, 'OR') || this.isWord(next, 'AND'))
          throw queryError(this.here(), `${TERM_EXPECTED} after AND`, this.found());
        continue;
      }
      children.push(this.unary());
    }
    if (children.length === 0) throw queryError(this.here(), TERM_EXPECTED, this.found());
    return children.length === 1 ? children[0]! : { type: 'and', children };
  }

  private unary(): QueryNode {
    const t = this.peek()!;
    if (t.kind === '-' || this.isWord(t, 'NOT')) {
      const op = t.kind === '-' ? '-' : 'NOT';
      this.i++;
      const next = this.peek();
      if (!next || next.kind === ')' || this.isWord(next, 'OR') || this.isWord(next, 'AND'))
        throw queryError(this.here(), `${TERM_EXPECTED} after ${op}`, this.found());
      return { type: 'not', child: this.unary() };
    }
    return this.primary();
  }

  private primary(): QueryNode {
    const t = this.peek()!;
    this.i++;
    switch (t.kind) {
      case '(': {
        const inner = this.or();
        if (this.peek()?.kind !== ')')
          throw queryError(this.here(), `a closing ) for the ( at position ${t.position}`, this.found());
        this.i++;
        return inner;
      }
      case 'quoted':
        return term(t.text, true, t.position);
      case 'word':
        return term(t.text, false, t.position);
      case 'pair': {
        const field = t.key.toLowerCase();
        if (!(field in FILTER_FIELDS)) return term(`${t.key}:${t.value}`, false, t.position);
        return filter(field as FilterField, t.value, t.valuePosition);
      }
      default:
        // ')' and '-' are handled by the callers; reaching here means a stray one.
        throw queryError(t.position, TERM_EXPECTED, `"${t.kind}"`);
    }
  }
}

function term(text: string, quoted: boolean, position: number): QueryNode {
  if (queryPhrase(text).length === 0)
    throw queryError(position, 'letters, digits or CJK characters to search for', `"${text}"`);
  return { type: 'term', text, quoted, position };
}

function filter(field: FilterField, raw: string, position: number): QueryNode {
  const value = raw.trim();
  if (value === '') throw queryError(position, `a value after ${field}: (${FILTER_FIELDS[field]})`);
  switch (field) {
    case 'after':
    case 'before': {
      const time = parseQueryTime(value);
      if (time === undefined)
        throw queryError(position, 'an ISO 8601 date (2025-03-01) or date-time (2025-03-01T09:30+08:00)', `"${value}"`);
      return { type: 'filter', field, value, time, position };
    }
    case 'has':
      if (value.toLowerCase() !== 'attachment') throw queryError(position, 'has:attachment', `"has:${value}"`);
      return { type: 'filter', field, value: 'attachment', position };
    case 'is': {
      const v = value.toLowerCase();
      if (v !== 'recalled' && v !== 'external')
        throw queryError(position, 'is:recalled or is:external', `"is:${value}"`);
      return { type: 'filter', field, value: v, position };
    }
    default:
      return { type: 'filter', field, value, position };
  }
}

/** Parses a query; throws WXA_SEARCH_QUERY_INVALID with details { position, expected }. */
export function parseQuery(q: string): QueryNode {
  return new Parser(q, lex(q)).parse();
}
