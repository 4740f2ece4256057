// How the IMAP destination fails against a real Dovecot: refused credentials pause (auth), a
// mailbox the master user cannot open is held (permanent), an unreachable server is retried
// (transient), TLS is verified by default, and a message over the server's size limit or
// quota is held with a reason naming the size and the limit.
import { describe, expect, it } from 'vitest';
import { createImapDestination, type ImapDestinationConfig } from '../src/destinations/imap/index.js';
import { DestinationError } from '../src/destinations/types.js';
import { freePort, largeItem, textItems, type Dovecot } from './helpers/dovecot.js';
import { dovecotPerTest, MASTER, masterImapConfig } from './helpers/imap-destination.js';

const { cleanups, dovecot } = dovecotPerTest();

function destination(d: Pick<Dovecot, 'host' | 'port'>, extra: Partial<ImapDestinationConfig> = {}) {
  const dest = createImapDestination({
    ...masterImapConfig(d, MASTER, 'alice@example.com'),
    ...extra,
  });
  cleanups.push(() => dest.close());
  return dest;
}

async function failure(p: Promise<unknown>): Promise<DestinationError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DestinationError) return err;
    throw err;
  }
  throw new Error('expected a DestinationError, the call succeeded');
}

const item = () => {
  const [first] = textItems(1, 'fail');
  if (!first) throw new Error('no item');
  return first;
};

describe('IMAP destination failures on Dovecot', () => {
  it('a wrong master password is an auth failure, for deliver and for check', async () => {
    const d = await dovecot();
    const dest = destination(d, { auth: { kind: 'master', masterUser: MASTER.name, password: 'wrong' } });
    const err = await failure(dest.deliver(item(), 'bob@example.com'));
    expect(err.failure).toBe('auth');
    expect(err.code).toBe('WXA_DEST_AUTH');
    expect(err.message).toMatch(/refused the login \(\[AUTHENTICATIONFAILED\]/);
    expect(err.message).not.toContain('wrong');
    const check = await dest.check();
    expect(check.ok).toBe(false);
    expect(check.details.join('\n')).toMatch(/^auth: .*refused the login/m);
  });

  it('a wrong mailbox password is an auth failure', async () => {
    const d = await dovecot();
    const dest = destination(d, { auth: { kind: 'password', password: 'not-alice-secret' } });
    expect((await failure(dest.deliver(item(), 'alice@example.com'))).failure).toBe('auth');
  });

  it('a mailbox the master user cannot open is held, not a reason to pause the connector', async () => {
    const d = await dovecot();
    const dest = destination(d);
    const err = await failure(dest.deliver(item(), 'nobody@example.com'));
    expect(err.failure).toBe('permanent');
    expect(err.message).toMatch(
      /while logins to alice@example\.com work; the mailbox nobody@example\.com does not exist/,
    );
  });

  it('one mailbox with a wrong password is held while the check mailbox logs in fine', async () => {
    const d = await dovecot();
    const dest = destination(d, {
      auth: { kind: 'password', password: 'alice-secret', passwords: { 'bob@example.com': 'stale' } },
    });
    const err = await failure(dest.deliver(item(), 'bob@example.com'));
    expect(err.failure).toBe('permanent');
    expect(err.message).toMatch(/login as "bob@example\.com" was refused while logins to alice@example\.com work/);
    expect((await dest.deliver(item(), 'alice@example.com')).status).toBe('delivered');
  });

  it('a server that does not answer is a transient failure', async () => {
    const dest = destination({ host: '127.0.0.1', port: await freePort() });
    const err = await failure(dest.deliver(item(), 'alice@example.com'));
    expect(err.failure).toBe('transient');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it('implicit TLS and STARTTLS work with the CA that signed the certificate', async () => {
    const d = await dovecot({ tls: true });
    if (!d.tlsPort || !d.ca) throw new Error('no TLS');
    const implicit = destination(d, { port: d.tlsPort, secure: true, tls: { ca: d.ca } });
    expect((await implicit.check()).ok).toBe(true);
    expect((await implicit.deliver(item(), 'alice@example.com')).status).toBe('delivered');
    const starttls = destination(d, { port: d.port, secure: false, starttls: true, tls: { ca: d.ca } });
    expect((await starttls.deliver(item(), 'alice@example.com')).status).toBe('duplicate');
  });

  it('verifies the certificate by default: an unknown CA is refused with a reason', async () => {
    const d = await dovecot({ tls: true });
    if (!d.tlsPort) throw new Error('no TLS');
    const dest = destination(d, { port: d.tlsPort, secure: true });
    const err = await failure(dest.deliver(item(), 'alice@example.com'));
    expect(err.failure).toBe('auth');
    expect(err.message).toMatch(
      /TLS certificate was not accepted \((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN): .*set tls\.ca/,
    );
    const check = await dest.check();
    expect(check.ok).toBe(false);
    expect(check.details.join('\n')).toMatch(/certificate was not accepted/);
  });

  it('a message over the server limit is held with its size; the server keeps nothing', async () => {
    const d = await dovecot({ maxMailSize: 64 * 1024 });
    const dest = destination(d);
    const big = largeItem(100_000);
    const err = await failure(dest.deliver(big, 'alice@example.com'));
    expect(err.failure).toBe('permanent');
    expect(err.message).toContain(`the message (${big.mime.length.toLocaleString('en-US')} bytes)`);
    expect(err.message).toMatch(/\[LIMIT\] Mail size is larger than the maximum size/);
    // The connection stays usable: a small item still goes through.
    expect((await dest.deliver(item(), 'alice@example.com')).status).toBe('delivered');
    expect(await dest.has(big.key, 'alice@example.com')).toBe(false);
  });

  it('an advertised APPENDLIMIT or a configured maxMessageBytes is checked before sending', async () => {
    const d = await dovecot({ appendLimit: 50_000 });
    const big = largeItem(60_000);
    const err = await failure(destination(d).deliver(big, 'alice@example.com'));
    expect(err.failure).toBe('permanent');
    expect(err.message).toMatch(
      /\(\d{2},\d{3} bytes\) for alice@example\.com is larger than the limit of 50,000 bytes \(not sent\)/,
    );
    const configured = destination(d, { maxMessageBytes: 20_000 });
    const err2 = await failure(configured.deliver(largeItem(30_000), 'bob@example.com'));
    expect(err2.message).toMatch(/larger than the limit of 20,000 bytes/);
  });

  it('a mailbox over quota is held with the reason', async () => {
    const d = await dovecot({ quotaBytes: 40_000 });
    const dest = destination(d);
    const err = await failure(dest.deliver(largeItem(60_000), 'alice@example.com'));
    expect(err.failure).toBe('permanent');
    expect(err.message).toMatch(/over its quota \(\[OVERQUOTA\]/);
  });
});
