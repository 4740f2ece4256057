// Crash safety: the CLI is killed with SIGKILL during capture and again during processing; each
// restart resumes from the store. The archive must then equal, entry for entry and byte for
// byte, the archive of an uninterrupted run: every message exactly once in every mailbox.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { longOr } from './helpers/long-tests.js';
import { cliNodeArgs } from './helpers/cli-runtime.js';

/** 3,000 with WXA_LONG_TESTS=1; 1,500 still spreads each kill over several batches. */
const MESSAGES = longOr(3000, 1500);
let dir: { path: string; cleanup: () => Promise<void> };
let sandbox: string;

beforeAll(async () => {
  dir = await tempDir('crash');
  sandbox = join(dir.path, 'tenant');
  await generateTenant({ outDir: sandbox, seed: 21, messages: MESSAGES });
}, 300_000);

afterAll(async () => {
  await dir.cleanup();
});

function startRun(dataDir: string): ChildProcess {
  return spawn(
    process.execPath,
    [...cliNodeArgs(), 'run', '--once', '--sandbox', sandbox, '--data-dir', dataDir, '--workers', '2', '--json'],
    { stdio: 'ignore' },
  );
}

function count(dataDir: string, sql: string): number {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true, fileMustExist: true });
  try {
    return Number((db.prepare(sql).get() as { n: number }).n);
  } catch {
    return 0; // the schema may not exist yet
  } finally {
    db.close();
  }
}

async function killWhen(child: ChildProcess, dataDir: string, sql: string, atLeast: number): Promise<number> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 6000; i++) {
    await new Promise((r) => setTimeout(r, 50));
    let n = 0;
    try {
      n = count(dataDir, sql);
    } catch {
      continue; // database not created yet
    }
    if (n >= atLeast) {
      child.kill('SIGKILL');
      await exited;
      return n;
    }
    if (child.exitCode !== null) break;
  }
  child.kill('SIGKILL');
  await exited;
  throw new Error(`the run ended before "${sql}" reached ${atLeast}; the crash was not exercised`);
}

/** The search index as item key, fingerprint of what was indexed, recall flag. */
function searchRows(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT item_key, doc_sha256, recalled FROM search_items ORDER BY item_key').all() as {
      item_key: string;
      doc_sha256: string;
      recalled: number;
    }[];
    return rows.map((r) => `${r.item_key}|${r.doc_sha256}|${r.recalled}`);
  } finally {
    db.close();
  }
}

function archiveRows(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT mailbox, folder, item_key, mime_sha256 FROM mailbox_entries ORDER BY mailbox, item_key')
      .all() as { mailbox: string; folder: string; item_key: string; mime_sha256: string }[];
    return rows.map((r) => `${r.mailbox}|${r.folder}|${r.item_key}|${r.mime_sha256}`);
  } finally {
    db.close();
  }
}

describe('kill -9 during a run', () => {
  it('resumes to exactly the archive of an uninterrupted run', async () => {
    const crashed = join(dir.path, 'crashed');
    // First kill: during capture, once some records are committed with their cursor.
    await killWhen(startRun(crashed), crashed, 'SELECT count(*) AS n FROM raw_records', 1);
    const cursorAfterKill = count(crashed, 'SELECT CAST(cursor AS INTEGER) AS n FROM cursors');
    const recordsAfterKill = count(crashed, 'SELECT count(*) AS n FROM raw_records');
    // The cursor never runs ahead of the data.
    expect(cursorAfterKill).toBeLessThanOrEqual(recordsAfterKill);

    // Second kill: in the middle of processing.
    await killWhen(
      startRun(crashed),
      crashed,
      "SELECT count(*) AS n FROM raw_records WHERE status = 'done'",
      Math.floor(MESSAGES / 3),
    );
    const doneAtKill = count(crashed, "SELECT count(*) AS n FROM raw_records WHERE status = 'done'");
    expect(doneAtKill).toBeLessThan(MESSAGES);

    const resumed = await cliJson<{ fetched: number; archived: number; heldTotal: number; failed: number }>(
      'run',
      '--once',
      '--sandbox',
      sandbox,
      '--data-dir',
      crashed,
      '--workers',
      '0',
    );
    expect(resumed.archived + resumed.heldTotal + resumed.failed).toBe(resumed.fetched);
    expect(count(crashed, 'SELECT count(*) AS n FROM raw_records')).toBe(MESSAGES);
    expect(count(crashed, "SELECT count(*) AS n FROM raw_records WHERE status = 'done'")).toBe(MESSAGES);
    expect(count(crashed, 'SELECT count(*) AS n FROM items')).toBe(MESSAGES);
    expect(count(crashed, "SELECT count(*) AS n FROM runs WHERE status = 'interrupted'")).toBe(2);

    const clean = join(dir.path, 'clean');
    await cliJson('run', '--once', '--sandbox', sandbox, '--data-dir', clean, '--workers', '0');
    const expected = archiveRows(clean);
    expect(expected.length).toBeGreaterThan(MESSAGES);
    expect(archiveRows(crashed)).toEqual(expected);

    // The interrupted archive proves itself intact: every kill left log and rows in step.
    const verified = await cli('verify', '--data-dir', crashed, '--json');
    const report = JSON.parse(verified.stdout) as { ok: boolean; firstBroken: unknown; ingest: { items: number } };
    expect(report.firstBroken).toBeNull();
    expect(report.ingest.items).toBe(MESSAGES);
    expect(verified.code).toBe(0);
    // Items are indexed in the transaction that stores them: the index survives the kills too.
    const index = searchRows(clean);
    expect(index.length).toBe(MESSAGES);
    expect(searchRows(crashed)).toEqual(index);
  }, 600_000);
});
