/**
 * Queries of the embedded search index. A query arrives as a SearchCond tree whose text parts
 * are already our tokens; this file turns it into one SQL statement. The conjuncts that are
 * text go into a single FTS5 MATCH that drives the query in reverse rowid order (= newest
 * first, see migrations/006-search.ts); after:/before: become rowid ranges; the other filters
 * are indexed look-ups checked per candidate. Text nested under OR / NOT with filters becomes
 * an `id IN (MATCH ...)` sub-select.
 *
 * Row id bounds are bound as integers (BigInt): better-sqlite3 binds a JS number as a REAL, and
 * FTS5 ignores a REAL rowid bound (SQLite then filters every match afterwards), so a date range
 * or a deep page would read the whole posting list instead of seeking to its range.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { dialectKind } from './dialect/index.js';
import type { Database, SearchItemTable } from './schema.js';
import {
  mailboxScopeSql,
  predicateWith,
  reviewSetSql,
  rowId,
  textOf,
  type SearchCond,
  type Sql,
  type TextAlgebra,
} from './search-cond.js';
import { SEARCH_ID_SLOTS } from './search-index-rows.js';
import { pgCondSql, querySearchPg } from './search-query-pg.js';

export type { PhraseToken, SearchCond } from './search-cond.js';

export interface SearchQueryOptions {
  limit: number;
  sort: 'newest' | 'relevance';
  /** newest: the last row id of the previous page; relevance: the offset */
  after?: number;
  /** only items with an entry in one of these (normalised) mailboxes */
  mailboxScope?: readonly string[];
  /** only items of this review set (a reviewer's search within the set assigned to them) */
  reviewSetId?: number;
}

export type SearchItemRow = SearchItemTable;

export interface SearchQueryResult {
  total: number;
  rows: SearchItemRow[];
  /** the `after` of the next page, when there is one */
  next?: number;
}

function quoteFts(token: string): string {
  return `"${token.replace(/"/g, '""')}"`;
}

/** FTS5's spelling of text conditions: one MATCH expression. */
const fts5: TextAlgebra<string> = {
  phrase: (tokens) => tokens.map((t) => quoteFts(t.token) + (t.prefix ? ' *' : '')).join(' + '),
  or: (parts) => `(${parts.join(' OR ')})`,
  and: (pos, neg) => {
    const base = `(${pos.join(' AND ')})`;
    return neg.length === 0 ? base : `(${base} NOT (${neg.join(' OR ')}))`;
  },
  ids: (fts) => sql`s.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ${fts})`,
};

const ftsOf = (c: SearchCond): string | undefined => textOf(c, fts5);
const predicate = (c: SearchCond): Sql => predicateWith(c, fts5);

/** Conjuncts that are facet look-ups: they can drive the query when they select few items. */
const FACET_OPS = new Set(['person', 'mailbox', 'conversation']);

interface Plan {
  /** one FTS5 expression for every text conjunct */
  match?: string;
  /** row id range from top-level after:/before: */
  lo?: number;
  hi?: number;
  /** top-level facet conjuncts (and the mailbox scope) */
  facets: Sql[];
  preds: Sql[];
}

/** The shape the statement is built from: one driving MATCH (if any), a row id range, predicates. */
function plan(cond: SearchCond, scope: readonly string[] | undefined, reviewSetId?: number): Plan {
  const conjuncts = cond.op === 'and' ? cond.of : [cond];
  const pos: string[] = [];
  const neg: string[] = [];
  const out: Plan = { facets: [], preds: [] };
  for (const c of conjuncts) {
    const fts = c.op === 'not' ? undefined : ftsOf(c);
    if (fts) pos.push(fts);
    else if (c.op === 'not' && ftsOf(c.of)) neg.push(ftsOf(c.of)!);
    else if (c.op === 'after') out.lo = Math.max(out.lo ?? 0, c.time * SEARCH_ID_SLOTS);
    else if (c.op === 'before') out.hi = Math.min(out.hi ?? Number.MAX_SAFE_INTEGER, c.time * SEARCH_ID_SLOTS);
    else if (FACET_OPS.has(c.op)) out.facets.push(predicate(c));
    else if (c.op !== 'all') out.preds.push(predicate(c));
  }
  if (scope) out.facets.push(mailboxScopeSql(scope));
  if (reviewSetId !== undefined) out.facets.push(reviewSetSql(reviewSetId));
  if (pos.length === 0) {
    for (const n of neg) out.preds.push(sql`NOT ${fts5.ids(n)}`);
    return out;
  }
  out.match = neg.length > 0 ? `(${pos.join(' AND ')}) NOT (${neg.join(' OR ')})` : pos.join(' AND ');
  return out;
}

/** Facet candidates below this drive the query; above it the text index does. */
const FACET_DRIVE_MAX = 20_000;

/** The fewest items any one facet conjunct selects within the row id range (an upper bound). */
async function facetCandidates(db: Kysely<Database>, facets: Sql[], range: Sql[]): Promise<number> {
  const counts = await Promise.all(
    facets.map(async (f) => {
      const r = await sql<{ n: number }>`SELECT count(*) AS n FROM search_items s
        WHERE ${sql.join([f, ...range], sql` AND `)}`.execute(db);
      return Number(r.rows[0]?.n ?? 0);
    }),
  );
  return Math.min(...counts);
}

/**
 * A facet-driven query has at most FACET_DRIVE_MAX candidates: one pass lists the matching ids
 * (which is the total), and only the page's rows are read, instead of matching every candidate
 * against the text twice (once to count, once for the page).
 */
async function facetDrivenPage(
  db: Kysely<Database>,
  where: (extra: Sql[]) => Sql,
  opts: SearchQueryOptions,
): Promise<SearchQueryResult> {
  const ids = (
    await sql<{ id: number }>`SELECT s.id FROM search_items s WHERE ${where([])} ORDER BY s.id DESC`.execute(db)
  ).rows.map((r) => Number(r.id));
  const start = opts.after === undefined ? 0 : ids.findIndex((id) => id < opts.after!);
  const page = start < 0 ? [] : ids.slice(start, start + opts.limit);
  const more = start >= 0 && ids.length > start + opts.limit;
  const rows =
    page.length === 0
      ? []
      : (
          await sql<SearchItemRow>`SELECT s.* FROM search_items s WHERE s.id IN (${sql.join(page.map(rowId))})
            ORDER BY s.id DESC`.execute(db)
        ).rows;
  return { total: ids.length, rows, ...(more ? { next: page[page.length - 1]! } : {}) };
}

/**
 * The exact number of matches. The first page is read before it: when it is the whole result
 * (fewer rows than a page), its length is the total and the count is not run at all.
 */
async function totalOf(db: Kysely<Database>, countSql: RawBuilder<{ n: number }>, firstPage?: number): Promise<number> {
  if (firstPage !== undefined) return firstPage;
  return Number((await countSql.execute(db)).rows[0]?.n ?? 0);
}

/** One page of the items matching `cond`, and their exact total, on either dialect. */
export async function querySearch(
  db: Kysely<Database>,
  cond: SearchCond,
  opts: SearchQueryOptions,
): Promise<SearchQueryResult> {
  if (dialectKind(db) === 'postgres') return querySearchPg(db, cond, opts);
  const p = plan(cond, opts.mailboxScope, opts.reviewSetId);
  const range = (col: Sql): Sql[] => [
    ...(p.lo !== undefined ? [sql`${col} >= ${rowId(p.lo)}`] : []),
    ...(p.hi !== undefined ? [sql`${col} < ${rowId(p.hi)}`] : []),
  ];
  // Text-driven: FTS5 yields matches newest first and the rest is checked per candidate.
  // Facet-driven: a person's or a small mailbox's items in the date range, each checked against
  // the text by rowid.
  const facetDriven =
    p.match !== undefined &&
    p.facets.length > 0 &&
    (await facetCandidates(db, p.facets, range(sql`s.id`))) <= FACET_DRIVE_MAX;
  const textDriven = p.match !== undefined && !facetDriven;
  const idCol = textDriven ? sql`f.rowid` : sql`s.id`;
  const conds: Sql[] = [];
  if (textDriven) conds.push(sql`f.search_fts MATCH ${p.match}`);
  conds.push(...range(idCol));
  conds.push(...p.facets, ...p.preds);
  if (facetDriven)
    conds.push(sql`EXISTS (SELECT 1 FROM search_fts x WHERE x.search_fts MATCH ${p.match} AND x.rowid = s.id)`);
  const where = (extra: Sql[]): Sql => {
    const all = [...conds, ...extra];
    return all.length === 0 ? sql`1 = 1` : sql.join(all, sql` AND `);
  };
  const from = textDriven ? sql`search_fts f JOIN search_items s ON s.id = f.rowid` : sql`search_items s`;

  if (facetDriven && opts.sort !== 'relevance') return facetDrivenPage(db, where, opts);

  // Counting needs no item row when nothing but the text and the time decide.
  const countSql =
    textDriven && p.facets.length === 0 && p.preds.length === 0
      ? sql<{ n: number }>`SELECT count(*) AS n FROM search_fts f WHERE ${where([])}`
      : sql<{ n: number }>`SELECT count(*) AS n FROM ${from} WHERE ${where([])}`;

  const limit = opts.limit + 1;
  let rows: SearchItemRow[];
  if (opts.sort === 'relevance' && p.match !== undefined) {
    const offset = opts.after ?? 0;
    rows = (
      await sql<SearchItemRow>`SELECT s.* FROM search_fts f JOIN search_items s ON s.id = f.rowid
        WHERE ${sql.join(
          [sql`f.search_fts MATCH ${p.match}`, ...range(sql`f.rowid`), ...p.facets, ...p.preds],
          sql` AND `,
        )}
        ORDER BY bm25(search_fts), f.rowid DESC LIMIT ${limit} OFFSET ${offset}`.execute(db)
    ).rows;
    const more = rows.length > opts.limit;
    const total = await totalOf(db, countSql, offset === 0 && !more ? rows.length : undefined);
    rows = rows.slice(0, opts.limit);
    return { total, rows, ...(more ? { next: offset + opts.limit } : {}) };
  }
  const extra = opts.after !== undefined ? [sql`${idCol} < ${rowId(opts.after)}`] : [];
  rows = (
    await sql<SearchItemRow>`SELECT s.* FROM ${from} WHERE ${where(extra)} ORDER BY ${idCol} DESC LIMIT ${limit}`.execute(
      db,
    )
  ).rows;
  const more = rows.length > opts.limit;
  const total = await totalOf(db, countSql, opts.after === undefined && !more ? rows.length : undefined);
  rows = rows.slice(0, opts.limit);
  return { total, rows, ...(more ? { next: Number(rows[rows.length - 1]!.id) } : {}) };
}

/**
 * A condition as a SQL predicate over `search_items s`, for stores that select by it (legal
 * holds, review sets, exports), in the dialect of `db`.
 */
export function searchCondSql(cond: SearchCond, db: Kysely<Database>): Sql {
  return dialectKind(db) === 'postgres' ? pgCondSql(cond) : predicate(cond);
}
