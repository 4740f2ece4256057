// Console exports with several console processes on one database (`serve --role console`): an
// export another live process writes shows as running there too, with the progress that process
// reported and the process named; resuming it is refused while its writer lives, and once the
// writer's heartbeat is gone exactly one of several consoles takes it over and finishes it. The
// single process (no owner) keeps its old behaviour. On SQLite and on PostgreSQL.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportJobs } from '../../src/compliance/export/index.js';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import {
  claimExportJob,
  exportJob,
  insertExportJob,
  processLeaseName,
  releaseLease,
  saveExportProgress,
  tryAcquireLease,
  type Lease,
} from '../../src/store/index.js';
import { cliJson, tempDir } from '../helpers/cli.js';
import { startConsoleOn, userWith, type ConsoleHarness } from '../helpers/console.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('console exports across processes', (t) => {
  let h: ConsoleHarness;
  let tenant: { path: string; cleanup: () => Promise<void> };
  let caseId: number;
  let searchId: number;
  const actor = { username: 'mia', ip: '127.0.0.1' };
  const leases = new Map<string, Lease>();

  const processOf = (name: string) => ({ owner: `owner-${name}`, holder: `host-${name} pid 1 serve --role console` });
  const jobsOf = (name: string | undefined, dataDir = h.dataDir) =>
    new ExportJobs({
      store: h.store,
      dataDir,
      pdfFont: h.config.export,
      now: Date.now,
      ...(name ? { process: processOf(name) } : {}),
    });
  async function alive(name: string): Promise<void> {
    const p = processOf(name);
    const lease = await tryAcquireLease(h.store.db, {
      name: processLeaseName(p.owner),
      owner: p.owner,
      holder: p.holder,
      ttlMs: 60_000,
      now: Date.now(),
    });
    leases.set(name, lease!);
  }
  const dies = (name: string) => releaseLease(h.store.db, leases.get(name)!, Date.now());

  /** A running export row written by process `name`, as that process leaves it. */
  async function runningRow(id: string, name: string): Promise<void> {
    const p = processOf(name);
    await insertExportJob(h.store.db, {
      id,
      case_id: caseId,
      format: 'eml',
      source_json: JSON.stringify({ savedSearchId: searchId, query: 'after:2000-01-01', name: 'All' }),
      status: 'running',
      created_by: 'mia',
      created_at: Date.now(),
      finished_at: null,
      items: null,
      files: null,
      bytes: null,
      manifest_sha256: null,
      error: null,
      owner: p.owner,
      holder: p.holder,
      progress_json: null,
    });
    await saveExportProgress(h.store.db, id, p.owner, JSON.stringify({ phase: 'files', done: 12, total: 40 }));
  }

  async function finished(jobs: ExportJobs, id: string) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const j = await jobs.get(caseId, id);
      if (j.status !== 'running') return j;
      if (Date.now() > deadline) throw new Error(`export ${id} still running`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    tenant = await tempDir('export-owners-tenant');
    await generateTenant({ outDir: join(tenant.path, 't'), seed: 9, messages: 30 });
    h = await startConsoleOn(t);
    await cliJson('run', '--once', '--sandbox', join(tenant.path, 't'), ...h.storeArgs, '--workers', '0');
    const manager = await userWith(h, 'mia', ['ediscovery-manager']);
    caseId = (await manager.json<{ id: number }>('POST', '/api/cases', { name: 'Inquiry' })).id;
    searchId = (
      await manager.json<{ id: number }>('POST', `/api/cases/${caseId}/searches`, {
        name: 'All',
        query: 'after:2000-01-01',
      })
    ).id;
  }, 300_000);

  afterAll(async () => {
    await h.close();
    await tenant.cleanup();
  });

  describe('console exports across processes', () => {
    it('shows an export another live process writes as running, with its progress and its process', async () => {
      await alive('a');
      const id = '00000000-0000-4000-8000-00000000000a';
      await runningRow(id, 'a');
      for (const jobs of [jobsOf('b'), jobsOf(undefined)]) {
        const seen = await jobs.get(caseId, id);
        expect(seen).toMatchObject({
          status: 'running',
          writtenBy: 'host-a pid 1 serve --role console',
          progress: { phase: 'files', done: 12, total: 40 },
        });
        expect((await jobs.list(caseId)).find((j) => j.id === id)?.status).toBe('running');
      }
      // Resuming it elsewhere is answered with the running export, and nothing is taken over.
      const answered = await jobsOf('b').resume(caseId, id, actor);
      expect(answered.status).toBe('running');
      expect((await exportJob(h.store.db, caseId, id, Date.now()))?.owner).toBe('owner-a');
      await dies('a');
    });

    it('once the writer is gone, shows it interrupted, and the console that resumes it takes it over and finishes it', async () => {
      await alive('c');
      const id = '00000000-0000-4000-8000-00000000000c';
      await runningRow(id, 'c');
      await dies('c');
      const b = jobsOf('b', join(h.dataDir, 'b'));
      expect(await b.get(caseId, id)).toMatchObject({ status: 'interrupted', progress: null });
      await alive('b');
      const resumed = await b.resume(caseId, id, actor);
      expect(resumed).toMatchObject({ status: 'running', writtenBy: 'host-b pid 1 serve --role console' });
      const done = await finished(b, id);
      expect(done).toMatchObject({ status: 'done', error: null, writtenBy: 'host-b pid 1 serve --role console' });
      expect(done.counts?.items).toBeGreaterThan(0);
      const row = await exportJob(h.store.db, caseId, id, Date.now());
      expect(row?.owner).toBe('owner-b');
      // What it reported on the way is in the row for the other consoles.
      expect(JSON.parse(row?.progress_json ?? 'null')).toMatchObject({ phase: expect.any(String) });
      await dies('b');
    });

    it('lets exactly one of two consoles take over the same interrupted export', async () => {
      const id = '00000000-0000-4000-8000-00000000000d';
      await alive('d');
      await runningRow(id, 'd');
      await dies('d');
      // Each claimant is a live process (it holds its heartbeat while it claims).
      await alive('e');
      await alive('f');
      const took = await Promise.all(['e', 'f'].map((n) => claimExportJob(h.store.db, id, processOf(n), Date.now())));
      expect(took.filter(Boolean)).toHaveLength(1);
      // A done export is never taken over.
      const doneId = '00000000-0000-4000-8000-00000000000e';
      await runningRow(doneId, 'd');
      await h.store.db.updateTable('export_jobs').set({ status: 'done' }).where('id', '=', doneId).execute();
      expect(await claimExportJob(h.store.db, doneId, processOf('e'), Date.now())).toBe(false);
    });

    it('the single process starts and finishes an export as before, without an owner', async () => {
      const jobs = jobsOf(undefined);
      const started = await jobs.start(caseId, 'eml', { savedSearchId: searchId }, actor);
      expect(started).toMatchObject({ status: 'running', writtenBy: null });
      expect(await finished(jobs, started.id)).toMatchObject({ status: 'done', writtenBy: null });
      expect((await exportJob(h.store.db, caseId, started.id, Date.now()))?.owner).toBeNull();
    });
  });
});
