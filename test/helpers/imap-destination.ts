// The IMAP destination settings the Dovecot tests share: the test server's plain loopback port
// (clear text on purpose: TLS has tests of its own) and a Dovecot master-user login.
import type { ImapDestinationConfig } from '../../src/destinations/imap/index.js';
import type { Dovecot, DovecotUser } from './dovecot.js';

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
