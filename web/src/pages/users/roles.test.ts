import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../../src/security/roles.js';
import { isLocked, ROLE_TEXT, sortRoles } from './roles.js';

describe('user roles in the console', () => {
  it('names and explains every role the server knows', () => {
    expect(Object.keys(ROLE_TEXT).sort()).toEqual([...ROLES].sort());
  });

  it("keeps the server's order whatever order roles were ticked in", () => {
    expect(sortRoles(['auditor', 'org-admin', 'reviewer'])).toEqual(['org-admin', 'reviewer', 'auditor']);
  });

  it('treats a lockout that has run out as unlocked', () => {
    expect(isLocked(null, 1000)).toBe(false);
    expect(isLocked(999, 1000)).toBe(false);
    expect(isLocked(1001, 1000)).toBe(true);
  });
});
