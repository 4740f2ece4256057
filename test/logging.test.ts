// The log of a working service, captured at debug: a sandbox tenant archived into the embedded
// archive and a real Dovecot, the first administrator created from the setup token, a failed and
// a good console login, a mailbox search for a message's words and that message opened. Known
// secrets (the IMAP master password, the admin password, the session cookie, the CSRF token) and
// the known message text must appear nowhere in it, while the lines that should be there are.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.js';
import type { ChatMessage } from '../src/core/model.js';
import { issueSetupToken } from '../src/security/index.js';
import type { ItemPage } from '../src/server/contract.js';
import { generateTenant, readTenant } from '../src/sources/sandbox/index.js';
import { tempDir } from './helpers/cli.js';
import { clientFor, startConsole, type ConsoleHarness } from './helpers/console.js';
import { startDovecot, type Dovecot } from './helpers/dovecot.js';

const MASTER_PASSWORD = 'imap-master-Sekr1t-7731';
const ADMIN_PASSWORD = 'admin passphrase Qx81 violet';

interface LogLine {
  level: number;
  msg: string;
  component?: string;
  connectorId?: string;
  destination?: string;
  reqId?: string;
  req?: { method: string; path: string };
}

let h: ConsoleHarness;
let dovecot: Dovecot;
let dir: { path: string; cleanup: () => Promise<void> };
const written: string[] = [];

beforeAll(async () => {
  dir = await tempDir('logging');
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 5, messages: 60 });
  const people = (await readTenant(tenant)).directory.people;
  const mailboxes = people.filter((p) => p.kind === 'internal' && p.email).map((p) => p.email!);
  dovecot = await startDovecot({
    masterUser: { name: 'archiver', password: MASTER_PASSWORD },
    users: mailboxes.map((name, i) => ({ name, password: `user-secret-${i}` })),
  });
  const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void written.push(s) } });
  h = await startConsole({
    supervisor: true,
    logger,
    config: {
      connectors: [
        {
          id: 'bank',
          source: { kind: 'sandbox', dir: tenant },
          mapping: { autoFromDirectoryEmail: true },
          destinations: [
            { kind: 'archive' },
            {
              kind: 'imap',
              host: dovecot.host,
              port: dovecot.port,
              // A loopback Dovecot this test started; TLS is covered by the IMAP tests.
              secure: false,
              starttls: false,
              auth: { kind: 'master', masterUser: 'archiver', password: MASTER_PASSWORD },
              checkMailbox: mailboxes[0],
            },
          ],
        },
      ],
    },
  });
  // The first run starts with the supervisor; wait for its report.
  const deadline = Date.now() + 120_000;
  while (!h.supervisor!.get('bank')?.lastReport && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}, 180_000);

afterAll(async () => {
  await h?.close();
  await dovecot?.stop();
  await dir?.cleanup();
});

/** A text message of the tenant with words long enough that a chance match is impossible. */
function knownMessage(): { key: string; text: string; mailbox: string } {
  const db = new Database(join(h.dataDir, 'archive.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT i.key AS key, i.model_json AS model, e.mailbox AS mailbox FROM items i
         JOIN mailbox_entries e ON e.item_key = i.key`,
      )
      .all() as { key: string; model: string; mailbox: string }[];
    for (const r of rows) {
      const m = JSON.parse(r.model) as ChatMessage;
      if (m.content.kind === 'text' && m.content.text.length >= 16) {
        return { key: r.key, text: m.content.text, mailbox: r.mailbox };
      }
    }
  } finally {
    db.close();
  }
  throw new Error('the tenant has no text message of 16 characters or more');
}

describe('logs', () => {
  it('carry no secret and no message content at debug, and say what happened', async () => {
    const report = h.supervisor!.get('bank')?.lastReport;
    expect(report?.error).toBeUndefined();
    expect(report?.delivery?.delivered).toBeGreaterThan(0);
    const message = knownMessage();

    const token = (await issueSetupToken(h.store.db, Date.now()))!;
    const setup = await h.app.inject({
      method: 'POST',
      url: '/api/setup',
      payload: { token, username: 'alice', displayName: 'Alice', password: ADMIN_PASSWORD },
    });
    expect(setup.statusCode, setup.body).toBeLessThan(300);
    const failed = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'alice', password: `${ADMIN_PASSWORD}-wrong` },
    });
    expect(failed.statusCode).toBe(401);
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { username: 'alice', password: ADMIN_PASSWORD },
    });
    expect(ok.statusCode).toBe(200);
    const admin = clientFor(h, ok);
    const cookie = ok.cookies.find((c) => c.name === 'wxa_session')!.value;

    // The message's words in a query string, then the message itself in a response body.
    const search = await admin.request('GET', `/api/mailboxes?q=${encodeURIComponent(message.text)}`);
    expect(search.statusCode).toBe(200);
    const address = encodeURIComponent(message.mailbox);
    const page = await admin.json<ItemPage>('GET', `/api/mailboxes/${address}/items?limit=200`);
    expect(page.items.length).toBeGreaterThan(0);
    const opened = await admin.request('GET', `/api/mailboxes/${address}/items/${encodeURIComponent(message.key)}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain(message.text.slice(0, 8));

    const text = written.join('');
    for (const secret of [MASTER_PASSWORD, ADMIN_PASSWORD, token, cookie, admin.info.csrfToken, message.text]) {
      expect(text.includes(secret), `the log holds ${secret.slice(0, 6)}...`).toBe(false);
    }
    // Not even a piece of the message: its first 12 characters.
    expect(text.includes(message.text.slice(0, 12))).toBe(false);

    const lines = written.map((l) => JSON.parse(l) as LogLine);
    // HTTP: one request id per request, method and path only (never the query string).
    const http = lines.filter((l) => l.component === 'http' && l.req);
    expect(http.length).toBeGreaterThanOrEqual(5);
    expect(http.every((l) => typeof l.reqId === 'string' && !l.req!.path.includes('?'))).toBe(true);
    expect(http.map((l) => l.req!.path)).toContain('/api/session');
    // The connector's run and the IMAP destination's debug lines, each with its component.
    expect(
      lines.some((l) => l.component === 'connector' && l.connectorId === 'bank' && /run finished/.test(l.msg)),
    ).toBe(true);
    expect(lines.some((l) => l.component === 'imap' && l.destination === 'imap' && l.level === 20)).toBe(true);
  });

  it('redacts credentials by key even when a caller passes them, in JSON and pretty lines', () => {
    for (const pretty of [false, true]) {
      const out: string[] = [];
      const log = createLogger({ level: 'debug', pretty, destination: { write: (s: string) => void out.push(s) } });
      log.debug(
        {
          cfg: { auth: { password: MASTER_PASSWORD } },
          headers: { authorization: `Bearer ${ADMIN_PASSWORD}`, cookie: 'wxa_session=abc' },
          content: { text: 'regulated words' },
        },
        'a careless line',
      );
      const text = out.join('');
      expect(text).toContain('a careless line');
      expect(text).toContain('[redacted]');
      for (const s of [MASTER_PASSWORD, ADMIN_PASSWORD, 'wxa_session=abc', 'regulated words']) {
        expect(text.includes(s), `${pretty ? 'pretty' : 'JSON'} line holds ${s}`).toBe(false);
      }
    }
  });
});
