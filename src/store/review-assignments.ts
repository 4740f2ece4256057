/**
 * Who reviews which review set: the assignments a case's managers make, and the sets one
 * reviewer is assigned to across every case (their "My review" page).
 */
import { sql } from 'kysely';
import type { Db } from './db.js';

export async function assignReviewer(db: Db, reviewSetId: number, username: string): Promise<void> {
  await db
    .insertInto('review_set_reviewers')
    .values({ review_set_id: reviewSetId, username })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** False when the user was not assigned. */
export async function unassignReviewer(db: Db, reviewSetId: number, username: string): Promise<boolean> {
  const r = await db
    .deleteFrom('review_set_reviewers')
    .where('review_set_id', '=', reviewSetId)
    .where('username', '=', username)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function reviewersOf(db: Db, reviewSetIds: readonly number[]): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>();
  if (reviewSetIds.length === 0) return out;
  const rows = await db
    .selectFrom('review_set_reviewers')
    .selectAll()
    .where('review_set_id', 'in', [...reviewSetIds])
    .orderBy('username')
    .execute();
  for (const r of rows) out.set(Number(r.review_set_id), [...(out.get(Number(r.review_set_id)) ?? []), r.username]);
  return out;
}

export interface ReviewSetSummaryRow {
  id: number;
  name: string;
  caseId: number;
  caseName: string;
  caseStatus: string;
  items: number;
  /** items carrying at least one tag */
  tagged: number;
  createdAt: number;
}

function summaries(db: Db) {
  return db
    .selectFrom('review_sets as r')
    .innerJoin('cases as c', 'c.id', 'r.case_id')
    .select((eb) => [
      'r.id',
      'r.name',
      'r.case_id',
      'r.created_at',
      'c.name as case_name',
      'c.status as case_status',
      eb
        .selectFrom('review_set_items as i')
        .whereRef('i.review_set_id', '=', 'r.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('items'),
      eb
        .selectFrom('review_tags as t')
        .whereRef('t.review_set_id', '=', 'r.id')
        .select(sql<number>`count(DISTINCT t.item_key)`.as('n'))
        .as('tagged'),
    ]);
}

type SummarySelect = Awaited<ReturnType<ReturnType<typeof summaries>['execute']>>[number];

function toSummary(r: SummarySelect): ReviewSetSummaryRow {
  return {
    id: Number(r.id),
    name: r.name,
    caseId: Number(r.case_id),
    caseName: r.case_name,
    caseStatus: r.case_status,
    items: Number(r.items ?? 0),
    tagged: Number(r.tagged ?? 0),
    createdAt: Number(r.created_at),
  };
}

/** The review sets `username` is assigned to, in every case, newest case first. */
export async function reviewSetsAssignedTo(db: Db, username: string): Promise<ReviewSetSummaryRow[]> {
  const rows = await summaries(db)
    .where('r.id', 'in', (eb) =>
      eb.selectFrom('review_set_reviewers').select('review_set_id').where('username', '=', username),
    )
    .orderBy('r.case_id', 'desc')
    .orderBy('r.id')
    .execute();
  return rows.map(toSummary);
}

export async function reviewSetSummary(db: Db, reviewSetId: number): Promise<ReviewSetSummaryRow | undefined> {
  const r = await summaries(db).where('r.id', '=', reviewSetId).executeTakeFirst();
  return r ? toSummary(r) : undefined;
}
