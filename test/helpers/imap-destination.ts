// The IMAP destination settings the Dovecot tests share: the test server's plain loopback port
// (clear text on purpose: TLS has tests of its own) and a Dovecot master-user login.
import { afterEach } from 'vitest';
import type { ImapDestinationConfig } from '../../src/destinations/imap/index.js';
import { startDovecot, type Dovecot, type DovecotUser } from './dovecot.js';

/** The Dovecot master user the tests log in as. */
export const MASTER: DovecotUser = { name: 'archiver', password: 'master-secret' };

/**
 * For a test file: `cleanups` run after each test, last first, and `dovecot()` starts a Dovecot
 * with the master user that is stopped after the test.
 */
export function dovecotPerTest(): {
  cleanups: (() => Promise<void>)[];
  dovecot(opts?: Parameters<typeof startDovecot>[0]): Promise<Dovecot>;
} {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    cleanups,
    dovecot: async (opts = {}) => {
      const d = await startDovecot({ masterUser: MASTER, ...opts });
      cleanups.push(() => d.stop());
      return d;
    },
  };
}

export function masterImapConfig(
  d: Pick<Dovecot, 'host' | 'port'>,
  master: DovecotUser,
  checkMailbox: string,
): ImapDestinationConfig {
  return {
    kind: 'imap',
    host: d.host,
    port: d.port,
    secure: false,
    starttls: false,
    auth: { kind: 'master', masterUser: master.name, password: master.password },
    checkMailbox,
  };
}
