import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { isArchiverError } from '../core/errors.js';
import type { Db } from '../store/db.js';
import {
  authenticate,
  countUsers,
  createUser,
  getUser,
  listUsers,
  LOCKOUT_MS,
  MAX_FAILED_LOGINS,
  updateUser,
} from './accounts.js';
import { verifyPassword } from './passwords.js';
import { createSession, findSession } from './sessions.js';

// Every check of a password goes through verifyPassword: counted here, and still real.
vi.mock('./passwords.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./passwords.js')>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});
const verify = vi.mocked(verifyPassword);

const T0 = 1_700_000_000_000;
const PW = 'a long enough password';

describeDialects('accounts', (t) => {
  let db: Db;
  beforeEach(async () => {
    db = await t.openDb();
  });
  afterEach(async () => {
    await db.destroy();
  });

  async function codeOf(p: Promise<unknown>): Promise<string> {
    try {
      await p;
    } catch (err) {
      if (isArchiverError(err)) return err.code;
      throw err;
    }
    throw new Error('expected a rejection');
  }

  function alice(extra: Partial<Parameters<typeof createUser>[1]> = {}) {
    return createUser(
      db,
      { username: 'Alice', displayName: 'Alice Li', password: PW, roles: ['org-admin'], ...extra },
      T0,
    );
  }

  describe('createUser', () => {
    it('lower-cases the username, stores a hash and returns a summary', async () => {
      const u = await alice();
      expect(u).toMatchObject({ username: 'alice', displayName: 'Alice Li', roles: ['org-admin'], disabled: false });
      expect(u).toMatchObject({ createdAt: T0, lastLoginAt: null, lockedUntil: null });
      const row = await db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^scrypt\$/);
      expect(JSON.stringify(row)).not.toContain(PW);
      expect(await countUsers(db)).toBe(1);
      expect(await getUser(db, u.id)).toEqual(u);
    });

    it('refuses a taken username whatever its case', async () => {
      await alice();
      expect(await codeOf(alice({ username: 'ALICE' }))).toBe('WXA_USER_EXISTS');
      expect(await countUsers(db)).toBe(1);
    });

    it('refuses bad usernames, display names, roles and weak passwords', async () => {
      expect(await codeOf(alice({ username: 'a' }))).toBe('WXA_INPUT_INVALID');
      expect(await codeOf(alice({ username: 'alice smith' }))).toBe('WXA_INPUT_INVALID');
      expect(await codeOf(alice({ username: 'x'.repeat(65) }))).toBe('WXA_INPUT_INVALID');
      expect(await codeOf(alice({ displayName: '  ' }))).toBe('WXA_INPUT_INVALID');
      expect(await codeOf(alice({ roles: [] }))).toBe('WXA_INPUT_INVALID');
      expect(await codeOf(alice({ roles: ['root' as never] }))).toBe('WXA_INPUT_INVALID');
      expect(await codeOf(alice({ password: 'short' }))).toBe('WXA_PASSWORD_WEAK');
      expect(await codeOf(alice({ password: 'z'.repeat(20) }))).toBe('WXA_PASSWORD_WEAK');
      expect(await countUsers(db)).toBe(0);
    });

    it('accepts the allowed characters and removes duplicate roles', async () => {
      const u = await alice({ username: ' Ops.Team_1@corp-x ', roles: ['auditor', 'auditor', 'reviewer'] });
      expect(u.username).toBe('ops.team_1@corp-x');
      expect(u.roles).toEqual(['auditor', 'reviewer']);
    });

    it('lists users by username', async () => {
      await createUser(db, { username: 'zed', displayName: 'Z', password: PW, roles: ['auditor'] }, T0);
      await alice();
      expect((await listUsers(db)).map((u) => u.username)).toEqual(['alice', 'zed']);
    });
  });

  describe('authenticate', () => {
    it('accepts the right password, records the login and is case-insensitive in the username', async () => {
      await alice();
      const r = await authenticate(db, ' ALICE ', PW, T0 + 5);
      expect(r).toMatchObject({ ok: true, user: { username: 'alice', lastLoginAt: T0 + 5 } });
    });

    it('answers invalid to a wrong password and to an unknown user alike', async () => {
      await alice();
      expect(await authenticate(db, 'alice', 'wrong password!', T0)).toEqual({ ok: false, reason: 'invalid' });
      expect(await authenticate(db, 'bob', PW, T0)).toEqual({ ok: false, reason: 'invalid' });
      expect(await authenticate(db, '', PW, T0)).toEqual({ ok: false, reason: 'invalid' });
    });

    it('spends a scrypt on an unknown user, so timing does not reveal which usernames exist', async () => {
      await alice();
      const stored = (
        await db.selectFrom('users').select('password_hash').where('username', '=', 'alice').executeTakeFirstOrThrow()
      ).password_hash;
      // Counted, not timed: on a shared machine timings of a few milliseconds say nothing. Each
      // check of an unknown user runs one scrypt, against a hash of the same cost as a real one.
      const costOf = (h: string) => h.split('$').slice(0, 4).join('$');
      verify.mockClear();
      await authenticate(db, 'nobody', PW, T0);
      await authenticate(db, 'alice', 'wrong password!', T0);
      expect(verify).toHaveBeenCalledTimes(2);
      const [unknown, known] = verify.mock.calls.map((c) => c[1]);
      expect(costOf(unknown!)).toBe(costOf(stored));
      expect(unknown).not.toBe(stored);
      expect(known).toBe(stored);
      // the dummy is a real scrypt hash: checking against it runs the whole derivation
      const real = (await vi.importActual<typeof import('./passwords.js')>('./passwords.js')).verifyPassword;
      expect(await real('wrong password!', unknown!)).toBe(false);
    });

    it(`locks after ${MAX_FAILED_LOGINS} failures, even against the right password, until the lockout ends`, async () => {
      await alice();
      for (let i = 1; i < MAX_FAILED_LOGINS; i++) {
        expect(await authenticate(db, 'alice', `wrong ${i} password`, T0 + i)).toEqual({
          ok: false,
          reason: 'invalid',
        });
      }
      const locking = await authenticate(db, 'alice', 'wrong 5 password', T0 + 10);
      expect(locking).toEqual({ ok: false, reason: 'locked', lockedUntil: T0 + 10 + LOCKOUT_MS });
      expect(await authenticate(db, 'alice', PW, T0 + 11)).toEqual({
        ok: false,
        reason: 'locked',
        lockedUntil: T0 + 10 + LOCKOUT_MS,
      });
      expect(await authenticate(db, 'alice', PW, T0 + 10 + LOCKOUT_MS - 1)).toMatchObject({ reason: 'locked' });
      const after = await authenticate(db, 'alice', PW, T0 + 10 + LOCKOUT_MS);
      expect(after.ok).toBe(true);
      const row = await db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ failed_logins: 0, locked_until: null });
    });

    it('starts a fresh count after a lockout runs out', async () => {
      await alice();
      for (let i = 0; i < MAX_FAILED_LOGINS; i++) await authenticate(db, 'alice', 'wrong password!', T0);
      const later = T0 + LOCKOUT_MS + 1;
      expect(await authenticate(db, 'alice', 'wrong password!', later)).toEqual({ ok: false, reason: 'invalid' });
      expect(await authenticate(db, 'alice', PW, later + 1)).toMatchObject({ ok: true });
    });

    it('counts consecutive failures only: a success resets the counter', async () => {
      await alice();
      for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) await authenticate(db, 'alice', 'wrong password!', T0);
      expect((await authenticate(db, 'alice', PW, T0)).ok).toBe(true);
      for (let i = 0; i < MAX_FAILED_LOGINS - 1; i++) await authenticate(db, 'alice', 'wrong password!', T0);
      expect((await authenticate(db, 'alice', PW, T0)).ok).toBe(true);
    });

    it('lets an administrator unlock an account before the lockout ends', async () => {
      const u = await alice();
      for (let i = 0; i < MAX_FAILED_LOGINS; i++) await authenticate(db, 'alice', 'wrong password!', T0);
      expect((await getUser(db, u.id))?.lockedUntil).toBe(T0 + LOCKOUT_MS);
      const unlocked = await updateUser(db, u.id, { unlock: true }, T0 + 1);
      expect(unlocked.lockedUntil).toBeNull();
      expect((await authenticate(db, 'alice', PW, T0 + 2)).ok).toBe(true);
    });

    it('answers disabled to the right password of a disabled account, invalid to a wrong one', async () => {
      await createUser(db, { username: 'root2', displayName: 'Other admin', password: PW, roles: ['org-admin'] }, T0);
      const u = await alice({ roles: ['auditor'] });
      await updateUser(db, u.id, { disabled: true }, T0);
      expect(await authenticate(db, 'alice', PW, T0)).toEqual({ ok: false, reason: 'disabled' });
      expect(await authenticate(db, 'alice', 'wrong password!', T0)).toEqual({ ok: false, reason: 'invalid' });
      await updateUser(db, u.id, { disabled: false }, T0);
      expect((await authenticate(db, 'alice', PW, T0)).ok).toBe(true);
    });
  });

  describe('updateUser', () => {
    it('changes the password (old one stops working) and ends the sessions', async () => {
      const u = await alice();
      const s = await createSession(db, u.id, { ip: '127.0.0.1', userAgent: 'test' }, T0);
      const updated = await updateUser(db, u.id, { password: 'a brand new passphrase' }, T0 + 1);
      expect(updated.id).toBe(u.id);
      expect((await authenticate(db, 'alice', PW, T0 + 2)).ok).toBe(false);
      expect((await authenticate(db, 'alice', 'a brand new passphrase', T0 + 2)).ok).toBe(true);
      expect(await findSession(db, s.token, T0 + 3)).toBeNull();
    });

    it('refuses a weak new password and keeps the old one', async () => {
      const u = await alice();
      await expect(updateUser(db, u.id, { password: 'weak' }, T0)).rejects.toMatchObject({ code: 'WXA_PASSWORD_WEAK' });
      expect((await authenticate(db, 'alice', PW, T0)).ok).toBe(true);
    });

    it('changes display name and roles, validating them', async () => {
      await createUser(db, { username: 'boss', displayName: 'Boss', password: PW, roles: ['org-admin'] }, T0);
      const u = await alice();
      const r = await updateUser(db, u.id, { displayName: 'Alice W.', roles: ['connector-admin'] }, T0);
      expect(r).toMatchObject({ displayName: 'Alice W.', roles: ['connector-admin'] });
      await expect(updateUser(db, u.id, { roles: [] }, T0)).rejects.toMatchObject({ code: 'WXA_INPUT_INVALID' });
      await expect(updateUser(db, 999, { displayName: 'x' }, T0)).rejects.toMatchObject({ code: 'WXA_NOT_FOUND' });
    });

    it('ends the sessions of a disabled user', async () => {
      await createUser(db, { username: 'boss', displayName: 'Boss', password: PW, roles: ['org-admin'] }, T0);
      const u = await alice({ roles: ['reviewer'] });
      const s = await createSession(db, u.id, { ip: '::1', userAgent: 'test' }, T0);
      await updateUser(db, u.id, { disabled: true }, T0);
      expect(await db.selectFrom('sessions').selectAll().execute()).toEqual([]);
      expect(await findSession(db, s.token, T0)).toBeNull();
    });

    it('refuses to leave no enabled org-admin', async () => {
      const u = await alice();
      await expect(updateUser(db, u.id, { disabled: true }, T0)).rejects.toMatchObject({ code: 'WXA_LAST_ADMIN' });
      await expect(updateUser(db, u.id, { roles: ['auditor'] }, T0)).rejects.toMatchObject({ code: 'WXA_LAST_ADMIN' });
      expect(await getUser(db, u.id)).toMatchObject({ disabled: false, roles: ['org-admin'] });
      const other = await createUser(
        db,
        { username: 'bob', displayName: 'Bob', password: PW, roles: ['org-admin'] },
        T0,
      );
      expect((await updateUser(db, u.id, { disabled: true }, T0)).disabled).toBe(true);
      await expect(updateUser(db, other.id, { roles: ['auditor'] }, T0)).rejects.toMatchObject({
        code: 'WXA_LAST_ADMIN',
      });
    });
  });
});
