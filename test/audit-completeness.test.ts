// Audit completeness: CLI reads leave events with the OS user, refused API calls leave events
// with who tried what, and the exported log (CSV and JSON) carries the chain fields from which
// an auditor recomputes every hash without this software's help.
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditHash, AUDIT_GENESIS, listAudit } from '../src/compliance/audit/index.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { startConsoleOn, userWith, type ConsoleHarness } from './helpers/console.js';
import { archiveOn, describeDialects, type DialectArchive } from './helpers/dialects.js';

describeDialects('audit completeness', (t) => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;
  let archive: DialectArchive;
  const me = `os:${userInfo().username}`;

  beforeAll(async () => {
    dir = await tempDir('audit-complete');
    const sandbox = join(dir.path, 'tenant');
    await generateTenant({ outDir: sandbox, seed: 9, messages: 40 });
    data = join(dir.path, 'data');
    archive = await archiveOn(t, data);
    await cliJson('run', '--once', '--sandbox', sandbox, ...archive.args, '--workers', '0');
  }, 300_000);

  afterAll(async () => {
    await dir.cleanup();
  });

  async function events() {
    const store = await archive.open();
    try {
      return (await listAudit(store.db, { limit: 500 })).events.reverse();
    } finally {
      await store.close();
    }
  }

  describe('CLI reads', () => {
    it('audits item show and mailbox show with the OS user', async () => {
      const boxes = await cliJson<{ address: string }[]>('mailbox', 'list', ...archive.args);
      const shown = await cliJson<{ entries: { msgid: string }[] }>(
        'mailbox',
        'show',
        boxes[0]!.address,
        ...archive.args,
      );
      const msgid = shown.entries[0]!.msgid;
      const item = await cli('item', 'show', msgid, ...archive.args, '--mime');
      expect(item.code).toBe(0);
      const log = await events();
      expect(log.find((e) => e.action === 'mailbox.open')).toMatchObject({
        actor: me,
        target: boxes[0]!.address.toLowerCase(),
        detail: { via: 'cli' },
      });
      expect(log.find((e) => e.action === 'item.view')).toMatchObject({
        actor: me,
        detail: { msgid, mime: true, via: 'cli' },
      });
    });
  });

  describe('audit export', () => {
    it('exports CSV and JSON whose chain fields recompute to the same hashes', async () => {
      const csv = await cli('audit', 'export', '--format', 'csv', ...archive.args);
      expect(csv.code).toBe(0);
      const rows = parse(csv.stdout, { columns: true }) as Record<string, string>[];
      expect(rows.length).toBeGreaterThanOrEqual(3);
      let prev = AUDIT_GENESIS;
      for (const r of rows) {
        expect(r.prev_hash).toBe(prev);
        const recomputed = auditHash(prev, {
          at: Number(r.at),
          actor: r.actor!,
          action: r.action!,
          target: r.target!,
          detail: JSON.parse(r.detail!),
          ip: r.ip!,
        });
        expect(recomputed).toBe(r.hash);
        prev = r.hash!;
      }
      expect(rows[rows.length - 1]).toMatchObject({ action: 'audit.export', actor: me });
      const json = await cli('audit', 'export', '--format', 'json', ...archive.args);
      const list = JSON.parse(json.stdout) as { id: number; hash: string; prevHash: string; action: string }[];
      expect(list.length).toBe(rows.length + 1); // the second export is an event too
      expect(list.slice(0, rows.length).map((e) => e.hash)).toEqual(rows.map((r) => r.hash));
      expect((await cli('audit', 'export', '--format', 'xml', ...archive.args)).code).toBe(2);
    });
  });

  describe('refused API calls', () => {
    let h: ConsoleHarness;
    beforeAll(async () => {
      h = await startConsoleOn(t);
    });
    afterAll(async () => {
      await h?.close();
    });

    it('audits 401 and 403 with who tried what, but not a public route refusing a login', async () => {
      expect((await h.app.inject({ method: 'GET', url: '/api/audit' })).statusCode).toBe(401);
      const reviewer = await userWith(h, 'rita', ['reviewer']);
      expect((await reviewer.request('GET', '/api/audit')).statusCode).toBe(403);
      expect(
        (await reviewer.request('DELETE', '/api/session', undefined, { 'x-csrf-token': 'wrong' })).statusCode,
      ).toBe(403);
      expect(
        (
          await h.app.inject({
            method: 'POST',
            url: '/api/session',
            payload: { username: 'rita', password: 'nope-nope-nope' },
          })
        ).statusCode,
      ).toBe(401);
      const log = (await listAudit(h.store.db, { limit: 500 })).events.reverse();
      const refused = log.filter((e) => e.action === 'auth.refused');
      expect(refused).toEqual([
        expect.objectContaining({
          actor: 'anonymous',
          target: '/api/audit',
          detail: { status: 401, method: 'GET', required: expect.any(String), roles: [] },
        }),
        expect.objectContaining({
          actor: 'rita',
          target: '/api/audit',
          detail: expect.objectContaining({ status: 403, method: 'GET', roles: ['reviewer'] }),
        }),
        expect.objectContaining({ actor: 'rita', detail: expect.objectContaining({ status: 403, method: 'DELETE' }) }),
      ]);
      expect(log.filter((e) => e.action === 'auth.login-failed')).toHaveLength(1);
    });
  });
});
