// The IMAP destination against a real Dovecot: items land in the "WeChat Archiver" folder of
// each mailbox byte for byte, with their time as INTERNALDATE and \Seen; a second delivery,
// from the same or a fresh instance (a crash between APPEND and the ledger), finds the copy
// already there instead of appending another. Read back by an independent client per user.
import { createServer } from 'node:http';
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createImapDestination, type ImapDestination } from '../src/destinations/imap/index.js';
import type { RenderedItem } from '../src/destinations/types.js';
import { renderedSamples, textItems, type Dovecot } from './helpers/dovecot.js';
import { dovecotPerTest, MASTER, masterImapConfig } from './helpers/imap-destination.js';

const FOLDER = 'WeChat Archiver';

const { cleanups, dovecot } = dovecotPerTest();

function destination(d: Dovecot, extra: Partial<Parameters<typeof createImapDestination>[0]> = {}): ImapDestination {
  const dest = createImapDestination({
    ...masterImapConfig(d, MASTER, d.users[0]?.name ?? ''),
    ...extra,
  });
  cleanups.push(() => dest.close());
  return dest;
}

interface Stored {
  uid: number;
  internalDate: Date;
  flags: Set<string>;
  source: Buffer;
}

/** Everything in the user's archive folder, read by a client of its own logged in as the user. */
async function readFolder(d: Dovecot, user: string): Promise<{ folders: string[]; messages: Stored[] }> {
  const u = d.users.find((x) => x.name === user);
  if (!u) throw new Error(`no user ${user}`);
  const client = new ImapFlow({
    host: d.host,
    port: d.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: u.name, pass: u.password },
    logger: false,
  });
  await client.connect();
  try {
    const folders = (await client.list()).map((f) => f.path);
    const messages: Stored[] = [];
    if (folders.includes(FOLDER)) {
      await client.mailboxOpen(FOLDER, { readOnly: true });
      for await (const m of client.fetch('1:*', { uid: true, internalDate: true, flags: true, source: true })) {
        messages.push({
          uid: m.uid,
          internalDate: new Date(m.internalDate ?? 0),
          flags: m.flags ?? new Set(),
          source: m.source ?? Buffer.alloc(0),
        });
      }
    }
    return { folders, messages };
  } finally {
    await client.logout();
  }
}

/** Bob deletes the archive folder in his own mail client. */
async function deleteFolderAsBob(d: Dovecot): Promise<void> {
  const user = new ImapFlow({
    host: d.host,
    port: d.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: 'bob@example.com', pass: 'bob-secret' },
    logger: false,
  });
  await user.connect();
  await user.mailboxDelete(FOLDER);
  await user.logout();
}

function copiesOf(stored: Stored[], item: RenderedItem): Stored[] {
  return stored.filter((s) => s.source.equals(item.mime));
}

describe('IMAP destination on Dovecot', () => {
  it('delivers every sample into several mailboxes; an independent reader sees exact bytes, date, \\Seen and attachments', async () => {
    const d = await dovecot();
    const dest = destination(d);
    const items = renderedSamples();
    const mailboxes = d.users.map((u) => u.name);
    const outcomes = await Promise.all(mailboxes.flatMap((m) => items.map((item) => dest.deliver(item, m))));
    expect(outcomes.every((o) => o.status === 'delivered' && /^\d+:\d+$/.test(o.remoteId ?? ''))).toBe(true);

    for (const mailbox of mailboxes) {
      const { folders, messages } = await readFolder(d, mailbox);
      expect(folders).toContain(FOLDER);
      expect(messages).toHaveLength(items.length);
      for (const item of items) {
        const [copy, ...more] = copiesOf(messages, item);
        expect(copy, item.key).toBeDefined();
        expect(more).toHaveLength(0);
        if (!copy) continue;
        // INTERNALDATE carries whole seconds (RFC 3501 date-time).
        expect(copy.internalDate.getTime()).toBe(Math.floor(item.time / 1000) * 1000);
        expect(copy.flags.has('\\Seen')).toBe(true);
        const parsed = await simpleParser(copy.source);
        expect(parsed.messageId).toBe(item.messageId);
        const expected = item.attachments.filter((a) => a.bytes !== undefined);
        expect(parsed.attachments).toHaveLength(expected.length);
        for (const a of expected) {
          expect(parsed.attachments.some((p) => a.bytes && p.content.equals(a.bytes))).toBe(true);
        }
      }
    }
    expect(items.some((i) => i.attachments.some((a) => a.bytes))).toBe(true);
  });

  it('a second delivery of the same item is a duplicate and leaves one copy', async () => {
    const d = await dovecot();
    const dest = destination(d);
    const [item] = textItems(1, 'again');
    if (!item) throw new Error('no item');
    const mailbox = 'bob@example.com';
    expect(await dest.has(item.key, mailbox)).toBe(false);
    const first = await dest.deliver(item, mailbox);
    const second = await dest.deliver(item, mailbox);
    expect(first.status).toBe('delivered');
    expect(second).toEqual({ status: 'duplicate', remoteId: first.remoteId });
    expect(await dest.has(item.key, mailbox)).toBe(true);
    expect(copiesOf((await readFolder(d, mailbox)).messages, item)).toHaveLength(1);
  });

  it('after a crash between APPEND and the ledger update, a fresh instance finds the copy instead of appending again', async () => {
    const d = await dovecot();
    const [item] = textItems(1, 'crash');
    if (!item) throw new Error('no item');
    const mailbox = 'carol@example.com';
    const before = destination(d);
    expect((await before.deliver(item, mailbox)).status).toBe('delivered');
    // The process "dies" here: the ledger never learns of the APPEND; the old instance's
    // connections stay as they are (closed only when the test ends).
    const after = destination(d);
    expect(await after.has(item.key, mailbox)).toBe(true);
    expect((await after.deliver(item, mailbox)).status).toBe('duplicate');
    expect(copiesOf((await readFolder(d, mailbox)).messages, item)).toHaveLength(1);
  });

  it('re-creates the folder when a user deleted it after it was cached', async () => {
    const d = await dovecot();
    const dest = destination(d, { pool: { perMailbox: 1, total: 8, idleMs: 60_000 } });
    const [first, second] = textItems(2, 'deleted');
    if (!first || !second) throw new Error('no items');
    expect((await dest.deliver(first, 'bob@example.com')).status).toBe('delivered');
    await deleteFolderAsBob(d);
    // The pooled connection had the folder selected, so Dovecot ends its session; the
    // destination takes a fresh connection and makes the folder again.
    const outcome = await dest.deliver(second, 'bob@example.com');
    expect(outcome.status).toBe('delivered');
    const { folders, messages } = await readFolder(d, 'bob@example.com');
    expect(folders).toContain(FOLDER);
    expect(copiesOf(messages, second)).toHaveLength(1);
  });

  it('with no earlier attempt in doubt, appends without selecting or searching, on one kept login', async () => {
    const d = await dovecot();
    const dest = destination(d, { pool: { perMailbox: 1, total: 8, idleMs: 60_000 } });
    const items = textItems(20, 'fresh');
    const mailbox = 'alice@example.com';
    const outcomes = [];
    for (const item of items) outcomes.push(await dest.deliver(item, mailbox, { inDoubt: false }));
    expect(outcomes.every((o) => o.status === 'delivered')).toBe(true);
    // The ids come from APPENDUID (UIDPLUS): uidvalidity:uid, each its own.
    expect(new Set(outcomes.map((o) => o.remoteId)).size).toBe(20);
    expect(outcomes[0]!.remoteId).toMatch(/^\d+:\d+$/);
    expect(dest.stats().opened).toBe(1);
    const { messages } = await readFolder(d, mailbox);
    for (const item of items) expect(copiesOf(messages, item)).toHaveLength(1);
    // No lookup is made: told (wrongly) that nothing is in doubt, it appends a second copy,
    // which is why only the ledger may say so; in doubt, it finds the copy.
    expect((await dest.deliver(items[0]!, mailbox, { inDoubt: false })).status).toBe('delivered');
    expect((await dest.deliver(items[1]!, mailbox, { inDoubt: true })).status).toBe('duplicate');
    expect(copiesOf((await readFolder(d, mailbox)).messages, items[0]!)).toHaveLength(2);
  });

  it('with no doubt, re-creates a folder a user deleted when the APPEND is refused with TRYCREATE', async () => {
    const d = await dovecot();
    const dest = destination(d, { pool: { perMailbox: 1, total: 8, idleMs: 60_000 } });
    const [first, second] = textItems(2, 'trycreate');
    expect((await dest.deliver(first!, 'bob@example.com', { inDoubt: false })).status).toBe('delivered');
    await deleteFolderAsBob(d);
    expect((await dest.deliver(second!, 'bob@example.com', { inDoubt: false })).status).toBe('delivered');
    const { folders, messages } = await readFolder(d, 'bob@example.com');
    expect(folders).toContain(FOLDER);
    expect(copiesOf(messages, second!)).toHaveLength(1);
    expect(copiesOf(messages, first!)).toHaveLength(0);
  });

  it('sees a copy appended by another connection while its own had the folder selected', async () => {
    const d = await dovecot();
    const [warmA, warmB, item] = textItems(3, 'race');
    if (!warmA || !warmB || !item) throw new Error('no items');
    const mailbox = 'alice@example.com';
    const a = destination(d);
    const b = destination(d);
    // Each instance now holds a connection with the folder selected.
    await a.deliver(warmA, mailbox);
    await b.deliver(warmB, mailbox);
    expect((await a.deliver(item, mailbox)).status).toBe('delivered');
    expect((await b.deliver(item, mailbox)).status).toBe('duplicate');
    expect(copiesOf((await readFolder(d, mailbox)).messages, item)).toHaveLength(1);
  });

  it('logs in per mailbox with its own password, and as master through the SASL authorization id', async () => {
    const d = await dovecot();
    const [item] = textItems(1, 'own');
    if (!item) throw new Error('no item');
    const [alice, bob] = d.users;
    if (!alice || !bob) throw new Error('no users');
    const own = destination(d, {
      auth: { kind: 'password', password: alice.password, passwords: { [bob.name]: bob.password } },
    });
    expect((await own.deliver(item, alice.name)).status).toBe('delivered');
    expect((await own.deliver(item, bob.name)).status).toBe('delivered');
    const authzid = destination(d, {
      auth: { kind: 'master', masterUser: MASTER.name, password: MASTER.password, authzid: true },
    });
    expect((await authzid.deliver(item, bob.name)).status).toBe('duplicate');
    expect(copiesOf((await readFolder(d, bob.name)).messages, item)).toHaveLength(1);
  });

  it('xoauth2: logs in with a token per mailbox from the provider; a refused token holds only that mailbox', async () => {
    // An RFC 7662 introspection endpoint standing in for the identity provider Dovecot asks.
    const introspected: string[] = [];
    const idp = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const token = new URLSearchParams(body).get('token') ?? '';
        introspected.push(token);
        const user = /^token-for-(.+)$/.exec(token)?.[1];
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(user ? { active: true, username: user } : { active: false }));
      });
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => idp.close(() => resolve())));
    const address = idp.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const d = await dovecot({ oauth2IntrospectionUrl: `http://127.0.0.1:${port}/introspect` });
    const asked: string[] = [];
    const oauth = createImapDestination(
      {
        kind: 'imap',
        host: d.host,
        port: d.port,
        secure: false,
        starttls: false,
        auth: { kind: 'xoauth2' },
        checkMailbox: 'alice@example.com',
      },
      {
        tokenProvider: async (mailbox) => {
          asked.push(mailbox);
          return mailbox === 'bob@example.com' ? 'revoked' : `token-for-${mailbox}`;
        },
      },
    );
    cleanups.push(() => oauth.close());
    const [item] = textItems(1, 'oauth');
    if (!item) throw new Error('no item');
    expect((await oauth.deliver(item, 'alice@example.com')).status).toBe('delivered');
    expect((await oauth.deliver(item, 'carol@example.com')).status).toBe('delivered');
    await expect(oauth.deliver(item, 'bob@example.com')).rejects.toMatchObject({ failure: 'permanent' });
    expect(asked).toEqual(expect.arrayContaining(['alice@example.com', 'carol@example.com', 'bob@example.com']));
    expect(introspected).toEqual(expect.arrayContaining(['token-for-alice@example.com', 'revoked']));
    expect(copiesOf((await readFolder(d, 'carol@example.com')).messages, item)).toHaveLength(1);
  });

  it('logs lifecycle facts, never message content, even at trace level', async () => {
    const d = await dovecot();
    const lines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const dest = createImapDestination(
      {
        kind: 'imap',
        host: d.host,
        port: d.port,
        secure: false,
        starttls: false,
        auth: { kind: 'master', masterUser: MASTER.name, password: MASTER.password },
        checkMailbox: 'alice@example.com',
      },
      { logger },
    );
    cleanups.push(() => dest.close());
    const items = renderedSamples();
    for (const item of items.slice(0, 5)) await dest.deliver(item, 'alice@example.com');
    await dest.deliver(items[0] as RenderedItem, 'alice@example.com');
    const log = lines.join('');
    expect(log).toContain('imap item appended');
    expect(log).toContain('imap item already present');
    expect(log).not.toContain(MASTER.password);
    for (const item of items.slice(0, 5)) {
      const subject = /^Subject: (.*)$/m.exec(item.mime.toString('latin1'))?.[1] ?? 'no subject';
      expect(log).not.toContain(subject);
    }
    expect(log).not.toMatch(/Hello|你好|contract/);
  });

  it('check logs in to the check mailbox, prepares the folder and reports the server without appending', async () => {
    const d = await dovecot({ appendLimit: 5_000_000 });
    const dest = destination(d);
    const result = await dest.check();
    expect(result.ok).toBe(true);
    expect(result.details.join('\n')).toMatch(/accepted "alice@example\.com\*archiver"/);
    expect(result.details.join('\n')).toMatch(/UIDPLUS.*MULTIAPPEND.*LITERAL\+/);
    expect(result.details.join('\n')).toMatch(/up to 5,000,000 bytes \(APPENDLIMIT\)/);
    expect(result.details.join('\n')).toMatch(/"WeChat Archiver" in alice@example\.com is ready \(0 messages\)/);
    const { folders, messages } = await readFolder(d, 'alice@example.com');
    expect(folders).toContain(FOLDER);
    expect(messages).toHaveLength(0);
  });
});
