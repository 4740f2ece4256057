import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import type { Db } from '../store/db.js';
import { createUser, updateUser } from './accounts.js';
import {
  createSession,
  csrfMatches,
  deleteExpiredSessions,
  deleteSession,
  deleteUserSessions,
  findSession,
  SESSION_IDLE_MS,
  SESSION_MAX_MS,
  SESSION_TOUCH_MS,
} from './sessions.js';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const META = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 test' };

describeDialects('sessions', (t) => {
  let db: Db;
  let adminId: number;
  let auditorId: number;
  beforeEach(async () => {
    db = await t.openDb();
    const pw = 'a long enough password';
    adminId = (
      await createUser(db, { username: 'admin', displayName: 'Admin', password: pw, roles: ['org-admin'] }, T0)
    ).id;
    auditorId = (await createUser(db, { username: 'aud', displayName: 'Aud', password: pw, roles: ['auditor'] }, T0))
      .id;
  });
  afterEach(async () => {
    await db.destroy();
  });

  describe('createSession / findSession', () => {
    it('finds the user with the permissions of their roles', async () => {
      const s = await createSession(db, auditorId, META, T0);
      expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(s.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(s.csrfToken).not.toBe(s.token);
      expect(s.expiresAt).toBe(T0 + SESSION_IDLE_MS);
      const found = await findSession(db, s.token, T0 + 1);
      expect(found).toEqual({
        user: {
          id: auditorId,
          username: 'aud',
          displayName: 'Aud',
          roles: ['auditor'],
          permissions: ['audit:read', 'integrity:read'],
        },
        csrfToken: s.csrfToken,
        expiresAt: T0 + SESSION_IDLE_MS,
      });
    });

    it('never stores the token itself, only its SHA-256', async () => {
      const s = await createSession(db, adminId, META, T0);
      const rows = await db.selectFrom('sessions').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(s.token);
      expect(rows[0]?.id).toBe(createHash('sha256').update(s.token).digest('hex'));
      // the stored id is not itself a token
      expect(await findSession(db, rows[0]!.id, T0)).toBeNull();
    });

    it('returns null for an unknown or empty token', async () => {
      await createSession(db, adminId, META, T0);
      expect(await findSession(db, 'not-a-token', T0)).toBeNull();
      expect(await findSession(db, '', T0)).toBeNull();
    });

    it('ends after the idle timeout without activity and deletes the row', async () => {
      const s = await createSession(db, adminId, META, T0);
      expect(await findSession(db, s.token, T0 + SESSION_IDLE_MS - 1)).not.toBeNull();
      // that lookup slid the session; a fresh one shows the plain idle expiry
      const t = await createSession(db, adminId, META, T0);
      expect(await findSession(db, t.token, T0 + SESSION_IDLE_MS)).toBeNull();
      expect(await db.selectFrom('sessions').select('id').execute()).toHaveLength(1);
    });

    it('slides on activity, recording it at most once a minute', async () => {
      const s = await createSession(db, adminId, META, T0);
      const quick = await findSession(db, s.token, T0 + SESSION_TOUCH_MS - 1);
      expect(quick?.expiresAt).toBe(T0 + SESSION_IDLE_MS);
      let row = await db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
      expect(row.last_seen_at).toBe(T0);
      const later = await findSession(db, s.token, T0 + 20 * MIN);
      expect(later?.expiresAt).toBe(T0 + 20 * MIN + SESSION_IDLE_MS);
      row = await db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
      expect(row).toMatchObject({ last_seen_at: T0 + 20 * MIN, expires_at: T0 + 20 * MIN + SESSION_IDLE_MS });
      // beyond the first idle window, alive thanks to the activity
      expect(await findSession(db, s.token, T0 + 45 * MIN)).not.toBeNull();
    });

    it('ends at the absolute limit however active the user is', async () => {
      const s = await createSession(db, adminId, META, T0);
      let t = T0;
      while (t + 20 * MIN < T0 + SESSION_MAX_MS) {
        t += 20 * MIN;
        const found = await findSession(db, s.token, t);
        expect(found, `at +${(t - T0) / MIN} min`).not.toBeNull();
        expect(found!.expiresAt).toBeLessThanOrEqual(T0 + SESSION_MAX_MS);
      }
      expect(await findSession(db, s.token, T0 + SESSION_MAX_MS)).toBeNull();
    });

    it('returns null for a disabled user', async () => {
      const s = await createSession(db, auditorId, META, T0);
      await db.updateTable('users').set({ disabled: 1 }).where('id', '=', auditorId).execute();
      expect(await findSession(db, s.token, T0 + 1)).toBeNull();
    });

    it('reads roles afresh on every lookup', async () => {
      const s = await createSession(db, auditorId, META, T0);
      await updateUser(db, auditorId, { roles: ['connector-admin'] }, T0);
      const found = await findSession(db, s.token, T0 + 1);
      expect(found?.user.roles).toEqual(['connector-admin']);
      expect(found?.user.permissions).toContain('connectors:write');
      expect(found?.user.permissions).not.toContain('audit:read');
    });
  });

  describe('ending sessions', () => {
    it('deleteSession ends one session', async () => {
      const a = await createSession(db, adminId, META, T0);
      const b = await createSession(db, adminId, META, T0);
      await deleteSession(db, a.token);
      await deleteSession(db, a.token);
      expect(await findSession(db, a.token, T0)).toBeNull();
      expect(await findSession(db, b.token, T0)).not.toBeNull();
    });

    it("deleteUserSessions ends every session of one user and nobody else's", async () => {
      const a1 = await createSession(db, adminId, META, T0);
      const a2 = await createSession(db, adminId, META, T0);
      const other = await createSession(db, auditorId, META, T0);
      expect(await deleteUserSessions(db, adminId)).toBe(2);
      expect(await findSession(db, a1.token, T0)).toBeNull();
      expect(await findSession(db, a2.token, T0)).toBeNull();
      expect(await findSession(db, other.token, T0)).not.toBeNull();
    });

    it('deleteExpiredSessions removes only ended sessions', async () => {
      await createSession(db, adminId, META, T0);
      const fresh = await createSession(db, adminId, META, T0 + SESSION_IDLE_MS);
      expect(await deleteExpiredSessions(db, T0 + SESSION_IDLE_MS + 1)).toBe(1);
      expect(await findSession(db, fresh.token, T0 + SESSION_IDLE_MS + 1)).not.toBeNull();
    });
  });

  describe('csrfMatches', () => {
    it('matches only the same token', () => {
      expect(csrfMatches('abc123', 'abc123')).toBe(true);
      expect(csrfMatches('abc123', 'abc124')).toBe(false);
      expect(csrfMatches('abc123', 'abc1234')).toBe(false);
      expect(csrfMatches('abc123', undefined)).toBe(false);
      expect(csrfMatches('abc123', '')).toBe(false);
      expect(csrfMatches('', '')).toBe(false);
    });
  });
});
