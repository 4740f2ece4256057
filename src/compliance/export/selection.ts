/**
 * What an export covers: a query (the search syntax; with a case, one of its saved searches), a
 * case (everything its active holds preserve), or a review set of a case (optionally only items
 * with some tags). Resolved once, to item keys in sent-time order.
 */
import { ArchiverError } from '../../core/errors.js';
import { caseQueryHolds, exportKeyPages, reviewSetAccess, type ExportKeyPage, type Store } from '../../store/index.js';
import type { SearchCond } from '../../store/search-query.js';
import { requireCase } from '../cases/cases.js';
import { compileQuery } from '../search/query-compile.js';
import { parseQuery } from '../search/query-parse.js';

export interface ExportRequest {
  query?: string;
  caseId?: number;
  reviewSetId?: number;
  tags?: readonly string[];
}

/**
 * The selection's case name and its item keys in export order, a page at a time (read as the
 * journal's key list is written, never held whole), with their rowids where the archive has them.
 */
export async function resolveSelection(
  store: Store,
  req: ExportRequest,
): Promise<{ keys: AsyncIterable<ExportKeyPage>; caseName: string | null }> {
  const db = store.db;
  const caseName = req.caseId !== undefined ? (await requireCase(db, req.caseId)).name : null;
  if (req.query !== undefined) {
    // A query with a case is a saved search of that case (the console's exports): the case is
    // recorded as the export's context; the query decides what is exported.
    if (req.reviewSetId !== undefined)
      throw new ArchiverError('WXA_INPUT_INVALID', 'export: give a query or a review set, not both');
    return { keys: exportKeyPages(db, { kind: 'query', cond: compileQuery(parseQuery(req.query)) }), caseName };
  }
  if (req.caseId === undefined) throw new ArchiverError('WXA_INPUT_INVALID', 'export: give --query Q or --case ID');
  if (req.reviewSetId !== undefined) {
    const set = await reviewSetAccess(db, req.reviewSetId, '');
    if (!set || set.caseId !== req.caseId)
      throw new ArchiverError('WXA_NOT_FOUND', `case ${req.caseId} has no review set ${req.reviewSetId}`);
    const keys = exportKeyPages(db, {
      kind: 'review-set',
      reviewSetId: req.reviewSetId,
      ...(req.tags ? { tags: req.tags } : {}),
    });
    return { keys, caseName };
  }
  const holds = (await caseQueryHolds(db, req.caseId)).map((h): SearchCond => ({
    op: 'and',
    of: [
      h.cond,
      ...(h.from !== null ? [{ op: 'after' as const, time: h.from }] : []),
      ...(h.to !== null ? [{ op: 'before' as const, time: h.to }] : []),
    ],
  }));
  return { keys: exportKeyPages(db, { kind: 'case', caseId: req.caseId, holds }), caseName };
}
