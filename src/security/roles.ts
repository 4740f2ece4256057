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
  /** works the supervision queue: opens the items under review */
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
  /** browse mailboxes and open archived items (every open is audited) */
  'mailboxes:read': ['org-admin', 'ediscovery-admin', 'ediscovery-manager', 'reviewer'],
  /** search the archive's messages (every search is audited with its query and result count) */
  search: ['org-admin', 'ediscovery-admin', 'ediscovery-manager', 'reviewer'],
  /** see supervision policies, work the review queue (claim, tag, comment, escalate, resolve), read its reports */
  'supervision:review': ['org-admin', 'reviewer'],
  /** create and change supervision policies and lexicons, apply a policy to the history */
  'supervision:manage': ['org-admin'],
  /** read the audit log */
  'audit:read': ['org-admin', 'auditor'],
  /** manage accounts and their roles */
  'users:write': ['org-admin'],
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
