// `export list` lists every export the archive knows of, the latest first: a query's export made
// without a case (which no case's `case show` lists), a case's export made with the command, one
// killed midway (interrupted), and a console export (via console, in the data directory); in
// text and in JSON. `--case ID` gives the rows `case show ID` gives. `export` itself keeps its
// flags and its JSON beside the new subcommand. Each runs on the archive's SQLite file and on
// PostgreSQL (test/helpers/dialects.ts).
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { saveSearch } from '../src/compliance/cases/index.js';
import { ExportJobs, type ExportResult } from '../src/compliance/export/index.js';
import type { Store } from '../src/store/index.js';
import { archiveFixture, type ArchiveFixture } from './helpers/archive-fixture.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-process.js';
import { describeDialects } from './helpers/dialects.js';

interface Listed {
  id: string;
  via: 'console' | 'cli';
  caseId: number | null;
  format: string;
  status: string;
  source: Record<string, unknown>;
  directory: string;
  writtenBy: string | null;
  createdBy: string;
  createdAt: string;
  counts: { items: number; files: number; bytes: number } | null;
  manifestSha256: string | null;
  filesHere: boolean | null;
}

/** what `export --json` prints */
type Exported = ExportResult;

/** A console export of the case's saved search, run as the console runs it, to its end. */
async function consoleExport(store: Store, dataDir: string, caseId: number) {
  const actor = { username: 'counsel' };
  const search = await saveSearch(store.db, caseId, 'texts', 'type:text', actor);
  const jobs = new ExportJobs({ store, dataDir, pdfFont: {}, now: Date.now });
  const started = await jobs.start(caseId, 'eml', { savedSearchId: search.id }, actor);
  for (let job = started; ; job = await jobs.get(caseId, started.id)) {
    if (job.status !== 'running') return { job, searchId: search.id };
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeDialects('export list', (t) => {
  let fixture: ArchiveFixture;

  beforeAll(async () => {
    fixture = await archiveFixture('export-list', { seed: 5, messages: 40 }, 20, t);
  }, 300_000);

  afterAll(async () => fixture?.cleanup());

  it("lists every export, a query's without a case among them, which only it lists; --case narrows", async () => {
    const arc = await fixture.copyOn();
    expect(await cliJson('export', 'list', ...arc.args)).toEqual([]);
    const caseId = Number((await cli('case', 'create', 'Matter L', ...arc.args)).stdout.trim());

    // a query's export, no case: registered, and named by no case
    const query = await cliJson<Exported>(
      'export',
      '--query',
      'type:text',
      '--format',
      'eml',
      '--out',
      `${arc.data}-query`,
      ...arc.args,
    );
    // a case's export, made with the command
    expect((await cli('hold', 'add', '--case', String(caseId), '--query', 'type:text', ...arc.args)).code).toBe(0);
    const ofCase = await cliJson<Exported>(
      'export',
      '--case',
      String(caseId),
      '--format',
      'mbox',
      '--out',
      `${arc.data}-case`,
      ...arc.args,
    );
    // a query's export killed midway: interrupted, its process gone
    const cut = `${arc.data}-cut`;
    const killed = await spawnCli(
      ['export', '--query', 'after:2000-01-01', '--format', 'rsmf', '--out', cut, ...arc.args],
      { env: { WXA_CRASH_AT: 'export-item:3' } },
    ).done;
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    // and one from the console, of the case's saved search
    const store = await arc.open();
    let fromConsole: Awaited<ReturnType<typeof consoleExport>>;
    try {
      fromConsole = await consoleExport(store, arc.data, caseId);
    } finally {
      await store.close();
    }
    expect(fromConsole.job.status).toBe('done');

    const listed = await cliJson<Listed[]>('export', 'list', ...arc.args);
    expect(listed.map((e) => [e.via, e.format, e.status, e.caseId, e.source])).toEqual([
      ['console', 'eml', 'done', caseId, { savedSearchId: fromConsole.searchId, query: 'type:text', name: 'texts' }],
      ['cli', 'rsmf', 'interrupted', null, { kind: 'query', query: 'after:2000-01-01' }],
      ['cli', 'mbox', 'done', caseId, { kind: 'case' }],
      ['cli', 'eml', 'done', null, { kind: 'query', query: 'type:text' }],
    ]);
    const [c, interrupted, , q] = listed;
    expect(q).toMatchObject({
      id: query.exportId,
      directory: `${arc.data}-query`,
      counts: query.counts,
      manifestSha256: query.manifestSha256,
      writtenBy: expect.stringMatching(new RegExp(`^${hostname()} pid \\d+$`)),
    });
    expect(listed[2]).toMatchObject({ id: ofCase.exportId, manifestSha256: ofCase.manifestSha256 });
    expect(interrupted).toMatchObject({ directory: cut, counts: null, manifestSha256: null });
    expect(c).toMatchObject({
      id: fromConsole.job.id,
      directory: join(arc.data, 'exports', String(caseId), fromConsole.job.id),
      counts: fromConsole.job.counts,
      manifestSha256: fromConsole.job.manifestSha256,
    });
    expect(await readdir(c!.directory)).toContain('manifest.json');

    const text = (await cli('export', 'list', ...arc.args)).stdout;
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED +VIA +FORMAT +STATUS +ITEMS +FILES +BYTES +BY +WHAT +HOST +DIRECTORY$/);
    const n = query.counts;
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^\\S+ +console +eml +done +\\d+ +\\d+ +\\d+ +counsel +case ${caseId}, saved search ${fromConsole.searchId}: type:text +- +${c!.directory}$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^\\S+ +cli +rsmf +interrupted +- +- +- +\\S+ +query after:2000-01-01 +${hostname()} +${cut}$`),
      ),
      expect.stringMatching(
        new RegExp(
          `^\\S+ +cli +mbox +done +\\d+ +\\d+ +\\d+ +\\S+ +case ${caseId}, what the holds preserve +${hostname()} +`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^\\S+ +cli +eml +done +${n.items} +${n.files} +${n.bytes} +\\S+ +query type:text +${hostname()} +${arc.data}-query$`,
        ),
      ),
    ]);

    // the case lists its own exports, not the query's made without it; --case gives the same rows
    const shown = await cliJson<{ exports: Listed[] }>('case', 'show', String(caseId), ...arc.args);
    expect(shown.exports.map((e) => e.id)).toEqual([fromConsole.job.id, ofCase.exportId]);
    expect(await cliJson<Listed[]>('export', 'list', '--case', String(caseId), ...arc.args)).toEqual(shown.exports);

    // every directory is there; once one is moved away (handed over, cleaned up) it is marked gone
    expect(listed.map((e) => e.filesHere)).toEqual([true, true, true, true]);
    await rm(q!.directory, { recursive: true });
    const after = await cliJson<Listed[]>('export', 'list', ...arc.args);
    expect(after.map((e) => [e.id, e.status, e.filesHere])).toEqual(
      listed.map((e) => [e.id, e.status, e.id === q!.id ? false : true]),
    );
    const gone = (await cli('export', 'list', ...arc.args)).stdout.split('\n').filter((l) => l.endsWith(' (gone)'));
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatch(new RegExp(` ${hostname()} +`));
    expect(gone[0]!.endsWith(` ${q!.directory} (gone)`)).toBe(true);

    const unknown = await cli('export', 'list', '--case', '999999', ...arc.args);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no case has id 999999');
  }, 180_000);

  it('keeps `export --query ... --format eml --out DIR --json` as it was, beside the subcommand', async () => {
    const arc = await fixture.copyOn();
    const out = `${arc.data}-eml`;
    const r = await cli('export', '--query', 'type:text', '--format', 'eml', '--out', out, '--json', ...arc.args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout) as Exported;
    expect(Object.keys(res).sort()).toEqual(['counts', 'exportId', 'manifest', 'manifestSha256', 'outDir', 'resumed']);
    expect(res).toMatchObject({ outDir: out, manifest: join(out, 'manifest.json'), resumed: false });
    expect(res.counts.items).toBeGreaterThan(0);
    // its required options are still required of it, and not of `export list`
    const noFormat = await cli('export', '--query', 'type:text', '--out', `${out}-2`, ...arc.args);
    expect(noFormat.code).toBe(1);
    expect(noFormat.stderr).toContain("error: required option '--format <format>' not specified");
    expect(existsSync(`${out}-2`)).toBe(false);
    expect((await cliJson<Listed[]>('export', 'list', ...arc.args)).map((e) => e.id)).toEqual([res.exportId]);
    // an option before `list` would be the export's: refused, naming it
    const before = await cli('export', ...arc.args, 'list');
    expect(before.code).toBe(1);
    expect(before.stderr).toContain('export list: give --data-dir');
  }, 120_000);
});

it('export list refuses a data directory that holds no archive, and makes none there', async () => {
  const dir = await tempDir('export-list-empty');
  try {
    const r = await cli('export', 'list', '--data-dir', dir.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('WXA_CONFIG_NOT_FOUND');
    expect(r.stderr).toContain(`${dir.path} holds no archive`);
    expect(await readdir(dir.path)).toEqual([]);
  } finally {
    await dir.cleanup();
  }
});
