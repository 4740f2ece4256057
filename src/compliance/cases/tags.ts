/**
 * The review tags of a case: the built-in ones every case has (as in Purview's default tag
 * panel) and the custom ones an eDiscovery administrator adds, renames and retires for that
 * case. A retired tag cannot be applied any more but stays on the items already tagged with it
 * (a reviewer's past decision is a record, not a setting), and can still be filtered on or
 * restored. Every change is audited.
 */
import { ArchiverError } from '../../core/errors.js';
import {
  caseTagById,
  caseTagRows,
  caseTagUsage,
  insertCaseTag,
  renameCaseTag,
  setCaseTagRetired,
  type CaseTagRow,
  type Db,
} from '../../store/index.js';
import type { AuditAction } from '../audit/actions.js';
import { appendAudit } from '../audit/index.js';
import { ipOf, type Actor } from './cases.js';
import { inOpenCase, requireActiveCase } from './case-status.js';
import type { CaseTagView } from './types.js';

export const BUILT_IN_TAGS = ['responsive', 'not-responsive', 'privileged', 'needs-second-look'] as const;

function customView(r: CaseTagRow, items: number): CaseTagView {
  return {
    id: r.id,
    name: r.name,
    builtIn: false,
    retired: r.retired_at !== null,
    items,
    createdBy: r.created_by,
    createdAt: new Date(Number(r.created_at)).toISOString(),
    ...(r.retired_by !== null ? { retiredBy: r.retired_by } : {}),
    ...(r.retired_at !== null ? { retiredAt: new Date(Number(r.retired_at)).toISOString() } : {}),
  };
}

/** Built-in tags first, in their usual order, then the case's own by name. */
export async function listCaseTags(db: Db, caseId: number): Promise<CaseTagView[]> {
  const usage = await caseTagUsage(db, caseId);
  return [
    ...BUILT_IN_TAGS.map((name) => ({ name, builtIn: true, retired: false, items: usage.get(name) ?? 0 })),
    ...(await caseTagRows(db, caseId)).map((r) => customView(r, usage.get(r.name) ?? 0)),
  ];
}

/** Refuses a tag name that is malformed or already taken in the case (built-in or custom, retired too). */
async function freeName(db: Db, caseId: number, raw: string): Promise<string> {
  const name = raw.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N} _-]{0,49}$/u.test(name))
    throw new ArchiverError(
      'WXA_INPUT_INVALID',
      `name: "${raw}" is not a tag name: 1 to 50 letters, digits, spaces, - or _, starting with a letter or digit`,
    );
  const lower = name.toLowerCase();
  const taken =
    (BUILT_IN_TAGS as readonly string[]).includes(lower) ||
    (await caseTagRows(db, caseId)).some((r) => r.name.toLowerCase() === lower);
  if (taken)
    throw new ArchiverError(
      'WXA_REVIEW_TAG_EXISTS',
      `case ${caseId} already has a tag named "${name}"; choose another name or restore the retired one`,
    );
  return name;
}

export async function addCaseTag(
  db: Db,
  caseId: number,
  rawName: string,
  actor: Actor,
  now = Date.now(),
): Promise<CaseTagView> {
  await requireActiveCase(db, caseId);
  // Checked and added with the case row locked, and only while the case is open: another
  // process adding a tag to it, or closing it, waits.
  const { id, name } = await inOpenCase(db, caseId, async (tx) => {
    const free = await freeName(tx, caseId, rawName);
    return { id: await insertCaseTag(tx, caseId, free, actor.username, now), name: free };
  });
  await appendAudit(
    db,
    {
      actor: actor.username,
      action: 'review.tag.add',
      target: String(caseId),
      detail: { caseId, tagId: id, name },
      ...ipOf(actor),
    },
    now,
  );
  return customView((await caseTagById(db, id))!, 0);
}

async function requireCaseTag(db: Db, caseId: number, tagId: number): Promise<CaseTagRow> {
  const t = await caseTagById(db, tagId);
  if (!t || Number(t.case_id) !== caseId)
    throw new ArchiverError('WXA_NOT_FOUND', `case ${caseId} has no custom tag ${tagId}; built-in tags cannot change`);
  return t;
}

/** Renames, retires (retired: true) or restores (retired: false) a custom tag of the case. */
export async function changeCaseTag(
  db: Db,
  caseId: number,
  tagId: number,
  change: { name?: string; retired?: boolean },
  actor: Actor,
  now = Date.now(),
): Promise<CaseTagView> {
  await requireActiveCase(db, caseId);
  const tag = await requireCaseTag(db, caseId, tagId);
  if (change.name === undefined && change.retired === undefined)
    throw new ArchiverError('WXA_INPUT_INVALID', 'give a new name, retired: true or retired: false');
  const audit = (action: AuditAction, detail: Record<string, unknown>) =>
    appendAudit(
      db,
      { actor: actor.username, action, target: String(caseId), detail: { caseId, tagId, ...detail }, ...ipOf(actor) },
      now,
    );
  let name = tag.name;
  if (change.name !== undefined && change.name.trim() !== tag.name) {
    const to = change.name;
    // Checked and renamed with the case row locked; the old name is read there too, so two
    // renames at once each rename what the other left.
    const { from, items } = await inOpenCase(db, caseId, async (tx) => {
      name = await freeName(tx, caseId, to);
      return renameCaseTag(tx, tagId, name);
    });
    await audit('review.tag.rename', { from, to: name, items });
  }
  const retired = tag.retired_at !== null;
  if (change.retired !== undefined && change.retired !== retired) {
    await inOpenCase(db, caseId, (tx) => setCaseTagRetired(tx, tagId, change.retired ? actor.username : null, now));
    await audit(change.retired ? 'review.tag.retire' : 'review.tag.restore', { name });
  }
  const usage = await caseTagUsage(db, caseId);
  return customView((await caseTagById(db, tagId))!, usage.get(name) ?? 0);
}

/**
 * Whether `tag` may be applied to (apply) or removed from (!apply) items of the case: any
 * tag of the case may be removed, only a built-in or active custom one applied.
 */
export async function requireUsableTag(db: Db, caseId: number, tag: string, apply: boolean): Promise<void> {
  if ((BUILT_IN_TAGS as readonly string[]).includes(tag)) return;
  const t = (await caseTagRows(db, caseId)).find((r) => r.name === tag);
  if (!t)
    throw new ArchiverError(
      'WXA_INPUT_INVALID',
      `tag: "${tag}" is not a tag of case ${caseId}; ask an eDiscovery administrator to add it`,
    );
  if (apply && t.retired_at !== null)
    throw new ArchiverError(
      'WXA_REVIEW_TAG_RETIRED',
      `tag: "${tag}" was retired on ${new Date(Number(t.retired_at)).toISOString()} by ${t.retired_by}; ` +
        'it stays on items already tagged but cannot be applied again',
    );
}
