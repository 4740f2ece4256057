// `case show` gives what a CLI user needs to export a review set: the case's saved searches with
// their counts and its review sets with their ids, item counts and reviewers (the ids
// `export --case ID --review-set ID` takes), in text and in JSON.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addSearchToReviewSet, createReviewSet, saveSearch } from '../src/compliance/cases/index.js';
import { archiveFixture, type ArchiveFixture } from './helpers/archive-fixture.js';
import { cli, cliJson } from './helpers/cli.js';

let fixture: ArchiveFixture;

beforeAll(async () => {
  fixture = await archiveFixture('case-show', { seed: 5, messages: 40 }, 20);
}, 300_000);

afterAll(async () => fixture.cleanup());

it('lists the saved searches and review sets of a case, none for a new one', async () => {
  const arc = await fixture.copyOn();
  const caseId = Number((await cli('case', 'create', 'Matter C', ...arc.args)).stdout.trim());
  const empty = await cli('case', 'show', String(caseId), ...arc.args);
  expect(empty.stdout).toContain('saved searches:\n(none)\n');
  expect(empty.stdout).toContain('review sets:\n(none)\n');

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
  const out = await cliJson<{ counts: { items: number } }>(
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
}, 120_000);
