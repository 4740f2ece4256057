/**
 * The export benchmark's ceiling and how each timed phase starts, kept apart from the run order.
 * A durable export is compared with a durable copy: `cp -r` followed by `sync`, timed together
 * (`cp -r` alone returns with its files still in the page cache, and the kernel writes them back
 * during whatever runs next, which then pays for them). Every phase starts from the same state:
 * nothing dirty (`sync` first) and its sources warm in the page cache (read just before), so no
 * phase pays for another's writeback or finds its input on disk where the other found it in memory.
 * Nothing is deleted until every phase has run: removing 100,000 files leaves the file system
 * work that lands on whatever writes next (seen here: the same `cp -r` of 10,000 files took 0.7 s
 * after another copy and 12-16 s, with twenty times the system CPU, just after a removal), so
 * each phase writes into a folder of its own and one untimed copy absorbs the setup's removals.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

const run = promisify(execFile);
const GNU_TIME = '/usr/bin/time';

/** Flushes every dirty page (the previous phase's and other jobs'), so no phase pays for another's. */
export async function settle(): Promise<number> {
  const t = performance.now();
  await run('sync');
  return (performance.now() - t) / 1000;
}

/** Reads every file under `dirs` once, so the phase that follows finds them in the page cache. */
export async function warm(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs)
    await run('sh', ['-c', 'find "$1" -type f -exec cat {} + > /dev/null', 'sh', dir], { maxBuffer: 1 << 20 });
}

export interface CeilingRun {
  /** `cp -r` alone: when it returns its files are in the page cache, not on disk */
  cpSeconds: number;
  /** the `sync` after it: the writeback `cp -r` left behind */
  syncSeconds: number;
  /** both together: a durable copy, the honest ceiling of a durable export */
  cpSyncSeconds: number;
  /** CPU time of `cp -r` (user, kernel), when GNU time (Debian's `time`) is installed */
  cpCpuSeconds: { user: number; system: number } | null;
}

/** One ceiling run: `src` copied to `copy` (a new folder) by `cp -r`, then `sync`, timed together. */
export async function ceilingRun(src: string, copy: string): Promise<CeilingRun> {
  const c0 = performance.now();
  // timed by GNU time too, for the CPU it spends (most of a copy's work is the kernel's)
  const timed = existsSync(GNU_TIME);
  const { stderr } = timed
    ? await run(GNU_TIME, ['-f', 'cpu %U %S', 'cp', '-r', src, copy])
    : await run('cp', ['-r', src, copy]);
  const c1 = performance.now();
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  await run('sync');
  const c2 = performance.now();
  return {
    cpSeconds: (c1 - c0) / 1000,
    syncSeconds: (c2 - c1) / 1000,
    cpSyncSeconds: (c2 - c0) / 1000,
    cpCpuSeconds: cpu ? { user: Number(cpu[1]), system: Number(cpu[2]) } : null,
  };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Median and spread of a set of timings (seconds), and the rate they give for `items`. */
export function spread(seconds: readonly number[], items: number) {
  const med = median(seconds);
  return {
    runs: seconds.length,
    medianSeconds: round(med),
    minSeconds: round(Math.min(...seconds)),
    maxSeconds: round(Math.max(...seconds)),
    /** (max - min) / median */
    relativeSpread: round((Math.max(...seconds) - Math.min(...seconds)) / med),
    medianItemsPerSecond: Math.round(items / med),
  };
}

export const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/**
 * How long creating files stays slower after a large removal: ext4 without a journal (as here)
 * passes over inodes freed in the last 60 s, or in the last 360 s (60 + 300) while their
 * inode-table block is dirty (`recently_deleted` in the kernel's fs/ext4/ialloc.c), and every new
 * file then walks past them (seen: 100,000 files created with 1.2 s of system CPU on a quiet file
 * system, 2.7-3.4 s within minutes of removing 200,000). Creating files dirties the very blocks
 * it allocates from, so the longer bound is the one that holds; runs within it measure the
 * removal, not the copy or the export. 370 s: the 360 s and a margin (until 2026-12-06 it was
 * 310 s, which left a run's first phases up to 50 s inside it).
 */
export const REMOVAL_SETTLE_MS = 370_000;

/**
 * Removes `dir` (a run's outputs) and notes when in `marker`, so that the next run (this one's
 * next phase, or a later run) can wait the removal out (`awaitRemovals`).
 */
export async function removeNoted(dir: string, marker: string): Promise<void> {
  if (!existsSync(dir)) return;
  await rm(dir, { recursive: true, force: true });
  await run('sync');
  writeFileSync(marker, String(Date.now()));
}

/** Waits until REMOVAL_SETTLE_MS have passed since the last removal noted in `marker`; the seconds waited. */
export async function awaitRemovals(marker: string, log: (line: string) => void): Promise<number> {
  if (!existsSync(marker)) return 0;
  const wait = Number(readFileSync(marker, 'utf8')) + REMOVAL_SETTLE_MS - Date.now();
  if (!(wait > 0)) return 0;
  log(`waiting ${(wait / 1000).toFixed(0)} s for the file system to settle after the last removal`);
  await new Promise((r) => setTimeout(r, wait));
  return wait / 1000;
}
