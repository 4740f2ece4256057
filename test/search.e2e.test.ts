// Search end to end on a sandbox archive: the CLI finds a Chinese substring in what `run --once`
// just archived (newest first, highlighted, audited), a bad query points at its position, a
// reindex killed with SIGKILL resumes to exactly the index the pipeline built in one go, and
// searches running during a reindex never lose a result.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchArchive, type SearchResult } from '../src/compliance/search/index.js';
import { reindexArchive } from '../src/compliance/search/reindex.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { checkSearchIntegrity, openStore, searchFingerprints } from '../src/store/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { cliNodeArgs } from './helpers/cli-runtime.js';

const MESSAGES = 1500;
let dir: { path: string; cleanup: () => Promise<void> };
let data: string;

function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(data, 'archive.db'), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Text messages as archived (the raw model, not the index), to pick queries and check recall. */
function textItems(): { key: string; text: string; time: number }[] {
  return readDb((db) =>
    (
      db.prepare("SELECT key, model_json, msg_time FROM items WHERE msgtype = 'text'").all() as {
        key: string;
        model_json: string;
        msg_time: number;
      }[]
    ).map((r) => ({
      key: r.key,
      text: (JSON.parse(r.model_json) as { content: { text: string } }).content.text,
      time: r.msg_time,
    })),
  );
}

beforeAll(async () => {
  dir = await tempDir('search');
  const tenant = join(dir.path, 'tenant');
  data = join(dir.path, 'data');
  await generateTenant({ outDir: tenant, seed: 5, messages: MESSAGES });
  const run = await cliJson<{ archived: number }>(
    'run',
    '--once',
    '--sandbox',
    tenant,
    '--data-dir',
    data,
    '--workers',
    '0',
  );
  expect(run.archived).toBeGreaterThan(0);
}, 300_000);

afterAll(async () => {
  await dir.cleanup();
});

describe('search through the CLI', () => {
  it('finds every archived text containing a Chinese substring, newest first, highlighted and audited', async () => {
    const texts = textItems();
    const sample = texts.find((t) => /[\u4e00-\u9fff]{3}/u.test(t.text))!;
    const q = /[\u4e00-\u9fff]{2}/u.exec(sample.text.slice(sample.text.search(/[\u4e00-\u9fff]{3}/u)))![0];
    const res = await cliJson<SearchResult>('search', q, '--data-dir', data, '--limit', '500');
    const found = new Set(res.items.map((h) => h.itemKey));
    const containing = texts.filter((t) => t.text.includes(q));
    expect(containing.length).toBeGreaterThan(0);
    for (const t of containing) expect(found.has(t.key), t.key).toBe(true);
    for (const h of res.items) {
      expect(Object.keys(h)).toEqual(
        expect.arrayContaining(['msgid', 'itemKey', 'time', 'msgtype', 'from', 'conversation', 'mailboxes', 'snippet']),
      );
      if (h.msgtype === 'text') expect(h.highlights.map(([a, b]) => h.snippet.slice(a, b))).toContain(q);
    }
    const times = res.items.map((h) => Date.parse(h.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(res.total).toBe(res.items.length);

    const audit = readDb(
      (db) =>
        db.prepare("SELECT actor, detail_json FROM audit_events WHERE action = 'search' ORDER BY id DESC").get() as {
          actor: string;
          detail_json: string;
        },
    );
    expect(JSON.parse(audit.detail_json)).toMatchObject({ query: q, results: res.total, via: 'cli' });
    expect(audit.actor).not.toBe('');

    const text = await cli('search', q, '--data-dir', data, '--limit', '3');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${res.total} result`);
    expect(text.stdout).toContain(`**${q}**`);
  }, 60_000);

  it('pages by cursor and combines words with filters', async () => {
    const all = await searchArchive(await openStore(data), { query: 'type:text', limit: 500 });
    expect(all.total).toBe(textItems().length);
    const pages = await cliJson<SearchResult>(
      'search',
      'type:text after:2000-01-01',
      '--data-dir',
      data,
      '--limit',
      '5',
    );
    expect(pages.total).toBe(all.total);
    expect(pages.items.map((h) => h.itemKey)).toEqual(all.items.slice(0, 5).map((h) => h.itemKey));
  }, 60_000);

  it('refuses a bad query with its position and what is expected', async () => {
    const r = await cli('search', '保本 (赎回 OR', '--data-dir', data);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('position 9');
    expect(r.stderr).toContain('  保本 (赎回 OR\n' + ' '.repeat(11) + '^');
    const j = await cli('search', 'after:tomorrow', '--data-dir', data, '--json');
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'WXA_SEARCH_QUERY_INVALID', position: 6 } });
  }, 60_000);
});

function startReindex(): ChildProcess {
  return spawn(process.execPath, [...cliNodeArgs(), 'reindex', '--data-dir', data, '--batch', '10', '--json'], {
    stdio: 'ignore',
  });
}

function cursorSaved(): boolean {
  try {
    return readDb((db) => db.prepare("SELECT 1 FROM settings WHERE key = 'search.reindex.cursor'").get() !== undefined);
  } catch {
    return false;
  }
}

describe('reindex', () => {
  it('killed with SIGKILL half-way, resumes to the index built in one go', async () => {
    const store = await openStore(data);
    const before = await searchFingerprints(store.db);
    await store.close();
    expect(before.length).toBeGreaterThanOrEqual(MESSAGES - 50);

    const child = startReindex();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let killed = false;
    for (let i = 0; i < 4000 && child.exitCode === null; i++) {
      if (cursorSaved()) {
        child.kill('SIGKILL');
        killed = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await exited;
    expect(killed, 'the reindex ended before it could be killed').toBe(true);
    expect(cursorSaved()).toBe(true);

    const summary = await cliJson<{ resumed: boolean; items: number; indexed: number }>('reindex', '--data-dir', data);
    expect(summary.resumed).toBe(true);
    expect(summary.indexed).toBeLessThan(summary.items);
    const after = await openStore(data);
    try {
      expect(await searchFingerprints(after.db)).toEqual(before);
      await checkSearchIntegrity(after.db);
    } finally {
      await after.close();
    }
    expect(cursorSaved()).toBe(false);
  }, 180_000);

  it('loses no result while searches run during it', async () => {
    const writer = await openStore(data);
    const reader = await openStore(data);
    try {
      const queries = ['type:text', '客户', 'is:external', 'has:attachment'];
      const expected = await Promise.all(queries.map(async (query) => (await searchArchive(reader, { query })).total));
      let finished = false;
      const totals: number[][] = [];
      const job = reindexArchive(writer, { batchSize: 25 }).finally(() => (finished = true));
      while (!finished) {
        totals.push(await Promise.all(queries.map(async (query) => (await searchArchive(reader, { query })).total)));
        await new Promise((r) => setImmediate(r));
      }
      await job;
      expect(totals.length).toBeGreaterThan(3);
      for (const t of totals) expect(t).toEqual(expected);
    } finally {
      await writer.close();
      await reader.close();
    }
  }, 180_000);
});
