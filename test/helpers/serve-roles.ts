/**
 * What the several-process tests (`serve --role` on PostgreSQL) share: where the archive stands,
 * a console process's signed-in session, and the check that every mailbox at Dovecot holds each
 * of its messages exactly once.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { messageIdFor } from '../../src/render/index.js';
import type { Db } from '../../src/store/db.js';
import { setupAdminByApi } from './browser.js';
import type { Dovecot } from './dovecot.js';
import { asUser, messageIdsIn } from './imap-read.js';

/**
 * A sandbox tenant of `messages` in `dir` and the config file of one connector, `bank`, that
 * archives it into the embedded archive only; returns the config file's path.
 */
export async function sandboxArchiveConfig(dir: string, seed: number, messages: number): Promise<string> {
  const tenant = join(dir, 'tenant');
  await generateTenant({ outDir: tenant, seed, messages });
  const config = join(dir, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      dataDir: join(dir, 'roles'),
      connectors: [{ id: 'bank', source: { kind: 'sandbox', dir: tenant }, destinations: [{ kind: 'archive' }] }],
    }),
  );
  return config;
}

/** Records captured, records still waiting to be processed, and delivery rows not finished. */
export async function settled(db: Db): Promise<{ total: number; waiting: number; dueDeliveries: number }> {
  const count = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
  const [total, waiting, dueDeliveries] = await Promise.all([
    count(db.selectFrom('raw_records').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()),
    count(
      db
        .selectFrom('raw_records')
        .select(db.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow(),
    ),
    count(
      db
        .selectFrom('deliveries')
        .select(db.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow(),
    ),
  ]);
  return { total, waiting, dueDeliveries };
}

/** Sets the first administrator up through a console process and signs in: the session's cookie and CSRF token. */
export async function consoleSession(
  url: string,
  setupToken: string,
  admin: { username: string; displayName: string; password: string },
): Promise<{ cookie: string; csrf: string }> {
  await setupAdminByApi(url, setupToken, admin);
  const signIn = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: admin.username, password: admin.password }),
  });
  return {
    cookie: /wxa_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0],
    csrf: ((await signIn.json()) as { csrfToken: string }).csrfToken,
  };
}

/** Every mailbox's folder at Dovecot holds exactly the archive's entries of it, each once. */
export async function expectEachOnceAtDovecot(
  db: Db,
  dovecot: Dovecot,
  mailboxes: readonly string[],
  folder: string,
): Promise<void> {
  const rows = await db.selectFrom('mailbox_entries').select(['mailbox', 'item_key']).execute();
  const want = new Map<string, string[]>();
  for (const r of rows) want.set(r.mailbox, [...(want.get(r.mailbox) ?? []), messageIdFor(r.item_key)]);
  let checked = 0;
  for (const mailbox of mailboxes) {
    const ids = await asUser(dovecot, mailbox, (c) => messageIdsIn(c, folder));
    expect(new Set(ids).size, `${mailbox} holds a message twice`).toBe(ids.length);
    expect([...ids].sort(), mailbox).toEqual([...(want.get(mailbox) ?? [])].sort());
    checked += ids.length;
  }
  expect(checked).toBe(rows.length);
  expect(checked).toBeGreaterThan(0);
}
