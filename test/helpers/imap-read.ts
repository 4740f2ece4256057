/**
 * Reads back what the IMAP destination stored, as an independent mail client would: an
 * ImapFlow connection logged in as the mail user with the user's own password (not the
 * archiver's master login). The end-to-end tests compare what it sees with the embedded archive.
 */
import { ImapFlow } from 'imapflow';
import type { Dovecot } from './dovecot.js';

export interface StoredMessage {
  uid: number;
  /** INTERNALDATE, ms */
  internalDate: number;
  flags: Set<string>;
  source: Buffer;
}

/** Runs fn on a fresh connection logged in as the user; the connection is closed afterwards. */
export async function asUser<T>(d: Dovecot, user: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  const u = d.users.find((x) => x.name === user);
  if (!u) throw new Error(`the test Dovecot has no user ${user}`);
  const client = new ImapFlow({
    host: d.host,
    port: d.port,
    // Dovecot on loopback, started by the test: clear text is what the plain port offers.
    secure: false,
    doSTARTTLS: false,
    auth: { user: u.name, pass: u.password },
    logger: false,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Whether the folder exists in the user's mailbox. */
export async function hasFolder(client: ImapFlow, folder: string): Promise<boolean> {
  return (await client.list()).some((f) => f.path === folder);
}

/** The Message-ID header of every message in the folder (one entry per message, duplicates kept). */
export async function messageIdsIn(client: ImapFlow, folder: string): Promise<string[]> {
  if (!(await hasFolder(client, folder))) return [];
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    const ids: string[] = [];
    if (typeof client.mailbox === 'object' && client.mailbox.exists === 0) return ids;
    for await (const m of client.fetch('1:*', { envelope: true })) ids.push(m.envelope?.messageId ?? '');
    return ids;
  } finally {
    lock.release();
  }
}

/** Every message of the folder whose Message-ID header is messageId (IMAP SEARCH HEADER), with its source. */
export async function findMessage(client: ImapFlow, folder: string, messageId: string): Promise<StoredMessage[]> {
  const lock = await client.getMailboxLock(folder, { readOnly: true });
  try {
    const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    if (!Array.isArray(uids) || uids.length === 0) return [];
    const out: StoredMessage[] = [];
    for await (const m of client.fetch(
      uids.join(','),
      { uid: true, internalDate: true, flags: true, source: true },
      { uid: true },
    )) {
      out.push({
        uid: m.uid,
        internalDate: new Date(m.internalDate ?? 0).getTime(),
        flags: m.flags ?? new Set(),
        source: m.source ?? Buffer.alloc(0),
      });
    }
    return out;
  } finally {
    lock.release();
  }
}
