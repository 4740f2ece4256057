// Exports of a case through the console API: a review set (one tag only) exported to RSMF and a
// saved search to EML run as background jobs with progress; the case lists them with who, when,
// format, counts and the manifest's hash; the download is a zip holding every file the manifest
// names with the hashes it gives; the manifest alone is the same bytes; an export the server
// stopped in shows as interrupted and resumes to the same manifest; only the case's members
// reach any of it; starting and downloading are audited.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { cliJson, tempDir } from '../helpers/cli.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('exports in the console API', (t) => {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  let h: ConsoleHarness;
  let tenant: { path: string; cleanup: () => Promise<void> };
  let manager: Client;
  let outsider: Client;
  let reviewer: Client;
  let caseId: number;
  let searchId: number;
  let setId: number;
  let tagged: string[];

  interface Job {
    id: string;
    status: string;
    format: string;
    createdBy: string;
    counts: { items: number; files: number; bytes: number } | null;
    manifestSha256: string | null;
    progress: { phase: string; done: number; total: number } | null;
    source: { reviewSetId?: number; savedSearchId?: number; tags?: string[]; query?: string };
    filesHere: boolean;
  }
  interface Manifest {
    exportId: string;
    case: { id: number };
    files: { path: string; sha256: string; bytes: number }[];
    items: { itemKey: string }[];
  }

  beforeAll(async () => {
    tenant = await tempDir('exports-tenant');
    await generateTenant({ outDir: join(tenant.path, 't'), seed: 5, messages: 40 });
    h = await startConsoleOn(t);
    await cliJson('run', '--once', '--sandbox', join(tenant.path, 't'), ...h.storeArgs, '--workers', '0');
    manager = await userWith(h, 'mia', ['ediscovery-manager']);
    outsider = await userWith(h, 'otto', ['ediscovery-manager']);
    reviewer = await userWith(h, 'rita', ['reviewer']);
    caseId = (await manager.json<{ id: number }>('POST', '/api/cases', { name: 'Inquiry' })).id;
    searchId = (
      await manager.json<{ id: number }>('POST', `/api/cases/${caseId}/searches`, {
        name: 'All',
        query: 'after:2000-01-01',
      })
    ).id;
    setId = (await manager.json<{ id: number }>('POST', `/api/cases/${caseId}/review-sets`, { name: 'First' })).id;
    await manager.json('POST', `/api/cases/${caseId}/review-sets/${setId}/items`, { searchId });
    const keys = (await h.store.db.selectFrom('items').select('key').orderBy('key').execute()).map((r) => r.key);
    tagged = keys.slice(0, 7);
    await manager.json('POST', `/api/review-sets/${setId}/tags`, { itemKeys: tagged, tag: 'responsive' });
  }, 300_000);

  afterAll(async () => {
    await h.close();
    await tenant.cleanup();
  });

  async function finished(id: string): Promise<Job> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const j = await manager.json<Job>('GET', `/api/cases/${caseId}/exports/${id}`);
      if (j.status !== 'running') return j;
      if (Date.now() > deadline) throw new Error(`export ${id} still running`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async function download(id: string): Promise<{ files: Record<string, Uint8Array>; manifest: Manifest; raw: Buffer }> {
    const res = await manager.request('GET', `/api/cases/${caseId}/exports/${id}/download`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const zip = unzipSync(new Uint8Array(res.rawPayload));
    const prefix = `export-${caseId}-${id}/`;
    const files = Object.fromEntries(Object.entries(zip).map(([k, v]) => [k.slice(prefix.length), v]));
    expect(Object.keys(zip).every((k) => k.startsWith(prefix))).toBe(true);
    const raw = Buffer.from(files['manifest.json']!);
    return { files, manifest: JSON.parse(raw.toString('utf8')) as Manifest, raw };
  }

  describe('exports in the console API', () => {
    let rsmf: Job;

    it('exports a review set, only one tag, to RSMF as a background job; the zip holds what the manifest hashes', async () => {
      const started = await manager.request('POST', `/api/cases/${caseId}/exports`, {
        format: 'rsmf',
        reviewSetId: setId,
        tags: ['responsive'],
      });
      expect(started.statusCode).toBe(202);
      expect(started.json<Job>().status).toBe('running');
      rsmf = await finished(started.json<Job>().id);
      expect(rsmf.status).toBe('done');
      expect(rsmf.createdBy).toBe('mia');
      expect(rsmf.counts!.items).toBe(tagged.length);
      expect(rsmf.source).toMatchObject({ reviewSetId: setId, tags: ['responsive'] });

      const { files, manifest, raw } = await download(rsmf.id);
      expect(sha(raw)).toBe(rsmf.manifestSha256);
      expect(manifest.exportId).toBe(rsmf.id);
      expect(manifest.case.id).toBe(caseId);
      expect(new Set(manifest.items.map((i) => i.itemKey))).toEqual(new Set(tagged));
      expect(manifest.files.length).toBeGreaterThan(0);
      for (const f of manifest.files) {
        expect(files[f.path], f.path).toBeDefined();
        expect(sha(files[f.path]!), f.path).toBe(f.sha256);
      }
      // the journal stays on the server
      expect(Object.keys(files).some((k) => k.startsWith('.export'))).toBe(false);
      expect(Object.keys(files).sort()).toEqual([...manifest.files.map((f) => f.path), 'manifest.json'].sort());

      const alone = await manager.request('GET', `/api/cases/${caseId}/exports/${rsmf.id}/manifest`);
      expect(alone.statusCode).toBe(200);
      expect(alone.rawPayload.equals(raw)).toBe(true);
    });

    it('exports a saved search to EML with load files; the case lists both exports, newest first', async () => {
      const started = await manager.json<Job>('POST', `/api/cases/${caseId}/exports`, {
        format: 'eml',
        savedSearchId: searchId,
      });
      const eml = await finished(started.id);
      expect(eml.status).toBe('done');
      const all = await h.store.db.selectFrom('items').select('key').execute();
      expect(eml.counts!.items).toBe(all.length);
      expect(eml.source).toMatchObject({ savedSearchId: searchId, query: 'after:2000-01-01' });
      const { files, manifest } = await download(eml.id);
      expect(files['DATA/loadfile.dat']).toBeDefined();
      expect(manifest.files.filter((f) => f.path.endsWith('.eml'))).toHaveLength(all.length);

      const list = await manager.json<{ exports: Job[] }>('GET', `/api/cases/${caseId}/exports`);
      expect(list.exports.map((j) => [j.id, j.format, j.status, j.filesHere])).toEqual([
        [eml.id, 'eml', 'done', true],
        [rsmf.id, 'rsmf', 'done', true],
      ]);

      // its directory moved away on the server (handed over, cleaned up): still listed, said to
      // be gone, and nothing to download
      const dir = join(h.dataDir, 'exports', String(caseId), eml.id);
      await rename(dir, `${dir}.moved`);
      try {
        const gone = await manager.json<{ exports: Job[] }>('GET', `/api/cases/${caseId}/exports`);
        expect(gone.exports.map((j) => [j.id, j.filesHere])).toEqual([
          [eml.id, false],
          [rsmf.id, true],
        ]);
        expect((await manager.request('GET', `/api/cases/${caseId}/exports/${eml.id}/download`)).statusCode).toBe(404);
      } finally {
        await rename(`${dir}.moved`, dir);
      }
      const back = await manager.json<Job>('GET', `/api/cases/${caseId}/exports/${eml.id}`);
      expect(back.filesHere).toBe(true);
    });

    it('lists an export made with the export command apart: its directory on the server, counts and manifest hash', async () => {
      const out = await tempDir('exports-cli');
      try {
        const made = await cliJson<{ exportId: string; manifestSha256: string; counts: Job['counts'] }>(
          ...['export', '--case', String(caseId), '--review-set', String(setId), '--tag', 'responsive'],
          ...['--format', 'eml', '--out', join(out.path, 'x'), ...h.storeArgs],
        );
        const list = await manager.json<{ exports: Job[]; cliExports: Record<string, unknown>[] }>(
          'GET',
          `/api/cases/${caseId}/exports`,
        );
        expect(list.cliExports).toEqual([
          expect.objectContaining({
            id: made.exportId,
            caseId,
            format: 'eml',
            status: 'done',
            source: { kind: 'review-set', reviewSetId: setId, tags: ['responsive'] },
            directory: join(out.path, 'x'),
            counts: made.counts,
            manifestSha256: made.manifestSha256,
            filesHere: true,
          }),
        ]);
        expect(made.counts!.items).toBe(tagged.length);
        // the console's own list is unchanged, and the command's export is not one of its jobs
        expect(list.exports).toHaveLength(2);
        expect(
          (await manager.request('GET', `/api/cases/${caseId}/exports/${made.exportId}/download`)).statusCode,
        ).toBe(404);
        // the command run on a console export's directory resumes it (done already: the same
        // manifest) and registers nothing: the console lists it
        const again = await cliJson<{ exportId: string; resumed: boolean; manifestSha256: string }>(
          ...['export', '--case', String(caseId), '--review-set', String(setId), '--tag', 'responsive'],
          ...['--format', 'rsmf', '--out', join(h.dataDir, 'exports', String(caseId), rsmf.id), ...h.storeArgs],
        );
        expect(again).toMatchObject({ exportId: rsmf.id, resumed: true, manifestSha256: rsmf.manifestSha256 });
        const after = await manager.json<{ cliExports: { id: string }[] }>('GET', `/api/cases/${caseId}/exports`);
        expect(after.cliExports.map((e) => e.id)).toEqual([made.exportId]);
        // its files moved away (handed over, cleaned up): still listed, said to be gone
        await rm(join(out.path, 'x'), { recursive: true });
        const moved = await manager.json<{ cliExports: { id: string; filesHere: boolean | null }[] }>(
          'GET',
          `/api/cases/${caseId}/exports`,
        );
        expect(moved.cliExports.map((e) => [e.id, e.filesHere])).toEqual([[made.exportId, false]]);
        // a manager of another case sees none of it
        expect((await outsider.request('GET', `/api/cases/${caseId}/exports`)).statusCode).toBe(403);
      } finally {
        await out.cleanup();
      }
    });

    it('an export the server stopped in shows as interrupted and resumes to the same manifest', async () => {
      await h.store.db.updateTable('export_jobs').set({ status: 'running' }).where('id', '=', rsmf.id).execute();
      expect((await manager.json<Job>('GET', `/api/cases/${caseId}/exports/${rsmf.id}`)).status).toBe('interrupted');
      const r = await manager.request('POST', `/api/cases/${caseId}/exports/${rsmf.id}/resume`);
      expect(r.statusCode).toBe(202);
      const again = await finished(rsmf.id);
      expect(again.status).toBe('done');
      expect(again.manifestSha256).toBe(rsmf.manifestSha256);
    });

    it('verifies a finished export against its manifest, the audit log and the archive, and names a changed file', async () => {
      interface Verification {
        ok: boolean;
        problemCount: number;
        manifestSha256: string;
        checked: { files: number; items: number };
        problems: { problem: string; path: string }[];
        archive: { manifestRecorded: boolean; itemsChecked: number; itemsNotInArchive: number };
      }
      const ok = await manager.json<Verification>('POST', `/api/cases/${caseId}/exports/${rsmf.id}/verify`);
      expect(ok).toMatchObject({
        ok: true,
        problemCount: 0,
        manifestSha256: rsmf.manifestSha256,
        archive: { manifestRecorded: true, itemsChecked: tagged.length, itemsNotInArchive: 0 },
      });
      expect(ok.checked.items).toBe(tagged.length);
      expect(ok).not.toHaveProperty('dir');
      // a byte changed in one of its files on the server
      const dir = join(h.dataDir, 'exports', String(caseId), rsmf.id);
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
      const file = join(dir, manifest.files[0]!.path);
      const before = await readFile(file);
      const changed = Buffer.from(before);
      changed[changed.length - 2] = changed[changed.length - 2]! ^ 1;
      await writeFile(file, changed);
      try {
        const bad = await manager.json<Verification>('POST', `/api/cases/${caseId}/exports/${rsmf.id}/verify`);
        expect(bad.ok).toBe(false);
        expect(bad.problems.map((p) => [p.problem, p.path])).toEqual([['sha256', manifest.files[0]!.path]]);
      } finally {
        await writeFile(file, before);
      }
      for (const who of [outsider, reviewer])
        expect((await who.request('POST', `/api/cases/${caseId}/exports/${rsmf.id}/verify`)).statusCode).toBe(403);
      const audited = await h.store.db
        .selectFrom('audit_events')
        .select(['actor', 'detail_json'])
        .where('action', '=', 'case.export.verify')
        .orderBy('id')
        .execute();
      expect(audited.map((a) => [a.actor, (JSON.parse(a.detail_json) as { ok: boolean }).ok])).toEqual([
        ['mia', true],
        ['mia', false],
      ]);
    });

    it('refuses what is not a valid export, and everyone who is not a member of the case', async () => {
      const both = await manager.request('POST', `/api/cases/${caseId}/exports`, {
        format: 'eml',
        savedSearchId: searchId,
        reviewSetId: setId,
      });
      expect(both.statusCode).toBe(400);
      const tagsOnSearch = await manager.request('POST', `/api/cases/${caseId}/exports`, {
        format: 'eml',
        savedSearchId: searchId,
        tags: ['responsive'],
      });
      expect(tagsOnSearch.statusCode).toBe(400);
      const badFormat = await manager.request('POST', `/api/cases/${caseId}/exports`, {
        format: 'zip',
        savedSearchId: 1,
      });
      expect(badFormat.statusCode).toBe(400);
      const noSearch = await manager.request('POST', `/api/cases/${caseId}/exports`, {
        format: 'eml',
        savedSearchId: 999,
      });
      expect(noSearch.statusCode).toBe(404);

      for (const who of [outsider, reviewer]) {
        expect((await who.request('GET', `/api/cases/${caseId}/exports`)).statusCode).toBe(403);
        expect((await who.request('GET', `/api/cases/${caseId}/exports/${rsmf.id}/download`)).statusCode).toBe(403);
        expect((await who.request('GET', `/api/cases/${caseId}/exports/${rsmf.id}/manifest`)).statusCode).toBe(403);
        expect(
          (await who.request('POST', `/api/cases/${caseId}/exports`, { format: 'eml', savedSearchId: searchId }))
            .statusCode,
        ).toBe(403);
      }
      // an export of another case is not reached through this one
      const other = (await outsider.json<{ id: number }>('POST', '/api/cases', { name: 'Other' })).id;
      expect((await outsider.request('GET', `/api/cases/${other}/exports/${rsmf.id}`)).statusCode).toBe(404);
    });

    it('audits starting, the export with its manifest hash, and each download', async () => {
      const audit = await h.store.db
        .selectFrom('audit_events')
        .select(['actor', 'action', 'detail_json'])
        .orderBy('id')
        .execute();
      const of = (action: string) => audit.filter((a) => a.action === action);
      expect(of('case.export.start').map((a) => a.actor)).toEqual(['mia', 'mia']);
      expect(of('case.export.resume')).toHaveLength(1);
      const done = of('export').map((a) => JSON.parse(a.detail_json) as { exportId: string; manifestSha256: string });
      expect(done.find((d) => d.exportId === rsmf.id)?.manifestSha256).toBe(rsmf.manifestSha256);
      expect(of('case.export.download').length).toBeGreaterThanOrEqual(2);
      expect(of('case.export.manifest')).toHaveLength(1);
    });
  });
});
