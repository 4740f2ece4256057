// `reindex` on PostgreSQL: an archive made by the sandbox pipeline (on SQLite) is copied into
// PostgreSQL with its index rows but without any tokens or facets (as a move to PostgreSQL
// leaves it), and reindexed there, interrupted once and resumed: the result is the index the
// pipeline built on SQLite, row for row, and every query returns the same pages on both.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery, searchArchive, type SearchResult } from '../src/compliance/search/index.js';
import { compileQuery } from '../src/compliance/search/query-compile.js';
import { reindexArchive } from '../src/compliance/search/reindex.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import {
  checkSearchIntegrity,
  exportKeyPages,
  legalHoldCounts,
  openStore,
  searchCounts,
  searchFingerprints,
  type LegalHoldRow,
  type Store,
} from '../src/store/index.js';
import { cliJson, tempDir } from './helpers/cli.js';
import { copyTablesToPostgres } from './helpers/copy-to-postgres.js';
import { startPostgres, type PostgresCluster } from './helpers/postgres.js';

/** An export's selection of a query, its pages joined. */
async function exportKeys(db: Store['db'], cond: ReturnType<typeof compileQuery>, page?: number): Promise<string[]> {
  const keys: string[] = [];
  for await (const p of exportKeyPages(db, { kind: 'query', cond }, page)) keys.push(...p.keys);
  return keys;
}

const QUERIES = [
  '客户',
  '理',
  'type:text',
  'has:attachment',
  'is:external',
  'from:zhangsan',
  '保本 OR 赎回',
  '-type:text',
];

let dir: { path: string; cleanup: () => Promise<void> };
let pg: PostgresCluster;
let lite: Store;
let post: Store;

async function pages(store: Store, query: string): Promise<SearchResult[]> {
  const out: SearchResult[] = [];
  let cursor: string | undefined;
  do {
    const r = await searchArchive(store, { query, limit: 40, ...(cursor ? { cursor } : {}) });
    out.push(r);
    cursor = r.nextCursor;
  } while (cursor && out.length < 100);
  return out;
}

beforeAll(async () => {
  dir = await tempDir('search-pg-reindex');
  const tenant = join(dir.path, 'tenant');
  const data = join(dir.path, 'data');
  await generateTenant({ outDir: tenant, seed: 3, messages: 400 });
  const run = await cliJson<{ archived: number }>('run', '--once', '--sandbox', tenant, '--data-dir', data);
  expect(run.archived).toBeGreaterThan(300);
  pg = await startPostgres();
  const url = await pg.createDatabase();
  post = await openStore(data, { database: { url } });
  const copied = await copyTablesToPostgres(
    join(data, 'archive.db'),
    url,
    (t) => t.startsWith('search_') && t !== 'search_items',
  );
  expect(copied.items).toBe(run.archived);
  lite = await openStore(data);
}, 300_000);

afterAll(async () => {
  await lite?.close();
  await post?.close();
  await pg?.stop();
  await dir?.cleanup();
});

describe('reindex on PostgreSQL', () => {
  it('interrupted and resumed, rebuilds the index the pipeline built on SQLite', async () => {
    expect((await searchArchive(post, { query: '客户' })).total).toBe(0);
    let batches = 0;
    await expect(
      reindexArchive(post, {
        batchSize: 50,
        onProgress: () => {
          if (++batches === 3) throw new Error('stopped half-way');
        },
      }),
    ).rejects.toThrow('stopped half-way');
    const summary = await reindexArchive(post, { batchSize: 50 });
    expect(summary.resumed).toBe(true);
    expect(summary.indexed).toBeLessThan(summary.items);
    expect(await searchFingerprints(post.db)).toEqual(await searchFingerprints(lite.db));
    await checkSearchIntegrity(post.db);
  }, 300_000);

  it('answers every query with the same pages as SQLite', async () => {
    let found = 0;
    for (const q of QUERIES) {
      const want = await pages(lite, q);
      expect(await pages(post, q), q).toEqual(want);
      if (want[0]!.total > 0) found++;
    }
    expect(found).toBeGreaterThanOrEqual(QUERIES.length - 1);
  }, 120_000);

  it('selects the same items for query holds, case search counts and query exports', async () => {
    for (const q of QUERIES) {
      const cond = compileQuery(parseQuery(q));
      const hold: LegalHoldRow = {
        id: 1,
        case_id: 1,
        kind: 'query',
        custodian: null,
        query: q,
        cond_json: JSON.stringify(cond),
        date_from: null,
        date_to: null,
        placed_by: 'admin',
        placed_at: 0,
        released_by: null,
        released_at: null,
        release_reason: null,
      };
      const keys = await exportKeys(lite.db, cond);
      // in pages of 7 there: each page starts after the last key of the one before
      expect(await exportKeys(post.db, cond, 7), q).toEqual(keys);
      expect(await legalHoldCounts(post.db, hold), q).toEqual(await legalHoldCounts(lite.db, hold));
      expect(await searchCounts(post.db, cond), q).toEqual(await searchCounts(lite.db, cond));
      expect(keys.length).toBe((await searchArchive(lite, { query: q, limit: 1 })).total);
    }
  }, 120_000);
});
