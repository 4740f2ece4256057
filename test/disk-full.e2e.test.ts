// A full disk in the middle of a run, injected where it strikes (a blob file's write: ENOSPC;
// a batch's COMMIT: SQLITE_FULL, with SQLite's own rollback before it): the run stops, exits
// non-zero saying the disk is full and where, and its report counts exactly what the database
// holds. The next run, with space again, finishes the rest. Real CLI processes.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorRunReport } from '../src/pipeline/index.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { cliJson, tempDir } from './helpers/cli.js';
import { spawnCli, type ChildResult } from './helpers/cli-process.js';

const MESSAGES = 800;
let dir: { path: string; cleanup: () => Promise<void> };
let sandbox: string;

beforeAll(async () => {
  dir = await tempDir('full');
  sandbox = join(dir.path, 'tenant');
  await generateTenant({ outDir: sandbox, seed: 5, messages: MESSAGES });
}, 300_000);

afterAll(async () => {
  await dir.cleanup();
});

type Report = ConnectorRunReport;

function run(dataDir: string, fault: string): Promise<ChildResult> {
  const args = ['run', '--once', '--sandbox', sandbox, '--data-dir', dataDir, '--workers', '1', '--json'];
  return spawnCli(args, { env: { WXA_FAULT_AT: fault } }).done;
}

/** What the database says the run produced. */
function committed(dataDir: string, runId: number) {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true });
  try {
    const by = Object.fromEntries(
      (
        db.prepare('SELECT status, count(*) AS n FROM raw_records GROUP BY status').all() as {
          status: string;
          n: number;
        }[]
      ).map((r) => [r.status, r.n]),
    ) as Record<string, number>;
    const entries = (
      db.prepare('SELECT count(*) AS n FROM mailbox_entries WHERE run_id = ?').get(runId) as { n: number }
    ).n;
    const run = db.prepare('SELECT status, counters_json, error FROM runs WHERE id = ?').get(runId) as {
      status: string;
      counters_json: string | null;
      error: string | null;
    };
    return { by, entries, run, raw: Object.values(by).reduce((a, b) => a + b, 0) };
  } finally {
    db.close();
  }
}

describe('a full disk during a run', () => {
  for (const [fault, code, where] of [
    ['commit:3:SQLITE_FULL', 'SQLITE_FULL', 'archive.db'],
    ['blob-write:2:ENOSPC', 'ENOSPC', 'blobs'],
  ] as const) {
    it(`${code}: stops, says so and where, and reports exactly what was committed`, async () => {
      const dataDir = join(dir.path, code);
      const r = await run(dataDir, fault);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('WXA_DISK_FULL');
      expect(r.stderr).toMatch(new RegExp(`the disk holding ${dataDir}/\\S*${where}\\S* is full \\(${code}\\)`));
      expect(r.stderr).not.toContain('cannot rollback');
      const report = JSON.parse(r.stdout) as Report;
      expect(report.status).toBe('failed');
      expect(report.error).toContain(`is full (${code})`);

      const db = committed(dataDir, report.runId);
      // Every record captured before the failure is stored; the report's counts are the store's.
      expect(db.raw).toBe(report.captured);
      expect(report.fetched).toBe(db.raw - (db.by.pending ?? 0));
      expect(report.archived).toBe((db.by.done ?? 0) + (db.by.duplicate ?? 0));
      expect(report.heldTotal).toBe(db.by.held ?? 0);
      expect(report.failed).toBe(db.by.failed ?? 0);
      expect(report.deliveries).toBe(db.entries);
      expect(report.archived + report.heldTotal + report.failed).toBe(report.fetched);
      expect(db.by.pending ?? 0).toBeGreaterThan(0);
      expect(db.run.status).toBe('failed');
      const saved = JSON.parse(db.run.counters_json!) as Report;
      expect([saved.fetched, saved.archived, saved.failed, saved.held]).toEqual([
        report.fetched,
        report.archived,
        report.failed,
        report.held,
      ]);

      // With space again, the next run takes up exactly the rest.
      const next = await cliJson<Report>(
        'run',
        '--once',
        '--sandbox',
        sandbox,
        '--data-dir',
        dataDir,
        '--workers',
        '0',
      );
      expect(next.status).toBe('succeeded');
      expect(report.captured + next.captured).toBe(MESSAGES);
      expect(report.fetched + next.fetched).toBe(MESSAGES);
      const after = committed(dataDir, next.runId);
      expect(after.by.pending ?? 0).toBe(0);
      expect(after.raw).toBe(MESSAGES);
    }, 300_000);
  }
});
