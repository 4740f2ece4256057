import { describe, expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { expandLogin, loginFor, loginName, sharedLogin } from './auth.js';
import { imapDestinationSchema } from './config.js';

const authOf = (auth: unknown) =>
  imapDestinationSchema.parse({ kind: 'imap', host: 'h', checkMailbox: 'probe@example.com', auth }).auth;

describe('IMAP login per mailbox', () => {
  it('expands {mailbox}, {local}, {domain} and {master}, leaving unknown braces alone', () => {
    expect(expandLogin('{local}@corp.{domain}', 'zhang.wei@example.com')).toBe('zhang.wei@corp.example.com');
    expect(expandLogin('{mailbox}*{master}', 'a@b.c', 'archiver')).toBe('a@b.c*archiver');
    expect(expandLogin('{master}\\{mailbox}', 'a@b.c', 'CORP\\admin')).toBe('CORP\\admin\\a@b.c');
    expect(expandLogin('{other}', 'a@b.c')).toBe('{other}');
  });

  it('password: the mailbox itself by default, a per-mailbox password when listed', async () => {
    const auth = authOf({ kind: 'password', password: 'shared', passwords: { 'b@x.com': 'own' } });
    expect(await loginFor(auth, 'a@x.com', undefined)).toEqual({ user: 'a@x.com', pass: 'shared' });
    expect(await loginFor(auth, 'b@x.com', undefined)).toEqual({ user: 'b@x.com', pass: 'own' });
    expect(sharedLogin(auth)).toBe(false);
    expect(sharedLogin(authOf({ kind: 'password', user: 'journal@x.com', password: 'p' }))).toBe(true);
  });

  it('master: Dovecot-style combined name by default, or the SASL authorization id', async () => {
    const combined = authOf({ kind: 'master', masterUser: 'archiver', password: 'm' });
    expect(await loginFor(combined, 'a@x.com', undefined)).toEqual({ user: 'a@x.com*archiver', pass: 'm' });
    const authzid = authOf({ kind: 'master', masterUser: 'archiver', password: 'm', authzid: true });
    expect(await loginFor(authzid, 'a@x.com', undefined)).toEqual({ user: 'archiver', pass: 'm', authzid: 'a@x.com' });
    expect(loginName(authzid, 'a@x.com')).toBe('archiver (for a@x.com)');
  });

  it('xoauth2: asks the token provider for each mailbox, and needs one', async () => {
    const auth = authOf({ kind: 'xoauth2' });
    const asked: string[] = [];
    const provider = async (m: string) => {
      asked.push(m);
      return `token-for-${m}`;
    };
    expect(await loginFor(auth, 'a@x.com', provider)).toEqual({ user: 'a@x.com', accessToken: 'token-for-a@x.com' });
    expect(asked).toEqual(['a@x.com']);
    await expect(loginFor(auth, 'a@x.com', undefined)).rejects.toSatisfy((e) =>
      isArchiverError(e, 'WXA_CONFIG_INVALID'),
    );
  });
});
