/**
 * eDiscovery cases and their members. Who may see a case is decided from these rows: a
 * manager works only the cases listing them as a member.
 */
import type { Db } from './db.js';
import type { CaseTable } from './schema.js';

export type CaseRow = Omit<CaseTable, 'id'> & { id: number };

export async function insertCase(
  db: Db,
  c: { name: string; description: string; createdBy: string },
  now: number,
): Promise<number> {
  const r = await db
    .insertInto('cases')
    .values({
      name: c.name,
      description: c.description,
      status: 'active',
      created_by: c.createdBy,
      created_at: now,
      closed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function caseById(db: Db, id: number): Promise<CaseRow | undefined> {
  return (await db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirst()) as CaseRow | undefined;
}

/** Every case, or only those `member` belongs to; optionally only those with a status. */
export async function listCaseRows(db: Db, member?: string, status?: 'active' | 'closed'): Promise<CaseRow[]> {
  let q = db.selectFrom('cases').selectAll().orderBy('id');
  if (status !== undefined) q = q.where('status', '=', status);
  if (member !== undefined)
    q = q.where('id', 'in', db.selectFrom('case_members').select('case_id').where('username', '=', member));
  return (await q.execute()) as CaseRow[];
}

export async function setCaseStatus(db: Db, id: number, status: 'active' | 'closed', now: number): Promise<void> {
  await db
    .updateTable('cases')
    .set({ status, closed_at: status === 'closed' ? now : null })
    .where('id', '=', id)
    .execute();
}

export async function addCaseMember(db: Db, caseId: number, username: string, by: string, now: number): Promise<void> {
  await db
    .insertInto('case_members')
    .values({ case_id: caseId, username, added_by: by, added_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function removeCaseMember(db: Db, caseId: number, username: string): Promise<boolean> {
  const r = await db
    .deleteFrom('case_members')
    .where('case_id', '=', caseId)
    .where('username', '=', username)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function caseMembers(
  db: Db,
  caseId: number,
): Promise<{ username: string; addedBy: string; addedAt: number }[]> {
  const rows = await db
    .selectFrom('case_members')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('username')
    .execute();
  return rows.map((r) => ({ username: r.username, addedBy: r.added_by, addedAt: Number(r.added_at) }));
}

export async function isCaseMember(db: Db, caseId: number, username: string): Promise<boolean> {
  const r = await db
    .selectFrom('case_members')
    .select('case_id')
    .where('case_id', '=', caseId)
    .where('username', '=', username)
    .executeTakeFirst();
  return r !== undefined;
}

/** Whether the review set holds the item (what a route naming both may show). */
export async function reviewSetHasItem(db: Db, reviewSetId: number, itemKey: string): Promise<boolean> {
  const r = await db
    .selectFrom('review_set_items')
    .select('item_key')
    .where('review_set_id', '=', reviewSetId)
    .where('item_key', '=', itemKey)
    .executeTakeFirst();
  return r !== undefined;
}

/** The case a review set belongs to, and whether `username` is assigned to review it. */
export async function reviewSetAccess(
  db: Db,
  reviewSetId: number,
  username: string,
): Promise<{ caseId: number; assigned: boolean } | undefined> {
  const set = await db.selectFrom('review_sets').select('case_id').where('id', '=', reviewSetId).executeTakeFirst();
  if (!set) return undefined;
  const a = await db
    .selectFrom('review_set_reviewers')
    .select('username')
    .where('review_set_id', '=', reviewSetId)
    .where('username', '=', username)
    .executeTakeFirst();
  return { caseId: Number(set.case_id), assigned: a !== undefined };
}
