/**
 * The SearchIndex seam: index items, remove items, query. The embedded implementation keeps
 * its SQL in store/ (search-index.ts, search-query.ts); a PostgreSQL one would take the same
 * rows (same tokens from tokenize.ts) and answer the same condition trees.
 */
import type { Db } from '../../store/db.js';
import { inSearchTransaction, removeSearchRows, writeSearchRows } from '../../store/search-index.js';
import { compactSearchIndexStep, setSearchBulkLoad } from '../../store/search-reindex.js';
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

/** The embedded index, on the archive's SQLite database. */
export function embeddedSearchIndex(db: Db, now: () => number = Date.now): SearchIndex {
  return {
    index: async (docs) => {
      const rows = docs.map(searchRowOf);
      inSearchTransaction(db, () => writeSearchRows(db, rows, now()));
    },
    remove: async (keys) => inSearchTransaction(db, () => removeSearchRows(db, keys)),
    query: (query, page) => querySearch(db, compileQuery(query), page),
    beginBulkLoad: async () => setSearchBulkLoad(db, true),
    compact: async () => {
      setSearchBulkLoad(db, false);
      // Yield between steps: SQLite answers synchronously, and a serving process must answer
      // requests while the index is being merged.
      while (compactSearchIndexStep(db)) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
