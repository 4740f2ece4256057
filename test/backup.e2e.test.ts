// The second copy: a backup of a live archive (serve archiving a running tenant meanwhile)
// restores into an archive that verifies; later backups copy only new blobs; an older backup
// is reported with what it lacks; a backup killed with SIGKILL leaves the previous one usable.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMessages, generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { startServe } from './helpers/serve-process.js';
import { spawnCli } from './helpers/cli-process.js';

let dir: { path: string; cleanup: () => Promise<void> };
let sandbox: string;
let data: string;

function count(dataDir: string, sql: string): number {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true });
  try {
    return Number((db.prepare(sql).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

const archive = (...args: string[]) =>
  cliJson('run', '--once', '--sandbox', sandbox, '--data-dir', data, '--workers', '0', ...args);

beforeAll(async () => {
  dir = await tempDir('backup');
  sandbox = join(dir.path, 'tenant');
  await generateTenant({ outDir: sandbox, seed: 11, messages: 120 });
  data = join(dir.path, 'data');
  await archive();
}, 300_000);

afterAll(async () => {
  await dir.cleanup();
});

interface Manifest {
  snapshot: string;
  newBlobFiles: number;
  counts: { items: number; blobFiles: number };
  checkpoint: { number: number } | null;
}

describe('backup and restore', () => {
  it('restores into an archive that verifies, and copies only new blobs the second time', async () => {
    const to = join(dir.path, 'b1');
    const first = await cliJson<Manifest>('backup', '--to', to, '--data-dir', data);
    expect(first.counts.blobFiles).toBeGreaterThan(0);
    expect(first.newBlobFiles).toBe(first.counts.blobFiles);
    expect(first.checkpoint?.number).toBeGreaterThanOrEqual(1);
    const second = await cliJson<Manifest>('backup', '--to', to, '--data-dir', data);
    expect(second.newBlobFiles).toBe(0);
    expect(second.counts.items).toBe(first.counts.items);

    const restored = join(dir.path, 'r1');
    const r = await cli('restore', '--from', to, '--data-dir', restored, '--json');
    const out = JSON.parse(r.stdout) as {
      verification: { ok: boolean; firstBroken: unknown; ingest: { items: number } };
    };
    expect(out.verification.firstBroken).toBeNull();
    expect(r.code).toBe(0);
    expect(out.verification.ingest.items).toBe(first.counts.items);
    expect(count(restored, 'SELECT count(*) AS n FROM items')).toBe(count(data, 'SELECT count(*) AS n FROM items'));
    const again = await cli('restore', '--from', to, '--data-dir', restored);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`--data-dir ${restored} is not empty; restore into a new directory`);
    // a backup directory that is a file is named before anything is copied
    const file = join(dir.path, 'a-file');
    await writeFile(file, 'not a directory\n');
    const refused = await cli('backup', '--to', file, '--data-dir', data);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`WXA_INPUT_INVALID: --to ${file} is a file, not a directory;`);
  }, 120_000);

  it('a restored archive looks up every copy not recorded as delivered before sending it again', async () => {
    // Deliveries made after a backup look undelivered in it: sent blindly, they would arrive twice.
    const source = join(dir.path, 'with-deliveries');
    await cp(data, source, { recursive: true });
    const db = new Database(join(source, 'archive.db'));
    try {
      const { item_key: itemKey } = db.prepare('SELECT key AS item_key FROM items LIMIT 1').get() as {
        item_key: string;
      };
      const insert = db.prepare(
        `INSERT INTO deliveries (connector_id, destination_id, item_key, mailbox, status, attempts, next_attempt_at, created_at, in_doubt)
         VALUES ('default', 'imap', ?, ?, ?, 0, 0, 0, 0)`,
      );
      for (const [mailbox, status] of [
        ['a@example.com', 'pending'],
        ['b@example.com', 'held'],
        ['c@example.com', 'delivered'],
      ])
        insert.run(itemKey, mailbox, status);
    } finally {
      db.close();
    }
    const to = join(dir.path, 'b-deliveries');
    await cliJson('backup', '--to', to, '--data-dir', source);
    const restored = join(dir.path, 'r-deliveries');
    expect((await cli('restore', '--from', to, '--data-dir', restored)).code).toBe(0);
    const doubt = (status: string) =>
      count(restored, `SELECT count(*) AS n FROM deliveries WHERE status = '${status}' AND in_doubt = 1`);
    expect([doubt('pending'), doubt('held'), doubt('delivered')]).toEqual([1, 1, 0]);
  }, 120_000);

  it('reports a backup older than the archive with what it lacks', async () => {
    const to = join(dir.path, 'b2');
    await cliJson('backup', '--to', to, '--data-dir', data);
    expect((await cli('backup', '--to', to, '--data-dir', data, '--check')).code).toBe(0);
    await appendMessages(sandbox, 20, 99);
    await archive();
    const r = await cli('backup', '--to', to, '--data-dir', data, '--check', '--json');
    expect(r.code).toBe(1);
    const c = JSON.parse(r.stdout) as { behind: boolean; sameHistory: boolean; missing: Record<string, number> };
    expect(c).toMatchObject({ behind: true, sameHistory: true });
    expect(c.missing.raw).toBe(20);
    expect(c.missing.item).toBeGreaterThan(0);
    const text = await cli('backup', '--to', to, '--data-dir', data, '--check');
    expect(text.stdout).toContain('OLDER than the archive');
  }, 120_000);

  it('leaves the previous backup usable when a backup is killed with SIGKILL', async () => {
    const to = join(dir.path, 'b3');
    const before = await cliJson<Manifest>('backup', '--to', to, '--data-dir', data);
    await appendMessages(sandbox, 15, 100);
    await archive();
    const { signal } = await spawnCli(['backup', '--to', to, '--data-dir', data], {
      env: { WXA_CRASH_AT: 'backup-snapshot:1' },
    }).done;
    expect(signal).toBe('SIGKILL');
    expect((await readFile(join(to, 'LATEST'), 'utf8')).trim()).toBe(before.snapshot);
    const restored = join(dir.path, 'r3');
    const r = await cli('restore', '--from', to, '--data-dir', restored, '--json');
    expect(r.code).toBe(0);
    expect(count(restored, 'SELECT count(*) AS n FROM items')).toBe(before.counts.items);
    // and the next backup completes over the leftovers
    const after = await cliJson<Manifest>('backup', '--to', to, '--data-dir', data);
    expect(after.counts.items).toBeGreaterThan(before.counts.items);
  }, 120_000);

  it('takes a consistent backup while serve archives a running tenant, and serve backs up on its schedule', async () => {
    const scheduled = join(dir.path, 'scheduled');
    const config = join(dir.path, 'serve-config.json');
    await writeFile(config, JSON.stringify({ backup: { dir: scheduled, everyHours: 2 / 3600 } }));
    const serve = await startServe({ demo: true, intervalSeconds: 1, args: ['--config', config] });
    try {
      // wait until the demo tenant has items, then back up while runs keep adding traffic
      for (let i = 0; i < 600 && (await itemsOf(serve.dataDir)) < 100; i++)
        await new Promise((r) => setTimeout(r, 100));
      const to = join(dir.path, 'b4');
      const m = await cliJson<Manifest>('backup', '--to', to, '--data-dir', serve.dataDir);
      expect(m.counts.items).toBeGreaterThanOrEqual(100);
      const restored = join(dir.path, 'r4');
      const r = await cli('restore', '--from', to, '--data-dir', restored, '--json');
      const out = JSON.parse(r.stdout) as { verification: { firstBroken: unknown } };
      expect(out.verification.firstBroken).toBeNull();
      expect(r.code).toBe(0);
      expect(count(restored, 'SELECT count(*) AS n FROM items')).toBe(m.counts.items);
      for (let i = 0; i < 300 && !serve.stderr().includes(`in ${scheduled}`); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(serve.stderr()).toMatch(/backup \S+ in .*scheduled: \d+ items/);
      expect((await readFile(join(scheduled, 'LATEST'), 'utf8')).trim()).not.toBe('');
    } finally {
      await serve.stop();
    }
  }, 240_000);
});

async function itemsOf(dataDir: string): Promise<number> {
  try {
    return count(dataDir, 'SELECT count(*) AS n FROM items');
  } catch {
    return 0;
  }
}
