/**
 * Queries of the search index on PostgreSQL: the same condition trees as search-query.ts answers
 * on SQLite, with text asked of the tsvector column (search-pg-tokens.ts explains the values).
 * PostgreSQL's planner chooses between driving by the GIN index, by a facet or by the row id
 * order, from its statistics (kept fresh by autovacuum and by SearchIndex.compact after a
 * rebuild), so one statement shape serves every query; SQLite needs the hand-made plans there.
 * Newest first is the time-ordered row id, paged by keyset, as on SQLite.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import {
  mailboxScopeSql,
  predicateWith,
  reviewSetSql,
  rowId,
  textOf,
  type PhraseToken,
  type SearchCond,
  type Sql,
  type TextAlgebra,
} from './search-cond.js';
import { pgTextQuery } from './search-pg-tokens.js';
import type { SearchItemRow, SearchQueryOptions, SearchQueryResult } from './search-query.js';

/**
 * `search_fts f` holds a phrase: the GIN index finds the candidates, a document with positions
 * is checked by them (not at all for one whole token: the index is exact there), an overflow
 * document against its text.
 */
function phraseSql(tokens: PhraseToken[]): Sql {
  if (tokens.length === 0) return sql`false`;
  const q = pgTextQuery(tokens);
  const byPositions = q.single ? sql`true` : sql`f.tokens @@ ${q.phrase}::tsquery`;
  return sql`(f.tokens @@ ${q.candidates}::tsquery AND CASE WHEN f.overflow IS NULL
    THEN ${byPositions} ELSE (' ' || f.overflow || ' ') ~ ${q.verify} END)`;
}

const pgText: TextAlgebra<Sql> = {
  phrase: phraseSql,
  or: (parts) => sql`(${sql.join(parts, sql` OR `)})`,
  and: (pos, neg) => {
    const all = [...pos, ...neg.map((n) => sql`NOT ${n}`)];
    return sql`(${sql.join(all, sql` AND `)})`;
  },
  ids: (t) => sql`s.id IN (SELECT f.id FROM search_fts f WHERE ${t})`,
};

/** A condition as a predicate over `search_items s` on PostgreSQL. */
export const pgCondSql = (cond: SearchCond): Sql => predicateWith(cond, pgText);

/** The phrases a hit must contain somewhere (not under a NOT): what relevance ranks by. */
function positivePhrases(c: SearchCond, negated = false): PhraseToken[][] {
  switch (c.op) {
    case 'text':
      return negated || c.phrase.length === 0 ? [] : [c.phrase];
    case 'and':
    case 'or':
      return c.of.flatMap((x) => positivePhrases(x, negated));
    case 'not':
      return positivePhrases(c.of, !negated);
    default:
      return [];
  }
}

export async function querySearchPg(
  db: Kysely<Database>,
  cond: SearchCond,
  opts: SearchQueryOptions,
): Promise<SearchQueryResult> {
  const conds = [pgCondSql(cond)];
  if (opts.mailboxScope) conds.push(mailboxScopeSql(opts.mailboxScope));
  if (opts.reviewSetId !== undefined) conds.push(reviewSetSql(opts.reviewSetId));
  const where = sql.join(conds, sql` AND `);
  const limit = opts.limit + 1;
  // Only text decides: the token rows alone are counted (every item has one), without joining items.
  const textOnly = conds.length === 1 ? textOf(cond, pgText) : undefined;
  const count = async (firstPage: number | undefined): Promise<number> => {
    // A first page shorter than a page is the whole result: no count needed.
    if (firstPage !== undefined) return firstPage;
    const r = textOnly
      ? await sql<{ n: number }>`SELECT count(*) AS n FROM search_fts f WHERE ${textOnly}`.execute(db)
      : await sql<{ n: number }>`SELECT count(*) AS n FROM search_items s WHERE ${where}`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  };

  const phrases = positivePhrases(cond);
  if (opts.sort === 'relevance' && phrases.length > 0) {
    // ts_rank over the distinct tokens of every positive phrase: an order of its own, not FTS5's
    // bm25, so the same hits may come in another order than on SQLite; ties newest first.
    const rank = phrases.map((p) => `(${pgTextQuery(p).all})`).join(' | ');
    const offset = opts.after ?? 0;
    let rows = (
      await sql<SearchItemRow>`SELECT s.* FROM search_items s JOIN search_fts f ON f.id = s.id WHERE ${where}
        ORDER BY ts_rank(f.tokens, ${rank}::tsquery) DESC, s.id DESC LIMIT ${limit} OFFSET ${offset}`.execute(db)
    ).rows;
    const more = rows.length > opts.limit;
    const total = await count(offset === 0 && !more ? rows.length : undefined);
    rows = rows.slice(0, opts.limit);
    return { total, rows, ...(more ? { next: offset + opts.limit } : {}) };
  }
  const page = opts.after !== undefined ? sql` AND s.id < ${rowId(opts.after)}` : sql``;
  let rows = (
    await sql<SearchItemRow>`SELECT s.* FROM search_items s WHERE ${where}${page}
      ORDER BY s.id DESC LIMIT ${limit}`.execute(db)
  ).rows;
  const more = rows.length > opts.limit;
  const total = await count(opts.after === undefined && !more ? rows.length : undefined);
  rows = rows.slice(0, opts.limit);
  return { total, rows, ...(more ? { next: Number(rows[rows.length - 1]!.id) } : {}) };
}
