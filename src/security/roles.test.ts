import { describe, expect, it } from 'vitest';
import { can, isRole, PERMISSIONS, permissionsOf, ROLES, type Permission } from './roles.js';

const ALL = Object.keys(PERMISSIONS) as Permission[];

describe('roles and permissions', () => {
  it('every permission lists only known roles, each once', () => {
    for (const [permission, roles] of Object.entries(PERMISSIONS)) {
      expect(roles.length, permission).toBeGreaterThan(0);
      for (const r of roles) expect(ROLES, `${permission}: ${r}`).toContain(r);
      expect(new Set(roles).size, permission).toBe(roles.length);
    }
  });

  it('every role grants something', () => {
    for (const r of ROLES) expect(permissionsOf([r]).length, r).toBeGreaterThan(0);
  });

  it("the auditor can only read the audit log and the archive's integrity", () => {
    expect(permissionsOf(['auditor'])).toEqual(['audit:read', 'integrity:read']);
    for (const r of ROLES.filter((x) => x !== 'org-admin' && x !== 'auditor')) {
      expect(can([r], 'integrity:read'), r).toBe(false);
    }
  });

  it('the connector-admin manages connectors and problems but not accounts, mailboxes or the audit log', () => {
    const p = permissionsOf(['connector-admin']);
    expect(p).toEqual(['connectors:read', 'connectors:write', 'problems:read', 'problems:write']);
    expect(can(['connector-admin'], 'users:write')).toBe(false);
  });

  it('the org-admin can do everything', () => {
    expect(permissionsOf(['org-admin'])).toEqual(ALL);
  });

  it('eDiscovery roles search and open mailboxes; managers work cases, administrators every case; reviewers only open items of their work', () => {
    expect(permissionsOf(['ediscovery-admin']).sort()).toEqual([
      'cases:all',
      'cases:read',
      'cases:tags',
      'cases:write',
      'items:open',
      'mailboxes:read',
      'review',
      'search',
    ]);
    expect(permissionsOf(['ediscovery-manager']).sort()).toEqual([
      'cases:read',
      'cases:write',
      'items:open',
      'mailboxes:read',
      'review',
      'search',
    ]);
    // No archive-wide search or mailbox browsing: items:open is scoped per item by the access hook.
    expect(permissionsOf(['reviewer']).sort()).toEqual([
      'items:open',
      'retention:review',
      'review',
      'supervision:review',
    ]);
    expect(can(['ediscovery-manager'], 'cases:all')).toBe(false);
    expect(can(['ediscovery-manager'], 'cases:tags')).toBe(false);
    expect(can(['ediscovery-admin'], 'items:delete')).toBe(false);
  });

  it('retention policies are managed by the org-admin only', () => {
    for (const r of ROLES) expect(can([r], 'retention:write'), r).toBe(r === 'org-admin');
  });

  it('reviewers also work the supervision queue, but never manage its policies', () => {
    expect(permissionsOf(['reviewer'])).toContain('supervision:review');
    expect(can(['org-admin'], 'supervision:manage')).toBe(true);
    for (const r of ROLES.filter((x) => x !== 'org-admin')) expect(can([r], 'supervision:manage'), r).toBe(false);
  });

  it('combines roles and grants nothing without one', () => {
    expect(permissionsOf(['auditor', 'reviewer']).sort()).toEqual([
      'audit:read',
      'integrity:read',
      'items:open',
      'retention:review',
      'review',
      'supervision:review',
    ]);
    expect(permissionsOf([])).toEqual([]);
    for (const p of ALL) expect(can([], p)).toBe(false);
  });

  it('isRole accepts exactly the listed roles', () => {
    for (const r of ROLES) expect(isRole(r)).toBe(true);
    for (const s of ['', 'admin', 'Org-Admin', 'org-admin ', 'users:write']) expect(isRole(s)).toBe(false);
  });
});
