// Users' mailboxes, end to end against a real Dovecot: a sandbox tenant run through the CLI
// lands in the "WeChat Archiver" folder of every mapped employee, where the user's own mail
// client reads it byte for byte as archived, dated by the message time, marked read, with its
// attachments. A kill -9 between an APPEND and the ledger update, or in the middle of a
// multi-message APPEND, then a restart, leaves exactly one copy of every message.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttachmentRef, ChatMessage } from '../src/core/model.js';
import { messageIdFor } from '../src/render/index.js';
import { openStore } from '../src/store/index.js';
import { generateTenant, readTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { startDovecot, type Dovecot } from './helpers/dovecot.js';
import { asUser, findMessage, messageIdsIn } from './helpers/imap-read.js';
import { longOr } from './helpers/long-tests.js';
import { spawnCli, type ChildResult } from './helpers/cli-process.js';

const MASTER = { name: 'archiver', password: 'master-secret' };
const FOLDER = 'WeChat Archiver';
/**
 * Messages in the tenant. WXA_LONG_TESTS=1 runs 10,000, the size the archive promises to file
 * into Dovecot (about 29,000 deliveries; several minutes on a 2-core machine); the default suite
 * runs 400, enough for every message type (the sandbox sends each type once first), dozens of
 * attachments and several mailboxes, through the same assertions. WXA_E2E_MESSAGES=N picks
 * another size.
 */
const MESSAGES = Number(process.env.WXA_E2E_MESSAGES ?? longOr(10_000, 400));

interface RunReport {
  status: string;
  fetched: number;
  archived: number;
  heldTotal: number;
  failed: number;
  interruptedRunsFound: number;
  delivery?: {
    delivered: number;
    partial: number;
    duplicates: number;
    retried: number;
    held: Record<string, number>;
    paused: string[];
  };
}

interface MailboxSummary {
  address: string;
  folder: string;
  items: number;
}

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

interface Setup {
  config: string;
  dataDir: string;
  dovecot: Dovecot;
  /** e-mail addresses of the sandbox employees, each a Dovecot user */
  mailboxes: string[];
}

/** A tenant, a Dovecot with one user per employee mailbox, and a config file that joins them. */
async function setup(prefix: string, seed: number, messages: number): Promise<Setup> {
  const dir = await tempDir(prefix);
  cleanups.push(dir.cleanup);
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed, messages });
  const people = (await readTenant(tenant)).directory.people;
  const mailboxes = people.filter((p) => p.kind === 'internal' && p.email).map((p) => p.email!);
  const dovecot = await startDovecot({
    masterUser: MASTER,
    users: mailboxes.map((name, i) => ({ name, password: `user-secret-${i}` })),
  });
  cleanups.push(() => dovecot.stop());
  const dataDir = join(dir.path, 'data');
  const config = join(dir.path, 'config.json');
  const imap = {
    kind: 'imap',
    host: dovecot.host,
    port: dovecot.port,
    // Clear text on purpose: the server is a Dovecot on loopback that this test started, and
    // TLS is covered by the IMAP destination's own tests.
    secure: false,
    starttls: false,
    auth: { kind: 'master', masterUser: MASTER.name, password: MASTER.password },
    checkMailbox: mailboxes[0],
  };
  const cfg = {
    dataDir,
    workers: 2,
    connectors: [
      {
        id: 'bank',
        source: { kind: 'sandbox', dir: tenant },
        mapping: { autoFromDirectoryEmail: true },
        destinations: [{ kind: 'archive' }, imap],
      },
    ],
  };
  await writeFile(config, JSON.stringify(cfg, null, 2));
  return { config, dataDir, dovecot, mailboxes };
}

function query<T>(dataDir: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Message-IDs each mailbox should hold, from the embedded archive's entries. */
function expectedIds(dataDir: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const rows = query<{ mailbox: string; item_key: string }>(dataDir, 'SELECT mailbox, item_key FROM mailbox_entries');
  for (const r of rows) {
    const list = out.get(r.mailbox) ?? [];
    list.push(messageIdFor(r.item_key));
    out.set(r.mailbox, list);
  }
  return out;
}

/** Every mailbox's folder holds each expected Message-ID exactly once, and nothing else. */
async function expectExactlyOnce(s: Setup, expected: Map<string, string[]>): Promise<void> {
  for (const mailbox of s.mailboxes) {
    const ids = await asUser(s.dovecot, mailbox, (c) => messageIdsIn(c, FOLDER));
    const want = expected.get(mailbox) ?? [];
    expect(ids.length, mailbox).toBe(want.length);
    expect(new Set(ids).size, `${mailbox} holds a message twice`).toBe(ids.length);
    expect([...ids].sort(), mailbox).toEqual([...want].sort());
  }
}

interface SampleRow {
  key: string;
  msgid: string;
  msgtype: string;
  msg_time: number;
  model_json: string;
  mime_sha256: string;
}

/**
 * Up to `size` items with unique msgids (what `item show` looks up): the first of every
 * message type, so every kind of attachment is in, then evenly spread others.
 */
function sampleItems(dataDir: string, size: number): SampleRow[] {
  const rows = query<SampleRow>(
    dataDir,
    `SELECT key, msgid, msgtype, msg_time, model_json, mime_sha256 FROM items
     WHERE msgid IN (SELECT msgid FROM items GROUP BY msgid HAVING count(*) = 1)
       AND key IN (SELECT item_key FROM mailbox_entries)
     ORDER BY seq_key`,
  );
  const picked = new Map<string, SampleRow>();
  for (const r of rows) if (![...picked.values()].some((p) => p.msgtype === r.msgtype)) picked.set(r.key, r);
  const stride = Math.max(1, Math.floor(rows.length / size));
  for (let i = 0; i < rows.length && picked.size < size; i += stride) picked.set(rows[i]!.key, rows[i]!);
  return [...picked.values()];
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(key(r), [...(out.get(key(r)) ?? []), r]);
  return out;
}

/** IMAP logins in Dovecot's log. */
const logins = (log: string) => log.split('\n').filter((l) => /imap-login: (Info: )?Login: /.test(l)).length;

/** Runs the CLI in a child process, as an operator's service manager would. */
function runChild(config: string, env: Record<string, string>): Promise<ChildResult> {
  return spawnCli(['run', '--once', '--config', config, '--json'], { env }).done;
}

describe('IMAP mailboxes end to end', () => {
  it(
    `files a ${MESSAGES}-message tenant into every mapped mailbox, read back by the users themselves`,
    async () => {
      const s = await setup('imap-e2e', 31, MESSAGES);
      const report = await cliJson<RunReport>('run', '--once', '--config', s.config);
      expect(report.status).toBe('succeeded');
      expect(report.fetched).toBe(MESSAGES);
      expect(report.archived + report.heldTotal + report.failed).toBe(report.fetched);

      // Only employees are mapped (directory e-mail), and every employee has a Dovecot user.
      const boxes = await cliJson<MailboxSummary[]>('mailbox', 'list', '--config', s.config);
      expect(boxes.length).toBeGreaterThan(1);
      for (const b of boxes) {
        expect(s.mailboxes).toContain(b.address);
        expect(b.folder).toBe(FOLDER);
      }
      const entries = boxes.reduce((n, b) => n + b.items, 0);
      expect(entries).toBeGreaterThan(MESSAGES);
      expect(report.delivery).toEqual({
        delivered: entries,
        partial: 0,
        duplicates: 0,
        retried: 0,
        held: {},
        paused: [],
        waiting: [],
        leaseLost: 0,
      });

      // Per mailbox: the folder holds exactly the archive's entries, each once.
      const expected = expectedIds(s.dataDir);
      for (const b of boxes) expect(expected.get(b.address)?.length).toBe(b.items);
      await expectExactlyOnce(s, expected);

      // A sample, every message type among it: the stored message is the archived one.
      const sample = sampleItems(s.dataDir, 50);
      expect(sample.length).toBeGreaterThanOrEqual(50);
      const boxesOf = new Map<string, string[]>();
      for (const r of query<{ item_key: string; mailbox: string }>(
        s.dataDir,
        'SELECT item_key, mailbox FROM mailbox_entries',
      )) {
        boxesOf.set(r.item_key, [...(boxesOf.get(r.item_key) ?? []), r.mailbox]);
      }
      const media = new Map(
        query<{ sdkfileid: string; sha256: string }>(
          s.dataDir,
          'SELECT sdkfileid, sha256 FROM media WHERE sha256 IS NOT NULL',
        ).map((m) => [m.sdkfileid, m.sha256]),
      );
      // The archived bytes from the store (one CLI `item show --mime` checks that path gives the
      // same), then each mailbox read once for all its sampled messages: one login per mailbox.
      const archivedOf = new Map<string, Buffer>();
      const store = await openStore(s.dataDir);
      try {
        for (const item of sample) archivedOf.set(item.key, await store.blobs.read(store.db, item.mime_sha256));
      } finally {
        await store.close();
      }
      const shown = await cli('item', 'show', sample[0]!.msgid, '--mime', '--config', s.config);
      expect(shown.code).toBe(0);
      expect(shown.bytes.equals(archivedOf.get(sample[0]!.key)!)).toBe(true);
      const sampleIn = new Map<string, SampleRow[]>();
      for (const item of sample) {
        const messageId = (await simpleParser(archivedOf.get(item.key)!)).messageId;
        expect(messageId).toBe(messageIdFor(item.key));
        for (const mailbox of boxesOf.get(item.key) ?? [])
          sampleIn.set(mailbox, [...(sampleIn.get(mailbox) ?? []), item]);
      }
      let attachmentsChecked = 0;
      for (const [mailbox, items] of sampleIn) {
        const stored = await asUser(s.dovecot, mailbox, async (c) => {
          const out = new Map<string, Awaited<ReturnType<typeof findMessage>>>();
          for (const item of items) out.set(item.key, await findMessage(c, FOLDER, messageIdFor(item.key)));
          return out;
        });
        for (const item of items) {
          const found = stored.get(item.key)!;
          const archived = archivedOf.get(item.key)!;
          expect(found, `${item.msgtype} ${item.msgid} in ${mailbox}`).toHaveLength(1);
          const copy = found[0]!;
          expect(copy.source.equals(archived), `${item.msgid} in ${mailbox} differs from the archive`).toBe(true);
          expect(copy.internalDate).toBe(Math.floor(item.msg_time / 1000) * 1000);
          expect(copy.flags.has('\\Seen')).toBe(true);
          const parsed = await simpleParser(copy.source);
          const got = new Set(parsed.attachments.map((a) => sha256(a.content)));
          const model = JSON.parse(item.model_json) as ChatMessage;
          for (const a of model.attachments.filter((x: AttachmentRef) => media.has(x.sdkfileid))) {
            expect(got.has(media.get(a.sdkfileid)!), `${item.msgtype} ${item.msgid}: ${a.filename}`).toBe(true);
            attachmentsChecked++;
          }
        }
      }
      expect(
        sample.filter((r) => (JSON.parse(r.model_json) as ChatMessage).attachments.length > 0).length,
      ).toBeGreaterThanOrEqual(5);
      expect(attachmentsChecked).toBeGreaterThanOrEqual(10);
    },
    120_000 + MESSAGES * 100,
  );

  it('leaves exactly one copy of every message after a kill -9 between APPEND and the ledger', async () => {
    // About 1,100 deliveries: the kill at the 600th APPEND lands mid-way, with rows on both sides.
    const s = await setup('imap-crash', 32, 400);
    const crashed = await runChild(s.config, { WXA_CRASH_AT: 'after-deliver:600' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');

    const ledger = () =>
      query<{ id: number; item_key: string; mailbox: string; status: string; lease_until: number | null }>(
        s.dataDir,
        "SELECT id, item_key, mailbox, status, lease_until FROM deliveries WHERE destination_id = 'imap'",
      );
    const atCrash = ledger();
    const recorded = atCrash.filter((r) => r.status === 'delivered' || r.status === 'duplicate');
    // The 600th APPEND killed the process before its ledger update. Outcomes are committed in
    // groups (at most 256 rows or half a second), so some were recorded and the rest not.
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.length).toBeLessThan(600);
    expect(atCrash.every((r) => r.status !== 'duplicate' && r.status !== 'held')).toBe(true);

    // Rows still leased by the dead worker whose message Dovecot already has: the crash point.
    const leased = atCrash.filter((r) => r.status === 'pending' && r.lease_until !== null);
    const landed: typeof leased = [];
    // One login per mailbox: a lane leases a chunk of its mailbox's rows, so thousands may be leased.
    for (const [mailbox, rows] of groupBy(leased, (r) => r.mailbox)) {
      const ids = await asUser(s.dovecot, mailbox, (c) => messageIdsIn(c, FOLDER));
      for (const r of rows) {
        const n = ids.filter((id) => id === messageIdFor(r.item_key)).length;
        expect(n).toBeLessThanOrEqual(1);
        if (n === 1) landed.push(r);
      }
    }
    expect(landed.length).toBeGreaterThanOrEqual(1);

    // The restart finds the interrupted run and releases its leases itself (no waiting for them to expire).
    const loginsBefore = logins(await s.dovecot.log());
    const restart = await cliJson<RunReport>('run', '--once', '--config', s.config);
    // Each mailbox's backlog is delivered on kept connections: at most one login per lane on
    // a mailbox (4 by default) and the check mailbox, not one per handful of items.
    expect(logins(await s.dovecot.log()) - loginsBefore).toBeLessThanOrEqual(s.mailboxes.length * 4 + 2);
    expect(restart.status).toBe('succeeded');
    expect(restart.interruptedRunsFound).toBe(1);
    expect(restart.delivery?.duplicates).toBeGreaterThanOrEqual(1);
    expect(restart.delivery?.duplicates).toBe(landed.length);
    expect(restart.delivery?.held).toEqual({});
    expect(restart.delivery?.partial).toBe(0);

    const after = ledger();
    expect(after.filter((r) => r.status !== 'delivered' && r.status !== 'duplicate')).toEqual([]);
    expect(recorded.length + restart.delivery!.delivered + restart.delivery!.duplicates).toBe(after.length);
    const byId = new Map(after.map((r) => [r.id, r]));
    for (const [mailbox, rows] of groupBy(landed, (r) => r.mailbox)) {
      const ids = await asUser(s.dovecot, mailbox, (c) => messageIdsIn(c, FOLDER));
      for (const r of rows) {
        expect(byId.get(r.id)?.status).toBe('duplicate');
        expect(ids.filter((id) => id === messageIdFor(r.item_key))).toHaveLength(1);
      }
    }

    // Per mailbox: as many messages as ledger rows that are delivered or duplicate, each once.
    const fromLedger = new Map<string, string[]>();
    for (const r of after) fromLedger.set(r.mailbox, [...(fromLedger.get(r.mailbox) ?? []), messageIdFor(r.item_key)]);
    await expectExactlyOnce(s, fromLedger);
    // ... and the ledger is the archive's entries, one row each.
    const entries = expectedIds(s.dataDir);
    for (const [mailbox, ids] of entries) expect([...(fromLedger.get(mailbox) ?? [])].sort()).toEqual([...ids].sort());
  }, 240_000);

  it('leaves exactly one copy of every message after a kill -9 in the middle of a multi-message APPEND', async () => {
    // The kill comes at the third batch: what follows it only has to be there to be delivered.
    const s = await setup('imap-crash-batch', 33, 300);
    // The third MULTIAPPEND is cut off on the wire; earlier batches may have landed with
    // their outcomes still waiting for the group commit.
    const crashed = await runChild(s.config, { WXA_CRASH_AT: 'mid-append:3' });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const atCrash = query<{
      id: number;
      item_key: string;
      mailbox: string;
      status: string;
      lease_until: number | null;
    }>(s.dataDir, "SELECT id, item_key, mailbox, status, lease_until FROM deliveries WHERE destination_id = 'imap'");
    const leased = atCrash.filter((r) => r.status === 'pending' && r.lease_until !== null);
    expect(leased.length).toBeGreaterThan(0);
    let landed = 0;
    for (const [mailbox, rows] of groupBy(leased, (r) => r.mailbox)) {
      const ids = await asUser(s.dovecot, mailbox, (c) => messageIdsIn(c, FOLDER));
      for (const r of rows) {
        const n = ids.filter((id) => id === messageIdFor(r.item_key)).length;
        expect(n).toBeLessThanOrEqual(1);
        landed += n;
      }
    }
    const recorded = atCrash.filter((r) => r.status === 'delivered').length;

    const restart = await cliJson<RunReport>('run', '--once', '--config', s.config);
    expect(restart.status).toBe('succeeded');
    // Every leased row was looked up: those that landed are found, not sent again.
    expect(restart.delivery?.duplicates).toBe(landed);
    expect(restart.delivery?.held).toEqual({});
    expect(recorded + restart.delivery!.delivered + restart.delivery!.duplicates).toBe(atCrash.length);
    const after = query<{ mailbox: string; item_key: string; status: string }>(
      s.dataDir,
      "SELECT mailbox, item_key, status FROM deliveries WHERE destination_id = 'imap'",
    );
    expect(after.filter((r) => r.status !== 'delivered' && r.status !== 'duplicate')).toEqual([]);
    const fromLedger = new Map<string, string[]>();
    for (const r of after) fromLedger.set(r.mailbox, [...(fromLedger.get(r.mailbox) ?? []), messageIdFor(r.item_key)]);
    await expectExactlyOnce(s, fromLedger);
  }, 240_000);
});
