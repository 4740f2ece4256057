// The console's evidence package carries the latest completed verification instead of running
// one inside the download: it is refused (409 WXA_EVIDENCE_NOT_VERIFIED, saying to verify now)
// before any verification, for a run kept without its report, and when a checkpoint is newer
// than the run; otherwise the package names the run it carries (number, time, scope) in its
// report and README, and its report is that run's own, not a new one.
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/compliance/audit/index.js';
import { checkpointIfChanged } from '../../src/compliance/evidence/index.js';
import type { IntegritySummary } from '../../src/server/contract.js';
import { commitCapture, recordVerifyRun } from '../../src/store/index.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { runVerify } from '../helpers/integrity.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('console evidence package', (t) => {
  let h: ConsoleHarness;
  let auditor: Client;

  const rec = (seq: string) => ({ seq, msgid: `m${seq}`, publickey_ver: 1, json: `{"seq":${seq}}` });

  beforeAll(async () => {
    h = await startConsoleOn(t);
    auditor = await userWith(h, 'audrey', ['auditor']);
    await commitCapture(h.store.db, 'c1', [rec('1'), rec('2')], '2', Date.now());
    await checkpointIfChanged(h.store.db, h.config, { force: true });
  });

  afterAll(async () => h.close());

  interface PackagedReport {
    verification: { run: number; checkedAt: string; scope: string; since: string | null; actor: string; via: string };
    ok: boolean;
    checkedAt: string;
    since: string | null;
  }

  async function download(): Promise<{ report: PackagedReport; readme: string; text: string }> {
    const r = await auditor.request('GET', '/api/integrity/evidence');
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    const files = unzipSync(new Uint8Array(r.rawPayload));
    const read = (name: string) => Buffer.from(files[`evidence/${name}`]!).toString('utf8');
    return {
      report: JSON.parse(read('verification-report.json')) as PackagedReport,
      readme: read('README.md'),
      text: read('verification-report.txt'),
    };
  }

  async function refused(): Promise<{ code: string; message: string }> {
    const r = await auditor.request('GET', '/api/integrity/evidence');
    expect(r.statusCode).toBe(409);
    return r.json<{ code: string; message: string }>();
  }

  const runs = async () => (await h.store.db.selectFrom('verify_runs').select('id').execute()).length;

  describe('the console evidence package and the verification it carries', () => {
    it('is refused before any verification, saying to verify now', async () => {
      const summary = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(summary.evidence).toEqual({ verification: null, refused: { reason: 'never-verified', checkpoint: null } });
      const body = await refused();
      expect(body.code).toBe('WXA_EVIDENCE_NOT_VERIFIED');
      expect(body.message).toMatch(/no verification has been completed yet.*run Verify now/);
      // Refusing ran no verification of its own.
      expect(await runs()).toBe(0);
    });

    it('carries the latest completed verification, named, without running another', async () => {
      const result = await runVerify(auditor, {});
      const [kept] = await h.store.db.selectFrom('verify_runs').select(['id']).orderBy('id', 'desc').limit(1).execute();
      const summary = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(summary.evidence).toEqual({
        verification: {
          id: kept!.id,
          checkedAt: result.checkedAt,
          scope: 'full',
          since: null,
          ok: true,
          problemCount: 0,
          actor: 'audrey',
          via: 'console',
        },
        refused: null,
      });

      const before = await runs();
      const { report, readme, text } = await download();
      expect(await runs()).toBe(before);
      expect(report.verification).toEqual({
        run: kept!.id,
        checkedAt: result.checkedAt,
        scope: 'full',
        since: null,
        actor: 'audrey',
        via: 'console',
      });
      // The report is the kept run's own (its start time), not one made for the download.
      expect(report).toMatchObject({ ok: true, checkedAt: result.checkedAt, since: null });
      const named = `verification run ${kept!.id}, started ${result.checkedAt} by audrey (console), over the whole archive`;
      expect(readme).toContain(named);
      expect(text).toContain(named);

      const audit = await listAudit(h.store.db, { action: 'integrity.evidence' });
      expect(audit.events[0]).toMatchObject({ detail: { verified: true, verification: kept!.id, scope: 'full' } });
    });

    it('is refused once a checkpoint is newer than the verification, and carries the next one', async () => {
      await commitCapture(h.store.db, 'c1', [rec('3')], '3', Date.now());
      // so that the checkpoint is signed at least a millisecond after the verification started
      await new Promise((resolve) => setTimeout(resolve, 5));
      const cp = await checkpointIfChanged(h.store.db, h.config, { force: true });
      const summary = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(summary.evidence.refused).toEqual({
        reason: 'checkpoint-newer',
        checkpoint: { number: cp!.statement.number, at: expect.any(String) as string },
      });
      const body = await refused();
      expect(body.code).toBe('WXA_EVIDENCE_NOT_VERIFIED');
      expect(body.message).toContain(`checkpoint ${cp!.statement.number}, signed `);
      expect(body.message).toContain('run Verify now');

      const since = Date.now() - 3600_000;
      const result = await runVerify(auditor, { since });
      const { report, readme } = await download();
      expect(report.verification).toMatchObject({ scope: 'since', since: new Date(since).toISOString() });
      expect(report.checkedAt).toBe(result.checkedAt);
      expect(readme).toContain(`over the rows, blobs and time-stamps added since ${new Date(since).toISOString()}`);
    });

    it('is refused when the latest run kept no report (recorded before reports were kept)', async () => {
      const id = await recordVerifyRun(h.store.db, {
        checked_at: Date.now(),
        since: null,
        ok: 1,
        duration_ms: 5,
        problem_count: 0,
        first_broken: null,
        actor: 'cron',
        via: 'cli',
      });
      const summary = await auditor.json<IntegritySummary>('GET', '/api/integrity');
      expect(summary.evidence).toMatchObject({ verification: { id, actor: 'cron' }, refused: { reason: 'no-report' } });
      const body = await refused();
      expect(body.message).toMatch(new RegExp(`run ${id}, .*recorded before verification reports were kept`));
    });
  });
});
