/**
 * Every action the audit log records, with its one-line meaning. `appendAudit` takes only
 * these codes, so a new action is added here first; the console names each in words (its
 * catalogues must have every code, a test checks it) and the audit page's "kind" filter groups
 * them by area. Imports nothing, so that the console bundles it too.
 */

export const AUDIT_ACTIONS = {
  'auth.login': 'a user signed in to the console',
  'auth.login-failed': 'a sign-in was refused (wrong password, unknown or disabled account)',
  'auth.logout': 'a user signed out',
  'auth.setup': 'the first administrator account was created',
  'auth.setup-refused': 'creating the first administrator was refused (bad or missing setup token)',
  'auth.refused': 'an API call was refused (401 not signed in, 403 role or CSRF token missing)',
  'user.create': 'an account was created',
  'user.update': 'an account was changed (roles, password, enabled)',
  'connector.create': 'a connector was created',
  'connector.update': 'a connector was changed',
  'connector.run': 'a connector run was started by hand',
  'connector.pause': 'a connector was paused',
  'connector.resume': 'a connector was resumed',
  'connector.test-source': "a connector's source settings were tested",
  'connector.test-destination': "a connector's destination settings were tested",
  'mapping.add': 'a mapping row was added from the problems page',
  'problems.reevaluate': 'held records were processed again',
  'problems.retry': 'refused deliveries were retried',
  'item.view': 'an archived item was opened',
  'item.preview': 'an item was previewed in a conversation',
  'item.attachment': "an item's attachment was downloaded",
  'item.delete': "a mailbox's entry of an item was deleted (or refused by a hold)",
  'conversation.view': 'a conversation was opened',
  'mailbox.open': "a mailbox's folder was listed",
  'mailbox.search': 'the mailbox list was searched',
  search: 'the archive was searched',
  export: 'archived items were exported',
  'audit.search': 'the audit log was read',
  'audit.export': 'the audit log was exported',
  'audit.prune': "audit events older than the audit log's retention were removed, leaving a chained anchor",
  'integrity.verify': 'verify was run from the console',
  'integrity.evidence': 'the evidence package was downloaded',
  'retention.policy.create': 'a retention policy was created',
  'retention.policy.update': 'a retention policy was changed',
  'retention.policy.lock': 'a retention policy was locked',
  'retention.dry-run': 'a retention dry run was made',
  'retention.batch.approve': 'a disposition batch was approved',
  'retention.batch.postpone': 'a disposition batch was postponed',
  'case.create': 'an eDiscovery case was created',
  'case.close': 'a case was closed (refused while a legal hold of it is active)',
  'case.reopen': 'a closed case was reopened',
  'case.member.add': 'a user was added to a case',
  'case.member.remove': 'a user was removed from a case',
  'case.search.save': 'a search was saved in a case',
  'case.search.run': "a case's saved search was run again",
  'case.export.start': "an export of a case's saved search or review set was started from the console",
  'case.export.resume': 'an interrupted export of a case was resumed',
  'case.export.download': "a case's export was downloaded as a zip",
  'case.export.manifest': "a case's export manifest was downloaded",
  'case.export.verify': "a case's export was checked against its manifest, the audit log and the archive",
  'hold.place': 'a legal hold was placed',
  'hold.release': 'a legal hold was released',
  'review-set.create': 'a review set was created',
  'review-set.add': "a saved search's matches were added to a review set",
  'review-set.assign': 'a reviewer was assigned to a review set',
  'review-set.unassign': 'a reviewer was taken off a review set',
  'review.tag.define': 'a review tag was defined for every case (before tags belonged to a case)',
  'review.tag.add': "a custom tag was added to a case's review tags",
  'review.tag.rename': "a case's custom tag was renamed, on every item carrying it",
  'review.tag.retire': "a case's custom tag was retired: it stays on tagged items, cannot be applied",
  'review.tag.restore': "a case's retired tag was restored",
  'review.tag': 'items of a review set were tagged',
  'review.untag': 'a tag was removed from items of a review set',
  'review.comment': 'a comment was written on a review item',
  'review.view': 'a page of a review set was viewed',
  'supervision.policy.create': 'a supervision policy was created',
  'supervision.policy.update': 'a supervision policy was changed',
  'supervision.policy.apply': 'a supervision policy was applied to the archive',
  'supervision.claim': 'a reviewer claimed a flagged item',
  'supervision.release': 'a reviewer released a flagged item',
  'supervision.tag': 'a flagged item was tagged',
  'supervision.comment': 'a flagged item was commented on',
  'supervision.escalate': 'a flagged item was escalated',
  'supervision.resolve': 'a flagged item was resolved',
  'supervision.reopen': 'a flagged item was reopened',
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const AUDIT_ACTION_CODES = Object.keys(AUDIT_ACTIONS) as AuditAction[];

export function isAuditAction(code: string): code is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, code);
}

/** The area of an action ('hold.place' -> 'hold'): the audit page's "kind" filter. */
export function auditArea(code: string): string {
  const dot = code.indexOf('.');
  return dot < 0 ? code : code.slice(0, dot);
}

/** Areas in the order the registry lists them. */
export const AUDIT_AREAS = [...new Set(AUDIT_ACTION_CODES.map(auditArea))];

/**
 * The ids of the cases a page of events mentions, so that the page can name them: a case's
 * own actions target its id, holds and review sets carry `caseId`, an export targets `case:N`.
 */
export function mentionedCaseIds(
  events: readonly { action: string; target: string; detail: Record<string, unknown> }[],
): number[] {
  const ids = new Set<number>();
  for (const e of events) {
    if (typeof e.detail.caseId === 'number') ids.add(e.detail.caseId);
    const fromTarget = e.action.startsWith('case.') ? e.target : /^case:(\d+)$/.exec(e.target)?.[1];
    if (fromTarget && /^\d{1,15}$/.test(fromTarget)) ids.add(Number(fromTarget));
  }
  return [...ids];
}
