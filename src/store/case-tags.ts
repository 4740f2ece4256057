/**
 * A case's custom review tags. Items carry a tag by name (review_tags.tag), which is what
 * exports and filters read, so renaming a tag renames it on every item of the case's review
 * sets in the same transaction: the tag keeps its items, and no item keeps a name that no
 * longer exists.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';
import { inTransaction } from './ingest-log.js';
import type { CaseTagTable } from './schema.js';

export type CaseTagRow = Omit<CaseTagTable, 'id'> & { id: number };

export async function caseTagRows(db: Db, caseId: number): Promise<CaseTagRow[]> {
  return (await db
    .selectFrom('case_tags')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('name')
    .execute()) as CaseTagRow[];
}

export async function caseTagById(db: Db, id: number): Promise<CaseTagRow | undefined> {
  return (await db.selectFrom('case_tags').selectAll().where('id', '=', id).executeTakeFirst()) as
    CaseTagRow | undefined;
}

export async function insertCaseTag(db: Db, caseId: number, name: string, by: string, now: number): Promise<number> {
  const r = await db
    .insertInto('case_tags')
    .values({ case_id: caseId, name, created_by: by, created_at: now, retired_by: null, retired_at: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

/**
 * Renames the tag and every use of it in the case's review sets; returns the name it had (read
 * in the same transaction) and how many items it was on.
 */
export async function renameCaseTag(db: Db, id: number, to: string): Promise<{ from: string; items: number }> {
  return inTransaction(db, async (tx) => {
    const tag = await tx
      .selectFrom('case_tags')
      .select(['case_id', 'name'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await tx.updateTable('case_tags').set({ name: to }).where('id', '=', id).execute();
    const r = await tx
      .updateTable('review_tags')
      .set({ tag: to })
      .where('tag', '=', tag.name)
      .where('review_set_id', 'in', (eb) =>
        eb.selectFrom('review_sets').select('id').where('case_id', '=', Number(tag.case_id)),
      )
      .executeTakeFirst();
    return { from: tag.name, items: Number(r.numUpdatedRows) };
  });
}

/** Retires (by set) or restores (by null) a tag. */
export async function setCaseTagRetired(db: Db, id: number, by: string | null, now: number): Promise<void> {
  await db
    .updateTable('case_tags')
    .set({ retired_by: by, retired_at: by === null ? null : now })
    .where('id', '=', id)
    .execute();
}

/** How many items of the case carry each tag name. */
export async function caseTagUsage(db: Db, caseId: number): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('review_tags as t')
    .innerJoin('review_sets as r', 'r.id', 't.review_set_id')
    .where('r.case_id', '=', caseId)
    // An item in two review sets of the case, tagged in both, is one item.
    .select(['t.tag', sql<number>`count(DISTINCT t.item_key)`.as('n')])
    .groupBy('t.tag')
    .execute();
  return new Map(rows.map((r) => [r.tag, Number(r.n)]));
}
