// Disposition killed with SIGKILL between two deletion pages (the `disposition-page` fault
// point) leaves a consistent archive: every entry's item and blob present, every item still
// referenced, a tombstone for every entry and item gone, `verify` passing; a rerun completes it
// to exactly the archive an uninterrupted run leaves.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-process.js';

let dir: { path: string; cleanup: () => Promise<void> };
let pristine: string;

beforeAll(async () => {
  dir = await tempDir('retention-crash');
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 9, messages: 120 });
  pristine = join(dir.path, 'pristine');
  await cliJson('run', '--once', '--sandbox', tenant, '--data-dir', pristine, '--workers', '0');
}, 300_000);

afterAll(async () => dir.cleanup());

function query<T>(dataDir: string, sql: string): T[] {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

function entries(d: string): string[] {
  return query<{ k: string }>(d, "SELECT item_key || ' ' || mailbox AS k FROM mailbox_entries ORDER BY k").map(
    (r) => r.k,
  );
}

/** The archive's internal consistency after any stop: nothing dangling, everything accounted for. */
function consistent(d: string, totalEntries: number, totalItems: number): void {
  const dangling = query(
    d,
    'SELECT e.id FROM mailbox_entries e LEFT JOIN items i ON i.key = e.item_key WHERE i.key IS NULL',
  );
  expect(dangling).toEqual([]);
  const orphans = query(
    d,
    'SELECT i.key FROM items i WHERE NOT EXISTS (SELECT 1 FROM mailbox_entries e WHERE e.item_key = i.key)',
  );
  expect(orphans).toEqual([]);
  const noBlob = query(
    d,
    'SELECT i.key FROM items i LEFT JOIN blobs b ON b.sha256 = i.mime_sha256 WHERE b.sha256 IS NULL',
  );
  expect(noBlob).toEqual([]);
  const tombs = query<{ ref: string; detail_json: string }>(
    d,
    "SELECT ref, detail_json FROM ingest_log WHERE kind = 'tombstone'",
  );
  const itemsLeft = query(d, 'SELECT key FROM items').length;
  const entriesLeft = entries(d).length;
  expect(tombs.length).toBe(totalEntries - entriesLeft + (totalItems - itemsLeft));
}

function mailboxesButOne(d: string): string[] {
  const rows = query<{ mailbox: string; n: number }>(
    d,
    'SELECT mailbox, count(*) AS n FROM mailbox_entries GROUP BY mailbox ORDER BY n DESC, mailbox',
  );
  return rows.slice(0, -1).map((r) => r.mailbox);
}

describe('disposition crash', () => {
  it('kill -9 between pages leaves a consistent, verifiable archive; a rerun completes it', async () => {
    const crashed = join(dir.path, 'crashed');
    const clean = join(dir.path, 'clean');
    await cp(pristine, crashed, { recursive: true });
    await cp(pristine, clean, { recursive: true });
    const totalEntries = entries(pristine).length;
    const totalItems = query(pristine, 'SELECT key FROM items').length;
    const mailboxes = mailboxesButOne(pristine);
    // The sandbox's messages date from November 2026 on: a one-day policy finds them expired.
    for (const d of [crashed, clean]) {
      const add = await cli(
        'retention',
        'add',
        '--name',
        'short',
        '--days',
        '1',
        '--mailbox',
        ...mailboxes,
        '--data-dir',
        d,
      );
      expect(add.code).toBe(0);
    }

    const { signal } = await spawnCli(['retention', 'run', '--batch', '5', '--data-dir', crashed, '--json'], {
      env: { WXA_CRASH_AT: 'disposition-page:2' },
    }).done;
    expect(signal).toBe('SIGKILL');
    const afterCrash = entries(crashed).length;
    expect(afterCrash).toBeLessThan(totalEntries);
    consistent(crashed, totalEntries, totalItems);
    expect((await cli('verify', '--data-dir', crashed)).code).toBe(0);

    const rerun = await cliJson<{ deleted: number }>('retention', 'run', '--batch', '5', '--data-dir', crashed);
    const whole = await cliJson<{ deleted: number }>('retention', 'run', '--data-dir', clean);
    expect(rerun.deleted).toBe(afterCrash - entries(crashed).length);
    expect(entries(crashed)).toEqual(entries(clean));
    expect(whole.deleted).toBe(totalEntries - entries(clean).length);
    consistent(crashed, totalEntries, totalItems);
    expect((await cli('verify', '--data-dir', crashed)).code).toBe(0);
  }, 300_000);
});
