import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import type { Db } from '../store/db.js';
import { authenticate, countUsers, createUser } from './accounts.js';
import { completeSetup, consumeSetupToken, issueSetupToken, SETUP_TOKEN_SETTING } from './setup-token.js';

const T0 = 1_700_000_000_000;
const SETUP = { username: 'Admin', displayName: 'First Admin', password: 'a long enough password' };

describeDialects('setup token', (t) => {
  let db: Db;
  beforeEach(async () => {
    db = await t.openDb();
  });
  afterEach(async () => {
    await db.destroy();
  });

  async function storedSetting() {
    return db.selectFrom('settings').selectAll().where('key', '=', SETUP_TOKEN_SETTING).executeTakeFirst();
  }

  describe('setup token', () => {
    it('stores only the SHA-256 of the token and is single use', async () => {
      const token = await issueSetupToken(db, T0);
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      const row = await storedSetting();
      expect(row?.value).toBe(createHash('sha256').update(token!).digest('hex'));
      expect(await consumeSetupToken(db, 'wrong')).toBe(false);
      expect(await consumeSetupToken(db, '')).toBe(false);
      expect(await consumeSetupToken(db, token!)).toBe(true);
      expect(await consumeSetupToken(db, token!)).toBe(false);
      expect(await storedSetting()).toBeUndefined();
    });

    it('a new token replaces the earlier one', async () => {
      const first = await issueSetupToken(db, T0);
      const second = await issueSetupToken(db, T0 + 1);
      expect(second).not.toBe(first);
      expect(await consumeSetupToken(db, first!)).toBe(false);
      expect(await consumeSetupToken(db, second!)).toBe(true);
    });

    it('is not issued, and an old one not accepted, once an account exists', async () => {
      const token = await issueSetupToken(db, T0);
      await createUser(db, { ...SETUP, roles: ['org-admin'] }, T0);
      expect(await consumeSetupToken(db, token!)).toBe(false);
      expect(await issueSetupToken(db, T0)).toBeNull();
      expect(await storedSetting()).toBeUndefined();
    });
  });

  describe('completeSetup', () => {
    it('creates the first org-admin with the token, once', async () => {
      const token = (await issueSetupToken(db, T0))!;
      expect(await completeSetup(db, { ...SETUP, token: 'wrong' }, T0)).toBeNull();
      const user = await completeSetup(db, { ...SETUP, token }, T0);
      expect(user).toMatchObject({ username: 'admin', displayName: 'First Admin', roles: ['org-admin'] });
      expect((await authenticate(db, 'admin', SETUP.password, T0)).ok).toBe(true);
      expect(await completeSetup(db, { ...SETUP, username: 'admin2', token }, T0)).toBeNull();
      expect(await countUsers(db)).toBe(1);
    });

    it('keeps the token when the request is refused for a weak password', async () => {
      const token = (await issueSetupToken(db, T0))!;
      await expect(completeSetup(db, { ...SETUP, password: 'weak', token }, T0)).rejects.toMatchObject({
        code: 'WXA_PASSWORD_WEAK',
      });
      expect(await completeSetup(db, { ...SETUP, token }, T0)).not.toBeNull();
    });

    it('checks the token before anything else: a wrong one is refused without validating or hashing', async () => {
      const token = (await issueSetupToken(db, T0))!;
      // A weak password would throw WXA_PASSWORD_WEAK had the password been looked at (and hashed) first.
      expect(await completeSetup(db, { ...SETUP, password: 'weak', token: 'wrong' }, T0)).toBeNull();
      expect(await completeSetup(db, { ...SETUP, username: '!', token: `${token}x` }, T0)).toBeNull();
      expect(await countUsers(db)).toBe(0);
      // The wrong attempts spent nothing.
      expect(await completeSetup(db, { ...SETUP, token }, T0)).not.toBeNull();
    });

    it('lets only one of two concurrent uses of the token win', async () => {
      const token = (await issueSetupToken(db, T0))!;
      const results = await Promise.all([
        completeSetup(db, { ...SETUP, username: 'first', token }, T0),
        completeSetup(db, { ...SETUP, username: 'second', token }, T0),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      expect(await countUsers(db)).toBe(1);
    });
  });
});
