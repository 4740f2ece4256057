/**
 * The SearchIndex seam: index items, remove items, query. Its SQL is in store/ (search-index.ts,
 * search-query.ts), for the archive's database whichever it is: FTS5 on SQLite, a tsvector with
 * a GIN index on PostgreSQL (search-index-pg.ts, search-query-pg.ts), from the same rows and
 * tokens (tokenize.ts) and answering the same condition trees, so callers never ask which.
 */
import { dialectKind, type Db } from '../../store/db.js';
import { indexSearchRows, unindexSearchRows } from '../../store/search-index.js';
import { compactSearchIndexStep, setSearchBulkLoad, settleSearchIndexPg } from '../../store/search-reindex.js';
import { querySearch, type SearchQueryOptions, type SearchQueryResult } from '../../store/search-query.js';
import { searchRowOf, type SearchDocument } from './document.js';
import type { QueryNode } from './query-ast.js';
import { compileQuery } from './query-compile.js';

export interface SearchIndex {
  /** adds items, or replaces them when already indexed */
  index(docs: readonly SearchDocument[]): Promise<void>;
  /** removes items by item key; returns how many were indexed */
  remove(itemKeys: readonly string[]): Promise<number>;
  query(query: QueryNode, page: SearchQueryOptions): Promise<SearchQueryResult>;
  /** Before a bulk load (a rebuild): segments are merged less often until compact(). */
  beginBulkLoad(): Promise<void>;
  /**
   * After a bulk load: ends it and reorganises the index for the fastest queries, in short steps that let
   * other writers and readers in between.
   */
  compact(): Promise<void>;
}

/** The archive's index, in the archive's database (SQLite or PostgreSQL). */
export function embeddedSearchIndex(db: Db, now: () => number = Date.now): SearchIndex {
  return {
    index: (docs) => indexSearchRows(db, docs.map(searchRowOf), now()),
    remove: (keys) => unindexSearchRows(db, keys),
    query: (query, page) => querySearch(db, compileQuery(query), page),
    beginBulkLoad: async () => setSearchBulkLoad(db, true),
    compact: async () => {
      if (dialectKind(db) === 'postgres') return settleSearchIndexPg(db);
      setSearchBulkLoad(db, false);
      // Yield between steps: SQLite answers synchronously, and a serving process must answer
      // requests while the index is being merged.
      while (compactSearchIndexStep(db)) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
