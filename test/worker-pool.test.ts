// The prepare threads under `serve`: one pool for the life of the process (not one per run),
// gone when the supervisor stops; and a prepare thread that dies mid-batch is replaced and its
// batch run again, so the run archives everything and the process lives on.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { threadCrashMarker } from '../src/core/fault-points.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/index.js';
import { Supervisor } from '../src/pipeline/supervisor.js';
import { poolStats } from '../src/pipeline/worker-pool.js';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { openStore } from '../src/store/index.js';
import { cli, tempDir } from './helpers/cli.js';
import { SOURCES } from '../src/sources/index.js';

let dir: { path: string; cleanup: () => Promise<void> };
let tenant: string;

beforeAll(async () => {
  dir = await tempDir('worker-pool');
  tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 8, messages: 300 });
});
afterAll(async () => dir.cleanup());

describe('prepare thread pool', () => {
  it('is created once for many runs of a connector and ended with the supervisor', async () => {
    const dataDir = join(dir.path, 'serve');
    const config = parseConfig(
      { dataDir, connectors: [{ id: 'bank', source: { kind: 'sandbox', dir: tenant } }] },
      'test',
      dir.path,
    );
    const store = await openStore(dataDir);
    const before = poolStats().created;
    let runs = 0;
    const supervisor = new Supervisor({
      store,
      workers: 2,
      sources: SOURCES,
      load: async () => config.connectors.map((c) => ({ config: c, origin: 'config' as const, paused: false })),
      intervalSeconds: 0.2,
      maxRuns: 4,
    });
    const done = new Promise<void>((resolve) =>
      supervisor.on((e) => {
        if (e.type === 'run') {
          expect(e.report.error).toBeUndefined();
          if (++runs === 4) resolve();
        }
      }),
    );
    await supervisor.start();
    await done;
    expect(supervisor.get('bank')?.lastReport?.status).toBe('succeeded');
    expect(poolStats()).toEqual({ created: before + 1, shared: 1 });
    await supervisor.stop();
    expect(poolStats().shared).toBe(0);
    await store.close();
  });

  it('replaces a prepare thread that dies and runs its batch again, losing nothing', async () => {
    // The first prepare thread to reach its second task exits (once in this process).
    process.env.WXA_CRASH_AT = 'worker-thread:2';
    await rm(threadCrashMarker(), { force: true });
    try {
      const r = await cli(
        'run',
        '--once',
        '--sandbox',
        tenant,
        '--data-dir',
        join(dir.path, 'crashing'),
        '--workers',
        '2',
        '--json',
      );
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { status: string; fetched: number; failed: number; archived: number };
      expect(report.status).toBe('succeeded');
      expect(report.fetched).toBe(300);
      expect(report.failed).toBe(0);
      expect(report.archived).toBeGreaterThan(0);
      expect(r.stderr).toContain('a prepare thread failed; its batch runs again');
      // The fault fired: one thread died.
      expect(existsSync(threadCrashMarker())).toBe(true);
    } finally {
      delete process.env.WXA_CRASH_AT;
      await rm(threadCrashMarker(), { force: true });
    }
    // The same tenant without a crash archives the same.
    const clean = await cli('run', '--once', '--sandbox', tenant, '--data-dir', join(dir.path, 'clean'), '--json');
    const crashed = await cli('status', '--data-dir', join(dir.path, 'crashing'), '--json');
    const reference = await cli('status', '--data-dir', join(dir.path, 'clean'), '--json');
    expect(clean.code).toBe(0);
    expect((JSON.parse(crashed.stdout) as { totals: unknown }).totals).toEqual(
      (JSON.parse(reference.stdout) as { totals: unknown }).totals,
    );
  });
});
