/**
 * Case scoping, decided in the access hook from the MATCHED route's parameters, so no handler
 * can forget it: a route with a `:caseId` parameter is reachable only by members of that case,
 * a route with a `:reviewSetId` parameter only by the reviewers assigned to that set and the
 * members of its case; eDiscovery administrators (cases:all) reach every case. A case that does
 * not exist is refused like one the user may not see, so ids reveal nothing.
 */
import { can } from '../security/index.js';
import { isCaseMember, reviewSetAccess, type Db } from '../store/index.js';
import type { SessionUser } from './contract.js';

function idOf(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

/** Undefined when allowed; otherwise why not. */
export async function caseScopeRefusal(
  db: Db,
  user: SessionUser,
  params: Record<string, string | undefined>,
): Promise<string | undefined> {
  const hasCase = params['caseId'] !== undefined;
  const hasSet = params['reviewSetId'] !== undefined;
  if (!hasCase && !hasSet) return undefined;
  if (can(user.roles, 'cases:all')) {
    if (!hasCase || !hasSet) return undefined;
    const a = await reviewSetAccess(db, idOf(params['reviewSetId']) ?? -1, user.username);
    return a && a.caseId === idOf(params['caseId'])
      ? undefined
      : `case ${params['caseId']} has no review set ${params['reviewSetId']}`;
  }
  if (hasCase) {
    const id = idOf(params['caseId']);
    if (id === undefined || !(await isCaseMember(db, id, user.username)))
      return `you are not a member of case ${params['caseId']}; ask an eDiscovery administrator to add you`;
  }
  if (hasSet) {
    const id = idOf(params['reviewSetId']);
    const a = id === undefined ? undefined : await reviewSetAccess(db, id, user.username);
    // A set reached through a case must be that case's.
    const caseMatches = !hasCase || a?.caseId === idOf(params['caseId']);
    const ok = a !== undefined && caseMatches && (a.assigned || (await isCaseMember(db, a.caseId, user.username)));
    if (!ok) return `you are not assigned to review set ${params['reviewSetId']}`;
  }
  return undefined;
}
