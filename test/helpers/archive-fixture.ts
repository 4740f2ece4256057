// One archived sandbox tenant per test file, copied afresh for each test that changes it: the
// legal-hold and retention tests delete entries, so each needs its own archive, and running the
// pipeline once then copying its data directory is far cheaper than archiving again per test.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import type { Store } from '../../src/store/index.js';
import { archiveOn, copyArchiveOn, type ArchiveOn } from './archive-on.js';
import { cli, cliJson, tempDir } from './cli.js';
import type { DialectTarget } from './dialects.js';

export interface ArchiveFixture {
  /** The temp directory holding the tenant, the pristine archive and every copy. */
  root: string;
  /** A fresh copy of the pristine archive's data directory. */
  copy: () => Promise<string>;
  /** A fresh copy of the pristine archive on the fixture's dialect (data directory and database). */
  copyOn: () => Promise<ArchiveOn>;
  cleanup: () => Promise<void>;
}

export async function archiveFixture(
  prefix: string,
  tenant: { seed: number; messages: number },
  minArchived: number,
  t: DialectTarget | { kind: 'sqlite' } = { kind: 'sqlite' },
): Promise<ArchiveFixture> {
  const dir = await tempDir(prefix);
  const tenantDir = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenantDir, ...tenant });
  const pristine = join(dir.path, 'pristine');
  const archive = await archiveOn(t, pristine);
  const run = await cliJson<{ archived: number }>(
    'run',
    '--once',
    '--sandbox',
    tenantDir,
    ...archive.args,
    '--workers',
    '0',
  );
  expect(run.archived).toBeGreaterThan(minArchived);
  let n = 0;
  return {
    root: dir.path,
    copy: async () => {
      const d = join(dir.path, `copy-${++n}`);
      await cp(pristine, d, { recursive: true });
      return d;
    },
    copyOn: async () => copyArchiveOn(t as DialectTarget, archive, join(dir.path, `copy-${++n}`)),
    cleanup: dir.cleanup,
  };
}

/**
 * `verify` passes on the archive in `dataDir` (or the one the CLI options `args` name): nothing
 * was removed without a tombstone.
 */
export async function expectVerifies(dataDir: string | readonly string[]): Promise<void> {
  const r = await cli('verify', ...(typeof dataDir === 'string' ? ['--data-dir', dataDir] : dataDir), '--json');
  const report = JSON.parse(r.stdout) as { ok: boolean; firstBroken: unknown };
  expect(report.firstBroken).toBeNull();
  expect(r.code).toBe(0);
}

export interface ArchiveEntry {
  itemKey: string;
  mailbox: string;
  msgTime: number;
}

/** Every mailbox entry of the archive. */
export async function archiveEntries(store: Store): Promise<ArchiveEntry[]> {
  const rows = await store.db.selectFrom('mailbox_entries').select(['item_key', 'mailbox', 'msg_time']).execute();
  return rows.map((r) => ({ itemKey: r.item_key, mailbox: r.mailbox, msgTime: Number(r.msg_time) }));
}

/** The mailbox with the most entries. */
export function busiestMailbox(all: { mailbox: string }[]): string {
  const count = new Map<string, number>();
  for (const e of all) count.set(e.mailbox, (count.get(e.mailbox) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1])[0]![0];
}
