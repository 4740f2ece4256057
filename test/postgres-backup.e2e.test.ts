// The documented backup of an archive on PostgreSQL (docs/deployment.md, Backups), followed
// step by step: `pg_dump -Fc` of the database and a copy of the data directory (blobs and key
// files), restored with `pg_restore` into a new database. `verify` passes on the restored copy
// and finds what the original holds; a blob missing from the copy is named by verify, so the
// pass means the copy was checked, not merely opened.
import { execFile } from 'node:child_process';
import { cp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cli, cliJson, tempDir } from './helpers/cli.js';
import { postgresBinDir, startPostgres, type PostgresCluster } from './helpers/postgres.js';

const run = promisify(execFile);

interface VerifyReport {
  ok: boolean;
  firstBroken: { kind: string } | null;
  ingest: { events: number; head: string; rawRecords: number; items: number; entries: number };
  audit: { events: number; ok: boolean };
  blobs: { checked: number; bytes: number };
  checkpoints: { checked: number };
}

let dir: { path: string; cleanup: () => Promise<void> };
let pg: PostgresCluster;
let bin: string;
let live: string;
let liveUrl: string;

beforeAll(async () => {
  [dir, pg] = await Promise.all([tempDir('pg-backup'), startPostgres()]);
  bin = (await postgresBinDir())!;
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 21, messages: 40 });
  live = join(dir.path, 'live');
  liveUrl = await pg.createDatabase('live');
  const args = ['--data-dir', live, '--database', liveUrl];
  expect(
    (await cliJson<{ archived: number }>('run', '--once', '--sandbox', tenant, '--workers', '0', ...args)).archived,
  ).toBeGreaterThan(0);
  await cliJson('checkpoint', ...args);
}, 300_000);

afterAll(async () => {
  await pg?.stop();
  await dir?.cleanup();
});

describe('backing up a PostgreSQL archive with pg_dump', () => {
  it('restores into a new database that verify passes, with the same counts as the original', async () => {
    const dump = join(dir.path, 'archive.dump');
    await run(join(bin, 'pg_dump'), ['-Fc', '-f', dump, '-d', liveUrl]);
    const copy = join(dir.path, 'copy');
    await cp(live, copy, { recursive: true });
    const restoredUrl = await pg.createDatabase('restored');
    await run(join(bin, 'pg_restore'), ['--no-owner', '-d', restoredUrl, dump]);

    const original = await cliJson<VerifyReport>('verify', '--data-dir', live, '--database', liveUrl);
    const restored = await cliJson<VerifyReport>('verify', '--data-dir', copy, '--database', restoredUrl);
    expect(restored.firstBroken).toBeNull();
    expect(restored.ok).toBe(true);
    expect(original.ok).toBe(true);
    expect(restored.ingest).toEqual(original.ingest);
    expect(restored.blobs).toEqual(original.blobs);
    expect(restored.checkpoints).toEqual(original.checkpoints);
    expect(restored.audit.ok).toBe(true);
    expect(restored.ingest.items).toBeGreaterThan(0);
    expect(restored.blobs.checked).toBeGreaterThan(0);
    expect((await cli('audit', 'verify', '--data-dir', copy, '--database', restoredUrl)).code).toBe(0);

    // A copy that lacks a blob file fails verify, naming a blob.
    const blobs = join(copy, 'blobs');
    const shard = (await readdir(blobs, { withFileTypes: true })).find((d) => d.isDirectory())!;
    const inner = join(blobs, shard.name);
    const victim = (await readdir(inner, { recursive: true, withFileTypes: true })).find((d) => d.isFile())!;
    await rm(join(victim.parentPath, victim.name));
    const broken = await cli('verify', '--data-dir', copy, '--database', restoredUrl, '--json');
    expect(broken.code).toBe(1);
    expect((JSON.parse(broken.stdout) as VerifyReport).firstBroken?.kind).toMatch(/blob/);
  });
});
