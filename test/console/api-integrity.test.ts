// The Integrity page's API: auditors and org admins read it, a reviewer gets 403; the summary
// shows the latest checkpoint, a seq gap as it appears, and the last backup with its age; a
// verify run through the console is kept and shown; the evidence package downloads as a zip
// holding the public key, the README and checksums that match its files.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup } from '../../src/compliance/backup/index.js';
import { checkpointIfChanged } from '../../src/compliance/evidence/index.js';
import type { IntegritySummary, IntegrityVerifyJob } from '../../src/server/contract.js';
import { listAudit } from '../../src/compliance/audit/index.js';
import { commitCapture } from '../../src/store/index.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { runVerify } from '../helpers/integrity.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('integrity API', (t) => {
  let h: ConsoleHarness;
  let admin: Client;
  let auditor: Client;
  let reviewer: Client;
  let backupDir: string;

  const rec = (seq: string) => ({ seq, msgid: `m${seq}`, publickey_ver: 1, json: `{"seq":${seq}}` });

  beforeAll(async () => {
    h = await startConsoleOn(t, { config: { backup: { dir: 'backup' } } });
    backupDir = h.config.backup!.dir;
    admin = await userWith(h, 'admin', ['org-admin']);
    auditor = await userWith(h, 'audrey', ['auditor']);
    reviewer = await userWith(h, 'rita', ['reviewer']);
    await commitCapture(h.store.db, 'c1', [rec('1'), rec('2'), rec('3')], '3', Date.now());
  });

  afterAll(async () => h.close());

  describe('integrity API', () => {
    it('is open to auditors and org admins, refused to a reviewer', async () => {
      for (const [method, url] of [
        ['GET', '/api/integrity'],
        ['POST', '/api/integrity/verify'],
        ['GET', '/api/integrity/evidence'],
      ] as const) {
        const r = await reviewer.request(method, url, method === 'POST' ? {} : undefined);
        expect(r.statusCode, url).toBe(403);
      }
      expect((await auditor.request('GET', '/api/integrity')).statusCode).toBe(200);
      expect((await admin.request('GET', '/api/integrity')).statusCode).toBe(200);
    });

    it('shows the latest checkpoint, a passed verification that was kept, then a seq gap', async () => {
      const before = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(before.latestCheckpoint).toBeNull();
      expect(before.gaps).toEqual([]);
      expect(before.chains.ingest.events).toBeGreaterThan(0);

      const cp = await checkpointIfChanged(h.store.db, h.config, { force: true });
      const run = await runVerify(auditor, {});
      expect(run).toMatchObject({ ok: true, problemCount: 0, firstBroken: null, since: null });

      const after = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(after.latestCheckpoint).toMatchObject({
        number: cp!.statement.number,
        signed: true,
        timestamped: false,
      });
      expect(after.chains.ingest.head).toBe(cp!.statement.ingest.head);
      expect(after.lastVerification).toMatchObject({ ok: true, actor: 'audrey', via: 'console', problemCount: 0 });
      expect(after.lastVerification!.checkedAt).toBe(run.checkedAt);

      await commitCapture(h.store.db, 'c1', [rec('7'), rec('8')], '8', Date.now());
      const gapped = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(gapped.gaps).toEqual([{ connectorId: 'c1', from: '4', to: '6', count: 3 }]);
      // The kept verification is still the passed one until verify runs again.
      expect(gapped.lastVerification!.ok).toBe(true);

      const failed = await runVerify(admin, { since: Date.now() - 3600_000 });
      expect(failed.ok).toBe(false);
      expect(failed.firstBroken).toMatchObject({ kind: 'seq-gap', connectorId: 'c1', from: '4', to: '6' });
      const shown = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(shown.lastVerification).toMatchObject({ ok: false, actor: 'admin', firstBroken: { kind: 'seq-gap' } });
      expect(shown.lastVerification!.since).not.toBeNull();

      const audit = await listAudit(h.store.db, { action: 'integrity.verify' });
      expect(audit.events.map((e) => e.actor).sort()).toEqual(['admin', 'audrey']);
    });

    it('runs one verify at a time in the background: asking again joins the run in progress', async () => {
      const first = await auditor.request('POST', '/api/integrity/verify', {});
      const second = await admin.request('POST', '/api/integrity/verify', {});
      const a = first.json<IntegrityVerifyJob>();
      const b = second.json<IntegrityVerifyJob>();
      expect(b.id).toBe(a.id);
      expect(b.actor).toBe('audrey');
      expect((await auditor.json<{ job: IntegrityVerifyJob }>('GET', '/api/integrity/verify/latest')).job.id).toBe(
        a.id,
      );
      let job = a;
      while (job.state === 'running') {
        // A pause between polls, as the page makes: the run needs the event loop to read files.
        await new Promise((resolve) => setTimeout(resolve, 20));
        job = await auditor.json<IntegrityVerifyJob>('GET', `/api/integrity/verify/${a.id}`);
      }
      // The last phase it reported, and its result: the seq gap made above is still there.
      expect(job).toMatchObject({ state: 'done', progress: { phase: 'seq' }, result: { ok: false } });
      const unknown = await auditor.request('GET', '/api/integrity/verify/00000000-0000-4000-8000-000000000000');
      expect(unknown.statusCode).toBe(404);
      expect((await reviewer.request('GET', `/api/integrity/verify/${a.id}`)).statusCode).toBe(403);
    });

    it('downloads the evidence package as a zip with the public key, README and matching checksums', async () => {
      const r = await auditor.request('GET', '/api/integrity/evidence');
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('application/zip');
      expect(String(r.headers['content-disposition'])).toMatch(
        /^attachment; filename="evidence-\d{4}-\d{2}-\d{2}\.zip"$/,
      );
      const files = unzipSync(new Uint8Array(r.rawPayload));
      const key = Buffer.from(files['evidence/public-key.pem']!).toString('utf8');
      expect(key).toBe(await readFile(join(h.dataDir, 'evidence.pub'), 'utf8'));
      expect(Buffer.from(files['evidence/README.md']!).toString('utf8')).toContain('openssl');
      expect(files['evidence/checkpoints/000001.sig']).toBeDefined();
      const sums = Buffer.from(files['evidence/SHA256SUMS']!).toString('utf8').trim().split('\n');
      expect(sums.length).toBeGreaterThan(3);
      for (const line of sums) {
        const [hash, path] = [line.slice(0, 64), line.slice(66)];
        expect(createHash('sha256').update(files[`evidence/${path}`]!).digest('hex'), path).toBe(hash);
      }
      const audit = await listAudit(h.store.db, { action: 'integrity.evidence' });
      expect(audit.events).toHaveLength(1);
      expect(audit.events[0]).toMatchObject({
        actor: 'audrey',
        detail: { verified: false, files: Object.keys(files).length },
      });
    });

    it('shows the last backup and its age once one was made (PostgreSQL: says pg_dump makes them)', async () => {
      if (t.kind === 'postgres') {
        const summary = await auditor.json<IntegritySummary>('GET', '/api/integrity');
        expect(summary.backup).toMatchObject({ dir: backupDir, lastAt: null, snapshot: null });
        expect(summary.backup!.error).toContain('pg_dump');
        await expect(runBackup(h.store.db, h.config, backupDir)).rejects.toMatchObject({
          code: 'WXA_STORE_SQLITE_ONLY',
        });
        return;
      }
      const none = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(none.backup).toMatchObject({ dir: backupDir, lastAt: null });
      expect(none.backup!.error).toContain('no complete backup');
      const m = await runBackup(h.store.db, h.config, backupDir);
      const some = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(some.backup).toMatchObject({ dir: backupDir, lastAt: m.createdAt, snapshot: m.snapshot, error: null });
      expect(some.backup!.ageMs).toBeGreaterThanOrEqual(0);
      expect(some.backup!.ageMs).toBeLessThan(60_000);
    });
  });
});
