/**
 * Cases: create, list and show, each change audited. Who sees which case is decided by the
 * caller's scope: an eDiscovery administrator sees every case, a manager only those listing
 * them as a member (the route access hook enforces the same rule per route).
 */
import { ArchiverError } from '../../core/errors.js';
import {
  addCaseMember,
  caseById,
  caseMembers,
  insertCase,
  legalHolds,
  listCaseRows,
  removeCaseMember,
  type CaseRow,
  type Db,
} from '../../store/index.js';
import { appendAudit } from '../audit/index.js';
import { holdView } from './holds.js';
import type { CaseDetail, CaseView } from './types.js';

export interface Actor {
  username: string;
  ip?: string;
}

export function caseView(c: CaseRow): CaseView {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    status: c.status === 'closed' ? 'closed' : 'active',
    createdBy: c.created_by,
    createdAt: new Date(Number(c.created_at)).toISOString(),
    ...(c.closed_at !== null ? { closedAt: new Date(Number(c.closed_at)).toISOString() } : {}),
  };
}

export async function createCase(
  db: Db,
  input: { name: string; description?: string; members?: string[] },
  actor: Actor,
  now = Date.now(),
): Promise<CaseView> {
  const name = input.name.trim();
  if (name === '' || name.length > 200)
    throw new ArchiverError('WXA_INPUT_INVALID', 'name: give the case a name of 1 to 200 characters');
  const id = await insertCase(db, { name, description: input.description ?? '', createdBy: actor.username }, now);
  // The creator works the case: a manager could not otherwise see the case they just made.
  for (const m of new Set([actor.username, ...(input.members ?? [])]))
    await addCaseMember(db, id, m, actor.username, now);
  await appendAudit(
    db,
    { actor: actor.username, action: 'case.create', target: String(id), detail: { name }, ...ipOf(actor) },
    now,
  );
  return caseView((await caseById(db, id))!);
}

export function ipOf(actor: Actor): { ip?: string } {
  return actor.ip ? { ip: actor.ip } : {};
}

export async function requireCase(db: Db, id: number): Promise<CaseRow> {
  const c = Number.isSafeInteger(id) ? await caseById(db, id) : undefined;
  if (!c) throw new ArchiverError('WXA_NOT_FOUND', `no case has id ${id}; see \`case list\``);
  return c;
}

/** Every case (member undefined), or those `member` belongs to; optionally only active or closed ones. */
export async function listCases(db: Db, member?: string, status?: 'active' | 'closed'): Promise<CaseView[]> {
  return (await listCaseRows(db, member, status)).map(caseView);
}

export async function showCase(db: Db, id: number): Promise<CaseDetail> {
  const c = await requireCase(db, id);
  const holds = await Promise.all((await legalHolds(db, { caseIds: [id] })).map((h) => holdView(db, h)));
  const custodians = [
    ...new Set(holds.filter((h) => h.kind === 'custodian' && h.status === 'active').map((h) => h.custodian!)),
  ];
  return {
    ...caseView(c),
    members: (await caseMembers(db, id)).map((m) => ({ ...m, addedAt: new Date(m.addedAt).toISOString() })),
    custodians,
    holds,
  };
}

export async function setMember(
  db: Db,
  caseId: number,
  username: string,
  present: boolean,
  actor: Actor,
  now = Date.now(),
): Promise<void> {
  await requireCase(db, caseId);
  if (present) await addCaseMember(db, caseId, username, actor.username, now);
  else await removeCaseMember(db, caseId, username);
  await appendAudit(
    db,
    {
      actor: actor.username,
      action: present ? 'case.member.add' : 'case.member.remove',
      target: String(caseId),
      detail: { username },
      ...ipOf(actor),
    },
    now,
  );
}
