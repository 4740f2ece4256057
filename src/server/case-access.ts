/**
 * Case scoping, decided in the access hook from the MATCHED route's parameters, so no handler
 * can forget it: a route with a `:caseId` parameter is reachable only by members of that case,
 * a route with a `:reviewSetId` parameter only by the reviewers assigned to that set and the
 * members of its case; eDiscovery administrators (cases:all) reach every case. A route naming
 * both a review set and an `:itemKey` reaches only an item of that set, whoever asks, so a
 * reviewer cannot open another item (or its conversation) through a set they do work (404: the
 * set's items are no secret to them, so naming a missing one reveals nothing). A case
 * that does not exist is refused like one the user may not see, so ids reveal nothing.
 */
import { can } from '../security/index.js';
import { isCaseMember, reviewSetAccess, reviewSetHasItem, type Db } from '../store/index.js';
import type { SessionUser } from './contract.js';

function idOf(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

export interface ScopeRefusal {
  status: 403 | 404;
  message: string;
}

const forbidden = (message: string): ScopeRefusal => ({ status: 403, message });

async function setRefusal(
  db: Db,
  user: SessionUser,
  params: Record<string, string | undefined>,
): Promise<ScopeRefusal | undefined> {
  const setId = idOf(params['reviewSetId']);
  const a = setId === undefined ? undefined : await reviewSetAccess(db, setId, user.username);
  // A set reached through a case must be that case's.
  if (params['caseId'] !== undefined && a !== undefined && a.caseId !== idOf(params['caseId']))
    return forbidden(`case ${params['caseId']} has no review set ${params['reviewSetId']}`);
  // An administrator asking for a set that does not exist gets the handler's 404, as for a case.
  if (can(user.roles, 'cases:all') && a === undefined) return undefined;
  const ok =
    a !== undefined &&
    (can(user.roles, 'cases:all') || a.assigned || (await isCaseMember(db, a.caseId, user.username)));
  if (!ok) return forbidden(`you are not assigned to review set ${params['reviewSetId']}`);
  const itemKey = params['itemKey'];
  if (itemKey !== undefined && !(await reviewSetHasItem(db, setId!, itemKey)))
    return { status: 404, message: `review set ${params['reviewSetId']} has no item ${itemKey}` };
  return undefined;
}

/** Undefined when allowed; otherwise why not. */
export async function caseScopeRefusal(
  db: Db,
  user: SessionUser,
  params: Record<string, string | undefined>,
): Promise<ScopeRefusal | undefined> {
  const hasCase = params['caseId'] !== undefined;
  const hasSet = params['reviewSetId'] !== undefined;
  if (!hasCase && !hasSet) return undefined;
  if (hasCase && !can(user.roles, 'cases:all')) {
    const id = idOf(params['caseId']);
    if (id === undefined || !(await isCaseMember(db, id, user.username)))
      return forbidden(`you are not a member of case ${params['caseId']}; ask an eDiscovery administrator to add you`);
  }
  return hasSet ? setRefusal(db, user, params) : undefined;
}
