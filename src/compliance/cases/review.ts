/**
 * Searches and review inside a case: saved searches with their counts (items, mailboxes, bytes,
 * by type), review sets filled from them, bulk tagging with the case's tags (tags.ts) and
 * comments. A closed case is read-only here (case-status.ts). Every change and every review
 * listing is audited.
 */
import { ArchiverError } from '../../core/errors.js';
import {
  addMatchesToReviewSet,
  insertComment,
  insertReviewSet,
  insertSavedSearch,
  reviewersOf,
  reviewItemKeysIn,
  reviewSetSummary,
  reviewItems,
  reviewSetsOf,
  savedSearchesOf,
  searchCounts,
  setTags,
  updateSavedSearchCounts,
  type Db,
} from '../../store/index.js';
import { appendAudit, type AuditAction } from '../audit/index.js';
import { compileQuery } from '../search/query-compile.js';
import { parseQuery } from '../search/query-parse.js';
import { inOpenCase, requireActiveCase } from './case-status.js';
import { ipOf, type Actor } from './cases.js';
import { requireUsableTag } from './tags.js';
import type { ReviewPage, ReviewSetView, SavedSearchView, SearchCounts } from './types.js';

async function audit(
  db: Db,
  actor: Actor,
  action: AuditAction,
  target: string,
  detail: Record<string, unknown>,
  now: number,
) {
  await appendAudit(db, { actor: actor.username, action, target, detail, ...ipOf(actor) }, now);
}

/** The case of a review set, refused when the case is closed. */
export async function activeCaseOfSet(db: Db, reviewSetId: number): Promise<number> {
  const set = await reviewSetSummary(db, reviewSetId);
  if (!set) throw new ArchiverError('WXA_NOT_FOUND', `no review set has id ${reviewSetId}`);
  await requireActiveCase(db, set.caseId);
  return set.caseId;
}

export async function saveSearch(db: Db, caseId: number, name: string, query: string, actor: Actor, now = Date.now()) {
  await requireActiveCase(db, caseId);
  const counts = await searchCounts(db, compileQuery(parseQuery(query)));
  const id = await inOpenCase(db, caseId, (tx) =>
    insertSavedSearch(tx, { caseId, name, query, counts, by: actor.username }, now),
  );
  await audit(db, actor, 'case.search.save', String(caseId), { searchId: id, query, items: counts.items }, now);
  return { id, caseId, name, query, counts, runAt: new Date(now).toISOString() };
}

export async function listSavedSearches(db: Db, caseId: number): Promise<SavedSearchView[]> {
  return (await savedSearchesOf(db, caseId)).map((s) => ({
    id: Number(s.id),
    name: s.name,
    query: s.query,
    counts: JSON.parse(s.counts_json ?? 'null') as SearchCounts | null,
    runAt: s.run_at === null ? null : new Date(Number(s.run_at)).toISOString(),
    createdBy: s.created_by,
  }));
}

async function savedSearch(db: Db, caseId: number, searchId: number) {
  const s = (await savedSearchesOf(db, caseId)).find((x) => Number(x.id) === searchId);
  if (!s) throw new ArchiverError('WXA_NOT_FOUND', `case ${caseId} has no saved search ${searchId}`);
  return s;
}

export async function rerunSearch(db: Db, caseId: number, searchId: number, actor: Actor, now = Date.now()) {
  await requireActiveCase(db, caseId);
  const s = await savedSearch(db, caseId, searchId);
  const counts = await searchCounts(db, compileQuery(parseQuery(s.query)));
  await inOpenCase(db, caseId, (tx) => updateSavedSearchCounts(tx, searchId, counts, now));
  await audit(db, actor, 'case.search.run', String(caseId), { searchId, query: s.query, items: counts.items }, now);
  return { id: searchId, caseId, name: s.name, query: s.query, counts, runAt: new Date(now).toISOString() };
}

export async function createReviewSet(db: Db, caseId: number, name: string, actor: Actor, now = Date.now()) {
  await requireActiveCase(db, caseId);
  if (name.trim() === '') throw new ArchiverError('WXA_INPUT_INVALID', 'name: give the review set a name');
  const id = await inOpenCase(db, caseId, (tx) => insertReviewSet(tx, caseId, name.trim(), actor.username, now));
  await audit(db, actor, 'review-set.create', String(id), { caseId, name }, now);
  return { id, caseId, name: name.trim() };
}

export async function listReviewSets(db: Db, caseId: number): Promise<ReviewSetView[]> {
  const sets = await reviewSetsOf(db, caseId);
  const reviewers = await reviewersOf(
    db,
    sets.map((r) => Number(r.id)),
  );
  return sets.map((r) => ({
    id: Number(r.id),
    name: r.name,
    items: Number(r.items ?? 0),
    reviewers: reviewers.get(Number(r.id)) ?? [],
    createdBy: r.created_by,
    createdAt: new Date(Number(r.created_at)).toISOString(),
  }));
}

/** Adds a saved search's current results to a review set. */
export async function addSearchToReviewSet(
  db: Db,
  caseId: number,
  reviewSetId: number,
  searchId: number,
  actor: Actor,
  now = Date.now(),
): Promise<{ added: number }> {
  await requireActiveCase(db, caseId);
  const s = await savedSearch(db, caseId, searchId);
  const cond = compileQuery(parseQuery(s.query));
  const added = await inOpenCase(db, caseId, (tx) => addMatchesToReviewSet(tx, reviewSetId, cond, actor.username, now));
  await audit(db, actor, 'review-set.add', String(reviewSetId), { caseId, searchId, added }, now);
  return { added };
}

/** Tags (or untags) items of the set in bulk; items not in the set are refused by name. */
export async function tagItems(
  db: Db,
  reviewSetId: number,
  req: { itemKeys: string[]; tag: string; remove?: boolean },
  actor: Actor,
  now = Date.now(),
): Promise<{ tagged: number }> {
  const caseId = await activeCaseOfSet(db, reviewSetId);
  await requireUsableTag(db, caseId, req.tag, !req.remove);
  const keys = [...new Set(req.itemKeys)];
  const inSet = await reviewItemKeysIn(db, reviewSetId, keys);
  const outside = keys.filter((k) => !inSet.has(k));
  if (outside.length > 0)
    throw new ArchiverError('WXA_INPUT_INVALID', `itemKeys: ${outside[0]} is not in review set ${reviewSetId}`);
  await inOpenCase(db, caseId, (tx) => setTags(tx, reviewSetId, keys, req.tag, !req.remove, actor.username, now));
  await audit(
    db,
    actor,
    req.remove ? 'review.untag' : 'review.tag',
    String(reviewSetId),
    { tag: req.tag, itemKeys: keys },
    now,
  );
  return { tagged: keys.length };
}

export async function commentItem(
  db: Db,
  reviewSetId: number,
  itemKey: string,
  body: string,
  actor: Actor,
  now = Date.now(),
): Promise<{ id: number }> {
  if (body.trim() === '' || body.length > 10_000)
    throw new ArchiverError('WXA_INPUT_INVALID', 'body: a comment is 1 to 10,000 characters');
  const caseId = await activeCaseOfSet(db, reviewSetId);
  if (!(await reviewItemKeysIn(db, reviewSetId, [itemKey])).has(itemKey))
    throw new ArchiverError('WXA_INPUT_INVALID', `itemKey: ${itemKey} is not in review set ${reviewSetId}`);
  const id = await inOpenCase(db, caseId, (tx) =>
    insertComment(tx, { reviewSetId, itemKey, author: actor.username, body }, now),
  );
  await audit(db, actor, 'review.comment', String(reviewSetId), { itemKey, commentId: id }, now);
  return { id };
}

/** A page of the set (optionally one tag's items); the view is audited with what was shown. */
export async function viewReviewSet(
  db: Db,
  reviewSetId: number,
  opts: { tag?: string; limit?: number; offset?: number },
  actor: Actor,
  now = Date.now(),
): Promise<ReviewPage> {
  const page = await reviewItems(db, reviewSetId, {
    ...(opts.tag ? { tag: opts.tag } : {}),
    limit: Math.min(500, Math.max(1, opts.limit ?? 50)),
    offset: Math.max(0, opts.offset ?? 0),
  });
  await audit(
    db,
    actor,
    'review.view',
    String(reviewSetId),
    { ...(opts.tag ? { tag: opts.tag } : {}), items: page.items.map((i) => i.itemKey) },
    now,
  );
  return {
    total: page.total,
    items: page.items.map((i) => ({
      ...i,
      msgTime: new Date(i.msgTime).toISOString(),
      comments: i.comments.map((c) => ({ ...c, at: new Date(c.at).toISOString() })),
    })),
  };
}
