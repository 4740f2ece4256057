import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashCost, hashPassword, passwordProblem, verifyPassword } from './passwords.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('hash cost', () => {
  it('is 2^15 in production, and the lower test cost is refused outside NODE_ENV=test', () => {
    expect(hashCost({})).toBe(32768);
    expect(hashCost({ NODE_ENV: 'production' })).toBe(32768);
    expect(hashCost({ NODE_ENV: 'test', WXA_TEST_SCRYPT_LOG2N: '10' })).toBe(1024);
    for (const env of [{ WXA_TEST_SCRYPT_LOG2N: '10' }, { NODE_ENV: 'production', WXA_TEST_SCRYPT_LOG2N: '10' }]) {
      expect(() => hashCost(env)).toThrow(/WXA_TEST_SCRYPT_LOG2N .*only by the test suite/);
    }
    expect(() => hashCost({ NODE_ENV: 'test', WXA_TEST_SCRYPT_LOG2N: '4' })).toThrow(/not an integer from 10 to 15/);
  });

  it('the suite runs with the lower cost, so its hashes say so', async () => {
    expect(await hashPassword('a perfectly fine password')).toMatch(/^scrypt\$1024\$8\$1\$/);
  });
});

describe('hashPassword / verifyPassword', () => {
  it('round trips and refuses a wrong password at the production cost', async () => {
    vi.stubEnv('WXA_TEST_SCRYPT_LOG2N', '');
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same password here'), hashPassword('same password here')]);
    expect(a).not.toBe(b);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const stored = await hashPassword('caf\u00e9 au lait du matin');
    expect(await verifyPassword('cafe\u0301 au lait du matin', stored)).toBe(true);
  });

  it('answers false, never throws, for a malformed stored value', async () => {
    const good = await hashPassword('a perfectly fine password');
    const [, , , , salt, key] = good.split('$') as string[];
    const malformed = [
      '',
      'plain-text-password',
      'scrypt$32768$8$1',
      `bcrypt$32768$8$1$${salt}$${key}`,
      `scrypt$30000$8$1$${salt}$${key}`, // N not a power of two
      `scrypt$1073741824$8$1$${salt}$${key}`, // N far too large to allow
      `scrypt$32768$0$1$${salt}$${key}`,
      `scrypt$32768$8$1$!!notbase64!!$${key}`,
      `scrypt$32768$8$1$${salt}$`,
      `scrypt$32768$8$1$${salt}$${key}$extra`,
      `scrypt$-32768$8$1$${salt}$${key}`,
    ];
    for (const stored of malformed) {
      await expect(verifyPassword('a perfectly fine password', stored), stored).resolves.toBe(false);
    }
  });

  it('verifies what it hashed and nothing else (property; few runs, scrypt is slow)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        async (p, q) => {
          fc.pre(p.normalize('NFC') !== q.normalize('NFC'));
          const stored = await hashPassword(p);
          expect(await verifyPassword(p, stored)).toBe(true);
          expect(await verifyPassword(q, stored)).toBe(false);
        },
      ),
      { numRuns: 4 },
    );
  });
});

describe('passwordProblem', () => {
  it('refuses short passwords and one repeated character', () => {
    expect(passwordProblem('short')).toMatch(/at least 12/);
    expect(passwordProblem('elevenchars')).toMatch(/at least 12/);
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/repeats one character/);
    expect(passwordProblem('x'.repeat(2000) + 'y')).toMatch(/at most/);
  });

  it('accepts a passphrase, counting characters rather than UTF-16 units', () => {
    expect(passwordProblem('twelve chars')).toBeNull();
    expect(passwordProblem('合规归档系统的管理员密码')).toBeNull();
    // 11 emoji are 22 UTF-16 units but 11 characters
    expect(passwordProblem('😀😁😂🤣😃😄😅😆😉😊😋')).toMatch(/11 characters/);
  });
});
