// The audit log's own retention through the CLI, on a real archive with signed checkpoints:
// `audit prune` removes what is older than audit.retentionDays behind a chained anchor, and the
// full `verify` (both chains, every checkpoint, including one whose audit head was pruned) still
// passes; tampering with what remains is still caught; a setting shorter than the longest
// retention policy is refused with the field, the policy and the least it takes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../src/compliance/audit/index.js';
import { createPolicy } from '../src/compliance/retention/policies.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { archiveOn, describeDialects, type DialectArchive } from './helpers/dialects.js';

describeDialects('audit retention', (t) => {
  const DAY = 86_400_000;

  interface Report {
    ok: boolean;
    firstBroken: { kind: string; eventId?: number; reason: string } | null;
    audit: { events: number; ok: boolean; prunedThrough?: number };
    checkpoints: { checked: number };
  }

  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;
  let config: string;
  let archive: DialectArchive;
  /** `--database URL` on PostgreSQL, beside `--config` (which names the data directory) */
  let dbArgs: string[];

  beforeAll(async () => {
    dir = await tempDir('audit-retention');
    data = join(dir.path, 'data');
    archive = await archiveOn(t, data);
    dbArgs = archive.url ? ['--database', archive.url] : [];
    const store = await archive.open();
    try {
      // Forty days of history, the oldest 100 days ago.
      for (let d = 100; d > 60; d--) {
        await appendAudit(store.db, { actor: 'alice', action: 'item.view', target: `day-${d}` }, Date.now() - d * DAY);
      }
      // And five recent ones, which stay.
      for (let d = 5; d > 0; d--) {
        await appendAudit(store.db, { actor: 'bob', action: 'item.view', target: `day-${d}` }, Date.now() - d * DAY);
      }
    } finally {
      await store.close();
    }
    // The first checkpoint signs an audit head that the prune will remove.
    expect((await cliJson<{ statement: { number: number } }>('checkpoint', ...archive.args)).statement.number).toBe(1);
    config = join(dir.path, 'config.json');
    await writeFile(config, JSON.stringify({ dataDir: data, audit: { retentionDays: 30 } }));
  }, 120_000);

  afterAll(async () => {
    await dir.cleanup();
  });

  async function verify(): Promise<{ code: number; report: Report }> {
    const r = await cli('verify', ...archive.args, '--json');
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  }

  describe('audit prune', () => {
    it('says what it would remove without removing it', async () => {
      const dry = await cliJson<{ pruned: number; dryRun: boolean }>(
        'audit',
        'prune',
        '--config',
        config,
        ...dbArgs,
        '--dry-run',
      );
      expect(dry).toMatchObject({ pruned: 40, dryRun: true });
      expect((await verify()).report.audit.events).toBeGreaterThanOrEqual(40);
    });

    it('removes the old events behind an anchor; verify passes, the pruned checkpoint head included', async () => {
      const r = await cliJson<{ pruned: number; anchor: { throughId: number; head: string } }>(
        'audit',
        'prune',
        '--config',
        config,
        ...dbArgs,
      );
      expect(r.pruned).toBe(40);
      expect((await cliJson<{ statement: { number: number } }>('checkpoint', ...archive.args)).statement.number).toBe(
        2,
      );
      const { code, report } = await verify();
      expect(report.firstBroken).toBeNull();
      expect(code).toBe(0);
      // The five recent events and the anchor remain.
      expect(report.audit).toEqual({ events: 6, ok: true, prunedThrough: r.anchor.throughId });
      expect(report.checkpoints.checked).toBe(2);
      const audit = await cli('audit', 'verify', ...archive.args);
      expect(audit.code).toBe(0);
    });

    it('still catches a removed or changed event after the prune', async () => {
      const store = await archive.open();
      const db = store.db;
      try {
        const first = await db.selectFrom('audit_events').selectAll().orderBy('id').limit(1).executeTakeFirstOrThrow();
        await db.updateTable('audit_events').set({ actor: 'mallory' }).where('id', '=', first.id).execute();
        let v = await verify();
        expect(v.code).toBe(1);
        expect(v.report.firstBroken).toMatchObject({ kind: 'audit-event', eventId: first.id });
        await db.updateTable('audit_events').set({ actor: first.actor }).where('id', '=', first.id).execute();
        expect((await verify()).code).toBe(0);

        await db.deleteFrom('audit_events').where('id', '=', first.id).execute();
        v = await verify();
        expect(v.code).toBe(1);
        expect(v.report.firstBroken).toMatchObject({ kind: 'audit-event' });
        expect(v.report.firstBroken!.reason).toMatch(/the last one audit prune removed/);
        await db.insertInto('audit_events').values(first).execute();
        expect((await verify()).code).toBe(0);
      } finally {
        await store.close();
      }
    });

    it('refuses a setting shorter than the longest retention policy', async () => {
      const store = await archive.open();
      try {
        await createPolicy(store.db, { name: 'Seven years', period: { value: 7, unit: 'years' } }, 'alice', Date.now());
      } finally {
        await store.close();
      }
      const r = await cli('audit', 'prune', '--config', config, ...dbArgs);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /audit\.retentionDays: 30 days is shorter than retention policy "Seven years" \(255[67] days\).*set at least 255[67]/,
      );
      const v = await verify();
      expect(v.report.firstBroken).toBeNull();
      expect(v.code).toBe(0);
    });
  });
});
