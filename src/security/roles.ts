/**
 * The console's roles, modelled on what compliance teams know from Microsoft Purview, and the
 * permissions each grants. Routes declare permissions, never roles, so that the table below is
 * the one place that says who may do what (and the golden route table test shows the result).
 */

export const ROLES = [
  /** everything, including accounts and roles */
  'org-admin',
  /** creates and changes connectors, mappings and destinations ("Mailbox Import Export") */
  'connector-admin',
  /** opens archived items for the cases they run */
  'ediscovery-manager',
  /** opens archived items across all cases */
  'ediscovery-admin',
  /** reviews what is assigned to them (review sets, supervision queue, disposition batches) and opens only those items */
  'reviewer',
  /** reads the audit log, nothing else */
  'auditor',
] as const;

export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** see connectors, their runs, progress and lag */
  'connectors:read': ['org-admin', 'connector-admin'],
  /** create, change, pause, resume and run connectors; test sources and destinations */
  'connectors:write': ['org-admin', 'connector-admin'],
  /** see held items and unmapped people */
  'problems:read': ['org-admin', 'connector-admin'],
  /** retry, re-evaluate, add a mapping row */
  'problems:write': ['org-admin', 'connector-admin'],
  /** browse mailboxes and open any archived item (every open is audited) */
  'mailboxes:read': ['org-admin', 'ediscovery-admin', 'ediscovery-manager'],
  /**
   * open an archived item, its body, attachments and conversation (every open is audited): any
   * item with mailboxes:read; without it only the items of one's assigned review sets, supervision
   * queue and disposition batches, decided per item by the access hook (server/item-access.ts)
   */
  'items:open': ['org-admin', 'ediscovery-admin', 'ediscovery-manager', 'reviewer'],
  /** search the whole archive's messages (every search is audited with its query and result count) */
  search: ['org-admin', 'ediscovery-admin', 'ediscovery-manager'],
  /** see supervision policies, work the review queue (claim, tag, comment, escalate, resolve), read its reports */
  'supervision:review': ['org-admin', 'reviewer'],
  /** create and change supervision policies and lexicons, apply a policy to the history */
  'supervision:manage': ['org-admin'],
  /** read the audit log */
  'audit:read': ['org-admin', 'auditor'],
  /** see the archive's proof (verification, chain heads, checkpoints, gaps, backup), run verify, take the evidence package */
  'integrity:read': ['org-admin', 'auditor'],
  /** see retention policies, dry runs and the disposition queue */
  'retention:read': ['org-admin'],
  /** create, extend and lock retention policies (Purview's Retention Management) */
  'retention:write': ['org-admin'],
  /**
   * approve or postpone a disposition batch named to you (Purview's Disposition Management); the
   * Reviewer role carries it so that a records reviewer needs no admin rights, and a batch can only
   * be decided by the one reviewer its policy names
   */
  'retention:review': ['org-admin', 'reviewer'],
  /** manage accounts and their roles */
  'users:write': ['org-admin'],
  /** see eDiscovery cases, their holds, searches and exports (managers: only cases they are members of) */
  'cases:read': ['org-admin', 'ediscovery-admin', 'ediscovery-manager'],
  /** create cases; change members, holds, searches, review sets and exports of a case one works */
  'cases:write': ['org-admin', 'ediscovery-admin', 'ediscovery-manager'],
  /** work every case without being a member of it */
  'cases:all': ['org-admin', 'ediscovery-admin'],
  /**
   * add, rename and retire a case's custom review tags: the eDiscovery administrator's, as the
   * roles doc gives managers their own cases and administrators the settings across cases
   */
  'cases:tags': ['org-admin', 'ediscovery-admin'],
  /** open, tag and comment the items of review sets (reviewers: only the sets assigned to them) */
  review: ['org-admin', 'ediscovery-admin', 'ediscovery-manager', 'reviewer'],
  /** delete a mailbox's entry of an item (refused while a legal hold covers it) */
  'items:delete': ['org-admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(roles: readonly Role[], permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return roles.some((r) => allowed.includes(r));
}

export function permissionsOf(roles: readonly Role[]): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(roles, p));
}
