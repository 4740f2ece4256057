/**
 * Closing and reopening a case. A closed case is read-only: no holds, searches, review sets,
 * reviewer assignments, tags or comments are added until it is reopened. As in Microsoft
 * Purview, a case whose holds are still on cannot be closed: its holds must be released first,
 * each release audited with its reason, so that closing never silently ends a preservation
 * obligation (the rejected alternative, releasing them as part of closing, would make one
 * click end every hold of a matter). Both changes are audited.
 */
import { ArchiverError } from '../../core/errors.js';
import { closeCaseUnlessHeld, setCaseStatus, whileCaseActive, type CaseRow, type Db } from '../../store/index.js';
import { appendAudit } from '../audit/index.js';
import { ipOf, requireCase, type Actor } from './cases.js';

function closedError(c: CaseRow): ArchiverError {
  return new ArchiverError(
    'WXA_CASE_CLOSED',
    `case ${c.id} ("${c.name}") is closed and read-only; reopen it to change it`,
  );
}

/** The case, refused with WXA_CASE_CLOSED when it is closed. */
export async function requireActiveCase(db: Db, caseId: number): Promise<CaseRow> {
  const c = await requireCase(db, caseId);
  if (c.status === 'closed') throw closedError(c);
  return c;
}

/**
 * Makes a change to an open case: `write` runs under the lock closing the case takes, after the
 * case is seen active under it, so a close by another process comes wholly before (the change is
 * refused with WXA_CASE_CLOSED) or wholly after it; never a change landing in a closed case.
 */
export async function inOpenCase<T>(db: Db, caseId: number, write: (tx: Db) => Promise<T>): Promise<T> {
  const c = await requireActiveCase(db, caseId);
  const r = await whileCaseActive(db, caseId, write);
  if (r === 'closed') throw closedError(c);
  return r.value;
}

/**
 * The case, refused with WXA_CASE_CLOSED when it is closed: an export of a closed case is
 * refused from the console and the CLI alike, so what leaves the archive for a matter is what
 * its team decided while it was open.
 */
export async function requireExportableCase(db: Db, caseId: number): Promise<CaseRow> {
  const c = await requireCase(db, caseId);
  if (c.status === 'closed')
    throw new ArchiverError(
      'WXA_CASE_CLOSED',
      `case ${caseId} ("${c.name}") is closed, so nothing is exported from it; reopen it first ` +
        `(\`wechat-archiver case reopen ${caseId}\`, or Reopen on the case's page in the console)`,
    );
  return c;
}

export async function closeCase(
  db: Db,
  caseId: number,
  actor: Actor,
  reason?: string,
  now = Date.now(),
): Promise<void> {
  await requireActiveCase(db, caseId);
  // Checked and closed in one step under the lock placing a hold takes (several console or CLI
  // processes may act on one case at once).
  const active = await closeCaseUnlessHeld(db, caseId, now);
  if (active.length > 0) {
    const named = active.map((h) => `#${h.id} (${h.kind === 'custodian' ? h.custodian : `query ${h.query}`})`);
    throw new ArchiverError(
      'WXA_CASE_HOLDS_ACTIVE',
      `case ${caseId} still has ${active.length} active legal hold${active.length === 1 ? '' : 's'}: ` +
        `${named.join(', ')}; release ${active.length === 1 ? 'it' : 'them'} before closing the case`,
    );
  }
  await auditStatus(db, 'case.close', caseId, actor, reason, now);
}

export async function reopenCase(
  db: Db,
  caseId: number,
  actor: Actor,
  reason?: string,
  now = Date.now(),
): Promise<void> {
  const c = await requireCase(db, caseId);
  if (c.status !== 'closed')
    throw new ArchiverError('WXA_INPUT_INVALID', `case ${caseId} is not closed; there is nothing to reopen`);
  await setCaseStatus(db, caseId, 'active', now);
  await auditStatus(db, 'case.reopen', caseId, actor, reason, now);
}

async function auditStatus(
  db: Db,
  action: 'case.close' | 'case.reopen',
  caseId: number,
  actor: Actor,
  reason: string | undefined,
  now: number,
): Promise<void> {
  await appendAudit(
    db,
    {
      actor: actor.username,
      action,
      target: String(caseId),
      ...(reason ? { detail: { reason } } : {}),
      ...ipOf(actor),
    },
    now,
  );
}
