// An export journaled in batches: a batch is journaled only once its files are durable, so an
// export killed (SIGKILL) in its third batch has journaled whole batches only, each file it
// names on disk with the archived bytes; resumed, it ends with the same files and manifest as
// an uninterrupted export, as does an export run in batches of any size, or with its EML files
// written by threads of their own besides the export's (each with its own connection to the
// archive), killed midway or not.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addSearchToReviewSet, createCase, createReviewSet, saveSearch } from '../src/compliance/cases/index.js';
import { runExport, type ExportFormat } from '../src/compliance/export/index.js';
import { childModule } from './helpers/cli-runtime.js';
import { exportArchive } from './helpers/export-archive.js';
import { expectSameExport } from './helpers/export-files.js';
import type { ArchiveOn } from './helpers/archive-on.js';
import { describeDialects } from './helpers/dialects.js';

const ALL = 'after:2000-01-01';
const BATCH = 7;

// The export and the store as a child process loads them: compiled when the run chose the
// compiled code (no TypeScript loader to start in each child), the sources through tsx otherwise.
const EXPORT = childModule(new URL('../src/compliance/export/index.ts', import.meta.url).href);
const STORE = childModule(new URL('../src/store/index.ts', import.meta.url).href);

/**
 * An export in batches of a given size, in a process of its own (argv: data dir, database URL or
 * '' for SQLite, out dir, format, query or `case:ID:SET` for a review set, batch items, and
 * optionally EML batch threads): what the tests of batch durability kill midway. It ends as the
 * CLI does, by its exit code, so a thread the export left running keeps it alive.
 */
const EXPORT_IN_BATCHES = `
  const { runExport } = await import(${JSON.stringify(EXPORT.href)});
  const { openStore } = await import(${JSON.stringify(STORE.href)});
  const [data, url, outDir, format, selection, batch, threads] = process.argv.slice(1);
  const set = /^case:(\\d+):(\\d+)$/.exec(selection);
  const store = await openStore(data, url ? { database: { url } } : {});
  try {
    await runExport(store, {
      format,
      outDir,
      ...(set ? { caseId: Number(set[1]), reviewSetId: Number(set[2]) } : { query: selection }),
      actor: 'test',
      batchItems: Number(batch),
      ...(threads ? { threads: Number(threads) } : {}),
    });
  } catch (err) {
    process.stderr.write(err.message + '\\n');
    process.exitCode = 1;
  } finally {
    await store.close();
  }
`;

function exportInBatches(args: string[], opts: { env?: NodeJS.ProcessEnv; stderr: boolean }): ChildProcess {
  return spawn(process.execPath, [...EXPORT.execArgv, '--input-type=module', '-e', EXPORT_IN_BATCHES, ...args], {
    ...(opts.env ? { env: opts.env } : {}),
    stdio: ['ignore', 'ignore', opts.stderr ? 'pipe' : 'ignore'],
  });
}

describeDialects('export in batches', (t) => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let archive: ArchiveOn;

  beforeAll(async () => {
    ({ dir, archive } = await exportArchive('export-batches', t));
  }, 300_000);

  afterAll(async () => dir.cleanup());

  async function exportTo(out: string, format: ExportFormat, batchItems?: number, threads?: number): Promise<void> {
    const store = await archive.open();
    try {
      await runExport(store, {
        format,
        outDir: out,
        query: ALL,
        actor: 'test',
        ...(batchItems ? { batchItems } : {}),
        ...(threads !== undefined ? { threads } : {}),
      });
    } finally {
      await store.close();
    }
  }

  /**
   * The export on the export's own thread alone (into `NAME-whole`), and in batches (RSMF: chunks)
   * of BATCH items by it and two threads of its own (into `NAME`): many batches, so every writer
   * gets some, and the two exports must be the same. The one-thread export's path, to compare with.
   */
  async function threadedIsTheSame(format: ExportFormat, name: string): Promise<string> {
    const whole = join(dir.path, `${name}-whole`);
    await exportTo(whole, format, undefined, 0);
    const threaded = join(dir.path, name);
    await exportTo(threaded, format, BATCH, 2);
    await expectSameExport(whole, threaded);
    return whole;
  }

  /** Runs the export in a process of its own (EXPORT_IN_BATCHES); its exit code, and what it printed. */
  function exportInChild(out: string, selection: string): Promise<{ code: number | null; stderr: string }> {
    const child = exportInBatches([archive.data, archive.url ?? '', out, 'eml', selection, String(BATCH)], {
      stderr: true,
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((r) => child.on('exit', (code) => r({ code, stderr: err })));
  }

  function killedAt(
    nth: number,
    out: string,
    format: ExportFormat,
    threads = 0,
    point: 'export-item' | 'export-file' = 'export-item',
  ): Promise<string | null> {
    const child = exportInBatches([archive.data, archive.url ?? '', out, format, ALL, String(BATCH), String(threads)], {
      env: { ...process.env, WXA_CRASH_AT: `${point}:${nth}` },
      stderr: false,
    });
    return new Promise((r) => child.on('exit', (_c, s) => r(s)));
  }

  it('EML killed in its third batch has journaled whole batches, their files on disk; resumed, it is the same export', async () => {
    const whole = join(dir.path, 'whole');
    await exportTo(whole, 'eml');
    const cut = join(dir.path, 'cut');
    expect(await killedAt(2 * BATCH + 3, cut, 'eml')).toBe('SIGKILL');
    const lines = (await readFile(join(cut, '.export', 'done.jsonl'), 'utf8')).split('\n').filter(Boolean);
    expect(lines.length % BATCH).toBe(0);
    expect(lines.length).toBeLessThanOrEqual(2 * BATCH);
    for (const line of lines) {
      const d = JSON.parse(line) as { path: string; mimeSha256: string };
      const bytes = await readFile(join(cut, d.path));
      expect(createHash('sha256').update(bytes).digest('hex'), d.path).toBe(d.mimeSha256);
    }
    await exportTo(cut, 'eml');
    await expectSameExport(whole, cut);
  }, 180_000);

  it('a journal whose end did not reach the disk (zeros, a torn line) is cut at its last good line on resume, and the export is the same', async () => {
    const whole = join(dir.path, 'whole-2');
    await exportTo(whole, 'eml');
    const cut = join(dir.path, 'damaged');
    expect(await killedAt(3 * BATCH + 3, cut, 'eml')).toBe('SIGKILL');
    const journal = join(cut, '.export', 'done.jsonl');
    const lines = (await readFile(journal, 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(BATCH);
    // As a power loss can leave it: the last batch's lines in part zeros, a later line whole
    // after them, and a torn line at the end. Every line from the first bad one is dropped.
    const keep = lines.slice(0, lines.length - BATCH);
    const lost = lines.slice(lines.length - BATCH);
    await writeFile(
      journal,
      [...keep, '\0'.repeat(lost[0]!.length), ...lost.slice(1)].join('\n') + '\n' + lost[0]!.slice(0, 20),
    );
    await exportTo(cut, 'eml');
    await expectSameExport(whole, cut);
    const after = (await readFile(journal, 'utf8')).split('\n').filter(Boolean);
    expect(after.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(after.map((_, i) => i));
  }, 180_000);

  it("a review set's EML export starts its writing threads while its selection is resolved: the same export, and none left running when the selection fails", async () => {
    const store = await archive.open();
    const actor = { username: 'test' };
    let caseId: number;
    let setId: number;
    let otherCase: number;
    try {
      caseId = (await createCase(store.db, { name: 'threads' }, actor)).id;
      otherCase = (await createCase(store.db, { name: 'other' }, actor)).id;
      const search = await saveSearch(store.db, caseId, 'all', ALL, actor);
      setId = (await createReviewSet(store.db, caseId, 'all', actor)).id;
      await addSearchToReviewSet(store.db, caseId, setId, search.id, actor);
    } finally {
      await store.close();
    }
    // by default (threads on a machine of more than one core, the set being more than 4 batches)
    const started = join(dir.path, 'set-early');
    const early = await exportInChild(started, `case:${caseId}:${setId}`);
    expect(early.code, early.stderr).toBe(0);
    const one = join(dir.path, 'set-one-thread');
    const own = await archive.open();
    try {
      await runExport(own, { format: 'eml', outDir: one, caseId, reviewSetId: setId, actor: 'test', threads: 0 });
    } finally {
      await own.close();
    }
    await expectSameExport(one, started);
    // the set is not the other case's: the selection fails after the threads started, and the
    // process ends (a thread left running would keep it alive until the test's time ran out)
    const failed = await exportInChild(join(dir.path, 'set-wrong-case'), `case:${otherCase}:${setId}`);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(`case ${otherCase} has no review set ${setId}`);
  }, 180_000);

  it('the batch size changes nothing in the files or the manifest (EML, mbox, RSMF)', async () => {
    for (const format of ['eml', 'mbox', 'rsmf'] as const) {
      const a = join(dir.path, `${format}-default`);
      const b = join(dir.path, `${format}-small`);
      await exportTo(a, format);
      await exportTo(b, format, BATCH);
      await expectSameExport(a, b);
    }
  }, 180_000);

  it("RSMF written by two threads besides the export's own, a chunk of files at a time, is the same export, killed midway or not", async () => {
    const whole = await threadedIsTheSame('rsmf', 'rsmf-threads');

    // Killed while the three writers write the files (a thread's fifth file, or the export's
    // own): no manifest; resumed, every file is written again and it is the same export.
    const cut = join(dir.path, 'rsmf-threads-cut');
    expect(await killedAt(5, cut, 'rsmf', 2, 'export-file')).toBe('SIGKILL');
    expect(existsSync(join(cut, 'manifest.json'))).toBe(false);
    expect(existsSync(join(cut, 'RSMF'))).toBe(true);
    await exportTo(cut, 'rsmf', BATCH, 2);
    await expectSameExport(whole, cut);
  }, 180_000);

  it("EML written by two batch threads besides the export's own is the same export, killed midway or not", async () => {
    const whole = await threadedIsTheSame('eml', 'threads');

    // Killed when one of the three writers reaches its third batch: the journal holds whole
    // batches in order (the first lines' control numbers from 1 on), each file on disk.
    const cut = join(dir.path, 'threads-cut');
    expect(await killedAt(2 * BATCH + 3, cut, 'eml', 2)).toBe('SIGKILL');
    const lines = (await readFile(join(cut, '.export', 'done.jsonl'), 'utf8')).split('\n').filter(Boolean);
    const total = (await readFile(join(whole, '.export', 'done.jsonl'), 'utf8')).split('\n').filter(Boolean).length;
    expect(lines.length % BATCH).toBe(0);
    expect(lines.length).toBeLessThan(total);
    for (const [i, line] of lines.entries()) {
      const d = JSON.parse(line) as { n: number; path: string; mimeSha256: string };
      expect(d.n).toBe(i);
      const bytes = await readFile(join(cut, d.path));
      expect(createHash('sha256').update(bytes).digest('hex'), d.path).toBe(d.mimeSha256);
    }
    await exportTo(cut, 'eml', BATCH, 2);
    await expectSameExport(whole, cut);
  }, 180_000);
});
