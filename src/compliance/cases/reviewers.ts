/**
 * Reviewers and the review sets they work: a case's managers assign reviewers to a set (or take
 * them off it), and a reviewer opens "My review", the sets assigned to them across every case.
 * A reviewer reaches only those sets; the route access hook enforces it (server/case-access.ts).
 */
import { ArchiverError } from '../../core/errors.js';
import {
  assignReviewer,
  reviewersOf,
  reviewSetsAssignedTo,
  reviewSetSummary,
  unassignReviewer,
  type Db,
  type ReviewSetSummaryRow,
} from '../../store/index.js';
import { appendAudit } from '../audit/index.js';
import { inOpenCase, requireActiveCase } from './case-status.js';
import { ipOf, type Actor } from './cases.js';
import { listCaseTags } from './tags.js';
import type { ReviewSetDetail, ReviewSetSummary } from './types.js';

function summaryView(r: ReviewSetSummaryRow): ReviewSetSummary {
  return {
    id: r.id,
    name: r.name,
    caseId: r.caseId,
    caseName: r.caseName,
    caseStatus: r.caseStatus === 'closed' ? 'closed' : 'active',
    items: r.items,
    tagged: r.tagged,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}

async function requireSetOfCase(db: Db, caseId: number, reviewSetId: number): Promise<ReviewSetSummaryRow> {
  const s = await reviewSetSummary(db, reviewSetId);
  if (!s || s.caseId !== caseId)
    throw new ArchiverError('WXA_NOT_FOUND', `case ${caseId} has no review set ${reviewSetId}`);
  return s;
}

export async function myReviewSets(db: Db, username: string): Promise<ReviewSetSummary[]> {
  return (await reviewSetsAssignedTo(db, username)).map(summaryView);
}

export async function showReviewSet(db: Db, reviewSetId: number): Promise<ReviewSetDetail> {
  const s = await reviewSetSummary(db, reviewSetId);
  if (!s) throw new ArchiverError('WXA_NOT_FOUND', `no review set has id ${reviewSetId}`);
  return {
    ...summaryView(s),
    reviewers: (await reviewersOf(db, [reviewSetId])).get(reviewSetId) ?? [],
    tags: await listCaseTags(db, s.caseId),
  };
}

/**
 * Assigns (present) or unassigns a reviewer. Whether `username` is an account that may review is
 * the caller's to check (accounts live in security/); this checks the case and the set.
 */
export async function setReviewer(
  db: Db,
  caseId: number,
  reviewSetId: number,
  username: string,
  present: boolean,
  actor: Actor,
  now = Date.now(),
): Promise<void> {
  await requireActiveCase(db, caseId);
  await requireSetOfCase(db, caseId, reviewSetId);
  const changed = await inOpenCase(db, caseId, async (tx) => {
    if (present) await assignReviewer(tx, reviewSetId, username);
    else return unassignReviewer(tx, reviewSetId, username);
    return true;
  });
  if (!changed) throw new ArchiverError('WXA_NOT_FOUND', `${username} is not assigned to review set ${reviewSetId}`);
  await appendAudit(
    db,
    {
      actor: actor.username,
      action: present ? 'review-set.assign' : 'review-set.unassign',
      target: String(reviewSetId),
      detail: { caseId, username },
      ...ipOf(actor),
    },
    now,
  );
}
