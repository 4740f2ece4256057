// `case show` gives what a CLI user needs to export a review set: the case's saved searches with
// their counts and its review sets with their ids, item counts and reviewers (the ids
// `export --case ID --review-set ID` takes), in text and in JSON; and every export made of the
// case, the export command's among them: done with its counts and manifest hash, interrupted
// when its process was killed, the same entry again once the command resumed it, failed with why.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addSearchToReviewSet, createReviewSet, saveSearch } from '../src/compliance/cases/index.js';
import { cliExportEntry } from '../src/compliance/export/index.js';
import { archiveFixture, type ArchiveFixture } from './helpers/archive-fixture.js';
import { cli, cliJson } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-process.js';

interface ShownExport {
  id: string;
  via: string;
  format: string;
  status: string;
  source: Record<string, unknown>;
  directory: string;
  createdAt: string;
  counts: { items: number; files: number; bytes: number } | null;
  manifestSha256: string | null;
  error: string | null;
}

let fixture: ArchiveFixture;

beforeAll(async () => {
  fixture = await archiveFixture('case-show', { seed: 5, messages: 40 }, 20);
}, 300_000);

afterAll(async () => fixture.cleanup());

it('lists the saved searches, review sets and exports of a case, none for a new one', async () => {
  const arc = await fixture.copyOn();
  const caseId = Number((await cli('case', 'create', 'Matter C', ...arc.args)).stdout.trim());
  const empty = await cli('case', 'show', String(caseId), ...arc.args);
  expect(empty.stdout).toContain('saved searches:\n(none)\n');
  expect(empty.stdout).toContain('review sets:\n(none)\n');
  expect(empty.stdout).toContain('exports:\n(none)\n');

  const store = await arc.open();
  const actor = { username: 'counsel' };
  let searchId: number;
  let setId: number;
  let items: number;
  try {
    const search = await saveSearch(store.db, caseId, 'texts', 'type:text', actor);
    searchId = search.id;
    items = search.counts.items;
    setId = (await createReviewSet(store.db, caseId, 'first pass', actor)).id;
    await addSearchToReviewSet(store.db, caseId, setId, searchId, actor);
  } finally {
    await store.close();
  }
  expect(items).toBeGreaterThan(0);

  const shown = await cliJson<{
    id: number;
    savedSearches: { id: number; name: string; query: string; counts: { items: number } }[];
    reviewSets: { id: number; name: string; items: number; reviewers: string[] }[];
  }>('case', 'show', String(caseId), ...arc.args);
  expect(shown.id).toBe(caseId);
  expect(shown.savedSearches).toMatchObject([{ id: searchId, name: 'texts', query: 'type:text', counts: { items } }]);
  expect(shown.reviewSets).toMatchObject([{ id: setId, name: 'first pass', items, reviewers: [] }]);

  const text = (await cli('case', 'show', String(caseId), ...arc.args)).stdout;
  expect(text).toMatch(
    new RegExp(`\\nSEARCH +NAME +ITEMS +MAILBOXES +BYTES +RUN +QUERY *\\n${searchId} +texts +${items} `),
  );
  expect(text).toMatch(
    new RegExp(`\\nSET +ITEMS +REVIEWERS +CREATED +NAME *\\n${setId} +${items} +- +\\S+ +first pass`),
  );
  // and that set is what the export takes
  const out = await cliJson<{
    exportId: string;
    counts: { items: number; files: number; bytes: number };
    manifestSha256: string;
  }>(
    'export',
    '--case',
    String(caseId),
    '--review-set',
    String(setId),
    '--format',
    'eml',
    '--out',
    `${arc.data}-set`,
    ...arc.args,
  );
  expect(out.counts.items).toBe(items);

  // the case lists that export, made with the export command
  const listed = await cliJson<{ exports: ShownExport[] }>('case', 'show', String(caseId), ...arc.args);
  expect(listed.exports).toEqual([
    expect.objectContaining({
      id: out.exportId,
      via: 'cli',
      format: 'eml',
      status: 'done',
      source: { kind: 'review-set', reviewSetId: setId },
      directory: `${arc.data}-set`,
      counts: out.counts,
      manifestSha256: out.manifestSha256,
      error: null,
    }),
  ]);
  const listedText = (await cli('case', 'show', String(caseId), ...arc.args)).stdout;
  expect(listedText).toMatch(
    new RegExp(
      `\\nexports:\\nSTARTED +VIA +FORMAT +STATUS +ITEMS +BY +WHAT +DIRECTORY *\\n\\S+ +cli +eml +done +${items} +\\S+ +review set ${setId} +\\S+-set`,
    ),
  );

  // killed midway: interrupted (its process is gone); run again, it resumes into the same entry.
  // The case's export takes what its holds preserve.
  expect((await cli('hold', 'add', '--case', String(caseId), '--query', 'type:text', ...arc.args)).code).toBe(0);
  const cut = `${arc.data}-cut`;
  const args = ['export', '--case', String(caseId), '--format', 'mbox', '--out', cut, ...arc.args];
  const killed = await spawnCli(args, { env: { WXA_CRASH_AT: 'export-item:3' } }).done;
  expect(killed.signal, killed.stderr).toBe('SIGKILL');
  const during = await cliJson<{ exports: ShownExport[] }>('case', 'show', String(caseId), ...arc.args);
  expect(during.exports.map((e) => [e.format, e.status, e.directory])).toEqual([
    ['mbox', 'interrupted', cut],
    ['eml', 'done', `${arc.data}-set`],
  ]);
  const resumed = await cliJson<{ exportId: string; resumed: boolean; manifestSha256: string }>(...args);
  expect(resumed.resumed).toBe(true);
  const after = await cliJson<{ exports: ShownExport[] }>('case', 'show', String(caseId), ...arc.args);
  expect(after.exports.map((e) => [e.id, e.format, e.status, e.manifestSha256])).toEqual([
    [resumed.exportId, 'mbox', 'done', resumed.manifestSha256],
    [out.exportId, 'eml', 'done', out.manifestSha256],
  ]);
  expect(after.exports[0]!.createdAt).toBe(during.exports[0]!.createdAt);
  expect(after.exports[0]!.source).toEqual({ kind: 'case' });

  // an export that began and failed is listed as failed, with why
  const store2 = await arc.open();
  try {
    const entry = cliExportEntry(store2, {
      caseId,
      query: 'type:text',
      format: 'rsmf',
      outDir: `${arc.data}-failed`,
      actor: 'counsel',
    });
    await entry.begin('00000000-0000-4000-8000-000000000001');
    await entry.failed(new Error('no space left on device'));
  } finally {
    await store2.close();
  }
  const failed = await cliJson<{ exports: ShownExport[] }>('case', 'show', String(caseId), ...arc.args);
  expect(failed.exports[0]).toMatchObject({
    id: '00000000-0000-4000-8000-000000000001',
    status: 'failed',
    source: { kind: 'query', query: 'type:text' },
    error: 'no space left on device',
  });
}, 180_000);
