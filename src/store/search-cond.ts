/**
 * A search condition as SQL, for both dialects. Filters (people, mailboxes, conversations,
 * types, dates, flags) are the same SQL on SQLite and PostgreSQL; only text differs (an FTS5
 * MATCH expression there, tsvector conditions here), so each dialect supplies a TextAlgebra and
 * the tree is walked once, here. Text-only subtrees collapse into one text expression, asked of
 * the token table once, as FTS5 answers a whole boolean expression in one MATCH.
 */
import { sql, type RawBuilder } from 'kysely';
import { SEARCH_ID_SLOTS } from './search-index-rows.js';

export interface PhraseToken {
  token: string;
  prefix: boolean;
}

/** A query over the index; values of person/mailbox/conversation are normalised by the caller. */
export type SearchCond =
  | { op: 'and' | 'or'; of: SearchCond[] }
  | { op: 'not'; of: SearchCond }
  /** tokens at consecutive positions */
  | { op: 'text'; phrase: PhraseToken[] }
  | { op: 'person'; role: 'from' | 'to' | 'any'; value: string }
  | { op: 'mailbox' | 'conversation' | 'msgtype' | 'connector'; value: string }
  /** ms UTC: after inclusive, before exclusive */
  | { op: 'after' | 'before'; time: number }
  | { op: 'flag'; flag: 'attachment' | 'recalled' | 'external' }
  | { op: 'all' };

export type Sql = RawBuilder<unknown>;

/** A row id as an SQL integer, never a REAL (see search-query.ts). */
export const rowId = (n: number): Sql => sql`${BigInt(n)}`;

/** How one dialect writes text conditions: T is its text expression. */
export interface TextAlgebra<T> {
  phrase(tokens: PhraseToken[]): T;
  or(parts: T[]): T;
  /** all of `pos` and none of `neg` (pos is never empty) */
  and(pos: T[], neg: T[]): T;
  /** the items matching `t`, as a predicate over `search_items s` */
  ids(t: T): Sql;
}

/** The text expression of a text-only condition, or undefined when it is not one. */
export function textOf<T>(c: SearchCond, alg: TextAlgebra<T>): T | undefined {
  switch (c.op) {
    case 'text':
      return alg.phrase(c.phrase);
    case 'or': {
      const parts = c.of.map((x) => textOf(x, alg));
      return parts.every((p) => p !== undefined) ? alg.or(parts as T[]) : undefined;
    }
    case 'and': {
      const pos = c.of.filter((x) => x.op !== 'not').map((x) => textOf(x, alg));
      const neg = c.of
        .filter((x): x is Extract<SearchCond, { op: 'not' }> => x.op === 'not')
        .map((x) => textOf(x.of, alg));
      if (pos.length === 0 || pos.some((p) => p === undefined) || neg.some((p) => p === undefined)) return undefined;
      return alg.and(pos as T[], neg as T[]);
    }
    default:
      return undefined;
  }
}

/** Items having one of the facet values `values` selects (a subquery over search_facet_values). */
export const facetIn = (values: Sql): Sql =>
  sql`s.id IN (SELECT row_id FROM search_facet_rows WHERE facet_id IN (${values}))`;

const facet = (field: string, value: string): Sql =>
  facetIn(sql`SELECT id FROM search_facet_values WHERE field = ${field} AND value = ${value}`);

/** A condition as a SQL predicate over `search_items s`. */
export function predicateWith<T>(c: SearchCond, alg: TextAlgebra<T>): Sql {
  switch (c.op) {
    case 'text':
      return alg.ids(alg.phrase(c.phrase));
    case 'and':
    case 'or': {
      const text = textOf(c, alg);
      if (text !== undefined) return alg.ids(text);
      const parts = c.of.map((x) => predicateWith(x, alg));
      return sql`(${sql.join(parts, c.op === 'and' ? sql` AND ` : sql` OR `)})`;
    }
    case 'not':
      return sql`NOT (${predicateWith(c.of, alg)})`;
    case 'person': {
      const fields = c.role === 'any' ? ['from', 'to'] : [c.role];
      return facetIn(sql`SELECT id FROM search_facet_values WHERE field IN (${sql.join(fields)})
        AND value IN (SELECT person_id FROM search_aliases WHERE alias = ${c.value})`);
    }
    case 'mailbox':
    case 'conversation':
      return facet(c.op, c.value);
    case 'msgtype':
      return sql`s.msgtype = ${c.value}`;
    case 'connector':
      return sql`s.connector_id = ${c.value}`;
    case 'after':
      return sql`s.id >= ${rowId(c.time * SEARCH_ID_SLOTS)}`;
    case 'before':
      return sql`s.id < ${rowId(c.time * SEARCH_ID_SLOTS)}`;
    case 'flag': {
      const col = c.flag === 'attachment' ? 'has_attachments' : c.flag;
      return sql`${sql.ref(`s.${col}`)} = 1`;
    }
    case 'all':
      return sql`1 = 1`;
  }
}

/** Only items with an entry in one of `scope`'s (normalised) mailboxes. */
export function mailboxScopeSql(scope: readonly string[]): Sql {
  return scope.length === 0
    ? sql`0 = 1`
    : facetIn(sql`SELECT id FROM search_facet_values WHERE field = 'mailbox' AND value IN (${sql.join([...scope])})`);
}

/** Only items of a review set. */
export const reviewSetSql = (reviewSetId: number): Sql =>
  sql`s.item_key IN (SELECT item_key FROM review_set_items WHERE review_set_id = ${reviewSetId})`;
