// `reindex` on a live `serve`, as an operator runs it: a real `serve` process archives a sandbox
// tenant that keeps growing, `wechat-archiver reindex` rebuilds the index from another process,
// and searches through the console's API run all the while. No search during the rebuild may
// find less than the archive held when it started (each item answers from its old index row or
// its new one, never neither), and afterwards every archived item is found.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchPage } from '../src/server/contract.js';
import { appendMessages, generateTenant } from '../src/sources/sandbox/index.js';
import { setupAdminByApi } from './helpers/browser.js';
import { tempDir } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-process.js';
import { PASSWORD } from './helpers/console.js';
import { explainFailure, startServe, type ServeProcess } from './helpers/serve-process.js';

const MESSAGES = 1200;
/** Messages added to the tenant during the rebuild, a batch at a time, for serve to archive. */
const APPEND_BATCH = 20;
const ADMIN = { username: 'rita', displayName: 'Rita Reindex', password: PASSWORD };
/** Filter-only queries that select every item, and every text message. */
const ALL = 'after:2000-01-01';
const TEXTS = 'type:text';

let dir: { path: string; cleanup: () => Promise<void> };
let tenant: string;
let serve: ServeProcess;
let session: { cookie: string };

function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(serve.dataDir, 'archive.db'), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const itemCount = (where = '1 = 1') =>
  readDb((db) => (db.prepare(`SELECT count(*) AS n FROM items WHERE ${where}`).get() as { n: number }).n);

const rebuilding = () =>
  readDb((db) => db.prepare("SELECT 1 FROM settings WHERE key = 'search.reindex.cursor'").get() !== undefined);

async function search(q: string, limit = 500): Promise<SearchPage> {
  const res = await fetch(`${serve.url}/api/search?q=${encodeURIComponent(q)}&limit=${limit}`, {
    headers: { cookie: session.cookie },
  });
  if (res.status !== 200) throw new Error(`search ${q}: ${res.status} ${await res.text()}`);
  return (await res.json()) as SearchPage;
}

/** Every hit of a query, following the cursor. */
async function allKeys(q: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let cursor: string | null = null;
  do {
    const url = `${serve.url}/api/search?q=${encodeURIComponent(q)}&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await fetch(url, { headers: { cookie: session.cookie } });
    if (res.status !== 200) throw new Error(`search ${q}: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as SearchPage;
    for (const h of page.items) keys.add(h.itemKey);
    cursor = page.next;
  } while (cursor);
  return keys;
}

/** Text messages with a 2-character Chinese substring as their query, spread over the archive. */
function sampleTexts(n: number): { key: string; query: string }[] {
  const rows = readDb(
    (db) =>
      db.prepare("SELECT key, model_json FROM items WHERE msgtype = 'text' ORDER BY key").all() as {
        key: string;
        model_json: string;
      }[],
  );
  const out: { key: string; query: string }[] = [];
  const step = Math.max(1, Math.floor(rows.length / n));
  for (let i = 0; i < rows.length && out.length < n; i += step) {
    const text = (JSON.parse(rows[i]!.model_json) as { content: { text?: string } }).content.text ?? '';
    const m = /[\u4e00-\u9fff]{2}/u.exec(text);
    if (m) out.push({ key: rows[i]!.key, query: m[0] });
  }
  return out;
}

/** The search total of a query and the item count, read when no run archived in between. */
async function settled(q: string, where?: string): Promise<{ total: number; items: number }> {
  for (let i = 0; i < 50; i++) {
    const before = itemCount(where);
    const total = (await search(q, 1)).total;
    if (itemCount(where) === before) return { total, items: before };
  }
  throw new Error(`${q}: the archive never held still long enough to compare`);
}

beforeAll(async () => {
  dir = await tempDir('reindex-live');
  tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 23, messages: MESSAGES });
  const config = join(dir.path, 'config.json');
  await writeFile(
    config,
    JSON.stringify({
      connectors: [{ id: 'corp', source: { kind: 'sandbox', dir: tenant }, mapping: { catchAll: 'desk@example.com' } }],
    }),
  );
  serve = await startServe({ intervalSeconds: 1, args: ['--config', config] });
  await setupAdminByApi(serve.url, serve.setupToken, ADMIN);
  const s = await fetch(`${serve.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
  });
  expect(s.status).toBe(200);
  session = { cookie: /wxa_session=[^;]+/.exec(s.headers.get('set-cookie') ?? '')![0] };
  // The first run archives the generated traffic (a few records are held as faults).
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (itemCount() >= MESSAGES * 0.9) break;
    await new Promise((r) => setTimeout(r, 500));
  }
}, 300_000);

afterAll(async () => {
  await serve?.stop();
  await dir?.cleanup();
});

describe('reindex on a live serve', () => {
  it('loses no result while serve keeps archiving, and finds every item afterwards', async () => {
    await explainFailure(serve, async () => {
      const start = await settled(ALL);
      expect(start.items).toBeGreaterThanOrEqual(MESSAGES * 0.9);
      expect(start.total).toBe(start.items);
      const samples = sampleTexts(8);
      expect(samples.length).toBeGreaterThanOrEqual(4);
      const before = new Map(await Promise.all(samples.map(async (s) => [s.query, await allKeys(s.query)] as const)));
      for (const s of samples) expect(before.get(s.query)!.has(s.key), `${s.query} finds ${s.key}`).toBe(true);

      const reindex = spawnCli(['reindex', '--data-dir', serve.dataDir, '--batch', '5', '--json']);
      let exited = false;
      void reindex.done.then(() => (exited = true));
      let seed = 100;
      let polls = 0;
      let pollsWhileRebuilding = 0;
      let itemsWhenSeenRebuilding: number | undefined;
      let itemsAddedWhileRebuilding = 0;
      while (!exited) {
        // serve archives what is appended on its next run (every second).
        await appendMessages(tenant, APPEND_BATCH, seed++, { after: Date.now() });
        for (let k = 0; k < 4 && !exited; k++) {
          const during = rebuilding();
          // Every item archived before the search started is indexed (the pipeline indexes in
          // the transaction that archives), so the search must find at least that many.
          const atLeast = itemCount();
          const textsAtLeast = itemCount("msgtype = 'text'");
          const [all, texts] = [await search(ALL, 1), await search(TEXTS, 1)];
          expect(all.total, 'filter-only query during the rebuild').toBeGreaterThanOrEqual(atLeast);
          expect(texts.total, 'type:text during the rebuild').toBeGreaterThanOrEqual(textsAtLeast);
          const s = samples[polls % samples.length]!;
          const found = await allKeys(s.query);
          for (const key of before.get(s.query)!) expect(found.has(key), `${s.query} still finds ${key}`).toBe(true);
          polls++;
          if (during && rebuilding()) {
            pollsWhileRebuilding++;
            itemsWhenSeenRebuilding ??= atLeast;
            itemsAddedWhileRebuilding = itemCount() - itemsWhenSeenRebuilding;
          }
          await new Promise((r) => setTimeout(r, 150));
        }
      }
      const result = await reindex.done;
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout) as { items: number; indexed: number; resumed: boolean };
      expect(summary.resumed).toBe(false);
      expect(summary.indexed).toBeGreaterThanOrEqual(start.items);
      // The searches really overlapped the rebuild, and serve archived while it ran.
      expect(pollsWhileRebuilding).toBeGreaterThan(0);
      expect(itemsAddedWhileRebuilding).toBeGreaterThan(0);

      const end = await settled(ALL);
      expect(end.items).toBeGreaterThan(start.items);
      expect(end.total).toBe(end.items);
      const texts = await settled(TEXTS, "msgtype = 'text'");
      expect(texts.total).toBe(texts.items);
      for (const s of samples) expect((await allKeys(s.query)).has(s.key), `${s.query} finds ${s.key}`).toBe(true);
      // The rebuild is finished: no cursor is left to resume from.
      expect(rebuilding()).toBe(false);
      // serve's own runs waited their turn too: none failed on the lock.
      expect(serve.stderr()).not.toMatch(/database is locked|SQLITE_BUSY/);
    });
  }, 300_000);
});
