// Many concurrent deliveries through the IMAP destination against a real Dovecot: every item
// lands exactly once, and the connection pool stays inside its per-mailbox and total caps
// while reusing logins instead of opening one per item.
import { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { createImapDestination } from '../src/destinations/imap/index.js';
import { startDovecot, textItems, type Dovecot } from './helpers/dovecot.js';
import { masterImapConfig } from './helpers/imap-destination.js';

const MASTER = { name: 'archiver', password: 'master-secret' };
const USERS = Array.from({ length: 10 }, (_, i) => ({ name: `user${i}@example.com`, password: `secret-${i}` }));

let dovecot: Dovecot | undefined;
afterEach(async () => {
  await dovecot?.stop();
  dovecot = undefined;
});

async function countIn(d: Dovecot, user: { name: string; password: string }): Promise<number> {
  const client = new ImapFlow({
    host: d.host,
    port: d.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: user.name, pass: user.password },
    logger: false,
  });
  await client.connect();
  try {
    const status = await client.status('WeChat Archiver', { messages: true });
    return status ? (status.messages ?? -1) : -1;
  } finally {
    await client.logout();
  }
}

describe('IMAP destination under load', () => {
  it('200 concurrent deliveries to 10 mailboxes respect 2 connections per mailbox and 8 in all', async () => {
    const d = await startDovecot({ users: USERS, masterUser: MASTER });
    dovecot = d;
    const dest = createImapDestination({
      ...masterImapConfig(d, MASTER, 'user0@example.com'),
      pool: { perMailbox: 2, total: 8, idleMs: 30_000 },
    });
    try {
      const items = textItems(200, 'load');
      const outcomes = await Promise.all(
        items.map((item, i) => dest.deliver(item, USERS[i % USERS.length]?.name ?? '')),
      );
      expect(outcomes.filter((o) => o.status === 'delivered')).toHaveLength(200);
      const stats = dest.stats();
      expect(stats.peakOpen).toBe(8);
      expect(stats.peakPerKey).toBe(2);
      expect(stats).toMatchObject({ busy: 0, waiting: 0 });
      expect(stats.open).toBeLessThanOrEqual(8);
      // Logins are reused: with 10 mailboxes over 8 slots some are closed to make room, but
      // nowhere near one login per item.
      expect(stats.opened).toBeLessThan(40);
      for (const u of USERS) expect(await countIn(d, u)).toBe(20);
    } finally {
      await dest.close();
    }
    expect(dest.stats().open).toBe(0);
  });
});
