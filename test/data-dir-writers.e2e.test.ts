// One writer per data directory, and the directory private to its user. Real CLI processes:
// a second `run --once` is refused naming the holder (or waits with --wait), a holder killed
// with SIGKILL blocks nobody, read-only commands need no lock, nothing is counted twice and no
// blob is left unreferenced; under umask 022 everything created is 0700/0600, and loose modes
// found at start are reported.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../src/sources/sandbox/index.js';
import { acquireWriterLock } from '../src/store/index.js';
import { cli, tempDir } from './helpers/cli.js';
import { spawnCli, type CliChild } from './helpers/cli-process.js';

/** Enough that a run is still going when it is killed or looked at; more proves nothing here. */
const MESSAGES = 400;
/**
 * For the tests that need no run in progress (a refused or waiting writer, two at once, modes
 * warned at start): a run of it costs a third of the CPU of a run of MESSAGES.
 */
const FEW = 100;
let dir: { path: string; cleanup: () => Promise<void> };
/** MESSAGES messages */
let sandbox: string;
/** FEW messages */
let small: string;

beforeAll(async () => {
  dir = await tempDir('writers');
  sandbox = join(dir.path, 'tenant');
  small = join(dir.path, 'small-tenant');
  await generateTenant({ outDir: sandbox, seed: 21, messages: MESSAGES });
  await generateTenant({ outDir: small, seed: 22, messages: FEW });
}, 300_000);

afterAll(async () => {
  await dir.cleanup();
});

/** `run --once` of `tenant` as a real process, under umask 022 like a default login shell. */
function startRun(tenant: string, dataDir: string, ...extra: string[]): CliChild {
  return spawnCli(['run', '--once', '--sandbox', tenant, '--data-dir', dataDir, '--workers', '1', '--json', ...extra], {
    umask: '022',
  });
}

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function query<T>(dataDir: string, sql: string): T[] {
  const db = new Database(join(dataDir, 'archive.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const p = join(root, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...(await walk(p)));
  }
  return out;
}

/** Every record once, every run counted once, every blob file referenced, no temp file left. */
async function assertConsistent(dataDir: string, messages: number, runsCaptured = messages): Promise<void> {
  const [raw] = query<{ n: number; d: number }>(
    dataDir,
    'SELECT count(*) AS n, count(DISTINCT seq_key) AS d FROM raw_records',
  );
  expect(raw).toEqual({ n: messages, d: messages });
  const [runs] = query<{ captured: number }>(
    dataDir,
    "SELECT sum(json_extract(counters_json, '$.captured')) AS captured FROM runs",
  );
  expect(runs!.captured ?? 0).toBe(runsCaptured);
  const [pending] = query<{ n: number }>(
    dataDir,
    "SELECT count(*) AS n FROM raw_records WHERE status IN ('pending', 'failed')",
  );
  expect(pending!.n).toBe(0);
  const referenced = new Set(
    query<{ sha256: string }>(dataDir, 'SELECT sha256 FROM blobs WHERE data IS NULL').map((b) => b.sha256),
  );
  const files = (await walk(join(dataDir, 'blobs'))).filter((p) => /[0-9a-f]{64}$/.test(p));
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) expect(referenced.has(f.slice(-64)), f).toBe(true);
  const tmp = join(dataDir, 'blobs', 'tmp');
  expect(existsSync(tmp) ? await readdir(tmp) : []).toEqual([]);
}

describe('writers of one data directory', () => {
  it('refuses a run while another process holds the directory, naming it, and lets a waiting one follow', async () => {
    const dataDir = join(dir.path, 'held');
    // This test process is the other writer: a real lock held by a real, different process.
    const lock = await acquireWriterLock(dataDir, { command: 'serve' });
    try {
      const refused = await startRun(small, dataDir).done;
      expect(refused.code).toBe(75);
      expect(refused.stderr).toContain(
        `${dataDir} is being written by process ${process.pid} on ${hostname()} (\`serve\`, since ${lock.holder.since})`,
      );
      expect(refused.stderr).toContain('--wait');
      expect(refused.stdout).toBe('');
      expect(existsSync(join(dataDir, 'archive.db'))).toBe(false);
      // Read-only commands need no lock: status is refused for the archive not made yet, not for the lock.
      const status = await cli('status', '--data-dir', dataDir, '--json');
      expect(status.stderr).toContain(`${dataDir} holds no archive`);
      expect(status.stderr).not.toContain('being written');
      expect(existsSync(join(dataDir, 'archive.db'))).toBe(false);
      // serve is a writer too.
      const serve = await cli('serve', '--data-dir', dataDir, '--no-console', '--no-demo', '--runs', '1');
      expect(serve.code).toBe(75);
      expect(serve.stderr).toContain(`serve: the data directory ${dataDir} is being written by process ${process.pid}`);

      const waiting = startRun(small, dataDir, '--wait', '600');
      await new Promise((r) => setTimeout(r, 3000));
      expect(waiting.proc.exitCode).toBeNull();
      await lock.release();
      const done = await waiting.done;
      expect(done.code, done.stderr).toBe(0);
      expect((JSON.parse(done.stdout) as { captured: number }).captured).toBe(FEW);
    } finally {
      await lock.release();
    }
    await assertConsistent(dataDir, FEW);
  }, 600_000);

  it('two runs started at once: one refused or made to wait, nothing counted twice, no orphan blob', async () => {
    for (const wait of [[], ['--wait', '600']]) {
      const dataDir = join(dir.path, `two${wait.length}`);
      const results = await Promise.all([
        startRun(small, dataDir, ...wait).done,
        startRun(small, dataDir, ...wait).done,
      ]);
      const codes = results.map((r) => r.code).sort();
      // Without --wait the second is refused unless the first had already finished when it began.
      expect(codes[0], results.map((r) => r.stderr).join('\n')).toBe(0);
      expect([0, 75]).toContain(codes[1]);
      if (wait.length) expect(codes).toEqual([0, 0]);
      const captured = results
        .filter((r) => r.code === 0)
        .map((r) => (JSON.parse(r.stdout) as { captured: number }).captured);
      expect(captured.reduce((a, b) => a + b, 0)).toBe(FEW);
      for (const r of results.filter((x) => x.code === 75)) expect(r.stderr).toContain('(`run --once`, since ');
      await assertConsistent(dataDir, FEW);
    }
  }, 600_000);

  it('is not blocked by a holder killed with SIGKILL', async () => {
    const dataDir = join(dir.path, 'killed');
    const victim = startRun(sandbox, dataDir);
    await until('records to be processed', () => {
      try {
        return query<{ n: number }>(dataDir, "SELECT count(*) AS n FROM raw_records WHERE status = 'done'")[0]!.n > 50;
      } catch {
        return false;
      }
    });
    victim.proc.kill('SIGKILL');
    expect((await victim.done).signal).toBe('SIGKILL');
    const started = Date.now();
    const next = await startRun(sandbox, dataDir).done;
    expect(next.code, next.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(120_000);
    const report = JSON.parse(next.stdout) as { interruptedRunsFound: number };
    expect(report.interruptedRunsFound).toBe(1);
    // The killed run captured everything but never recorded its counters.
    await assertConsistent(dataDir, MESSAGES, 0);
  }, 600_000);

  it('creates the directory and everything under it private under umask 022', async () => {
    const dataDir = join(dir.path, 'modes');
    const run = startRun(sandbox, dataDir);
    // The WAL and shared-memory files exist only while the database is open.
    let walModes: number[] = [];
    await until('the WAL files', async () => {
      const found = await Promise.all(
        ['archive.db-wal', 'archive.db-shm'].map((f) =>
          stat(join(dataDir, f)).then(
            (s) => s.mode & 0o777,
            () => -1,
          ),
        ),
      );
      walModes = found;
      return found.every((m) => m >= 0);
    });
    expect(walModes).toEqual([0o600, 0o600]);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('warning:');
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    const entries = await walk(dataDir);
    expect(entries.some((p) => p.includes(`${join('blobs', '')}`))).toBe(true);
    for (const p of entries) {
      const s = await stat(p);
      expect([p, (s.mode & 0o777).toString(8)]).toEqual([p, (s.isDirectory() ? 0o700 : 0o600).toString(8)]);
    }
  }, 600_000);

  it('warns at start when the directory or the database is readable by others', async () => {
    const dataDir = join(dir.path, 'loose');
    await mkdir(dataDir, { mode: 0o755 });
    await chmod(dataDir, 0o755);
    const r = await cli('run', '--once', '--sandbox', small, '--data-dir', dataDir, '--workers', '0', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${dataDir} is mode 0755: other local users can read it`);
    await chmod(join(dataDir, 'archive.db'), 0o644);
    const again = await cli('status', '--data-dir', dataDir);
    expect(again.code).toBe(0);
    const writer = await cli('run', '--once', '--sandbox', small, '--data-dir', dataDir, '--workers', '0');
    expect(writer.stderr).toContain(`warning: ${join(dataDir, 'archive.db')} is mode 0644`);
  }, 600_000);
});
