/**
 * The six roles as the console names and explains them (names follow Microsoft Purview's, which
 * compliance teams already know). The order is the server's: broadest first.
 */
import { ROLES, type Role } from '../../../../src/security/roles.js';
import { tk } from '../../i18n-keys.js';

export { ROLES };

export const ROLE_TEXT: Record<Role, { name: string; description: string }> = {
  'org-admin': { name: tk('users:roles.org-admin.name'), description: tk('users:roles.org-admin.description') },
  'connector-admin': {
    name: tk('users:roles.connector-admin.name'),
    description: tk('users:roles.connector-admin.description'),
  },
  'ediscovery-manager': {
    name: tk('users:roles.ediscovery-manager.name'),
    description: tk('users:roles.ediscovery-manager.description'),
  },
  'ediscovery-admin': {
    name: tk('users:roles.ediscovery-admin.name'),
    description: tk('users:roles.ediscovery-admin.description'),
  },
  reviewer: { name: tk('users:roles.reviewer.name'), description: tk('users:roles.reviewer.description') },
  auditor: { name: tk('users:roles.auditor.name'), description: tk('users:roles.auditor.description') },
};

/** Roles in the server's order, whatever order they were ticked in. */
export function sortRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((r) => roles.includes(r));
}

/** A lockout is kept as its end time; one in the past has run out. */
export function isLocked(lockedUntil: number | null, now: number): boolean {
  return lockedUntil !== null && lockedUntil > now;
}
