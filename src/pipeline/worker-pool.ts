/**
 * The prepare threads, created once per process and kept across runs. Starting a pool per run
 * cost a module load per thread per run; a service running a connector every minute now starts
 * its threads once, and again only when the connector's setup (keys, directory, mapping)
 * changes. A pool ended while its threads load their module no longer aborts the process (see
 * poolThreadModule). A task whose thread dies is run again on the thread Piscina starts in its
 * place.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Logger } from '../core/logger.js';
import { poolThreadModule } from '../core/sibling-module.js';

/**
 * Prepare threads when the configuration names none: one per core but one, and at least one.
 * The main thread is itself a core's worth of work (media, SQLite with its search index, the
 * ingest log, commits: about 45% of a message's CPU) and the rate is bounded by it, not by the
 * threads; a thread per core left three busy threads on two cores, and each thread's V8 heap
 * stayed resident (on 2 cores, 100,000-message runs peaked 20-37 MB lower with one thread than
 * with two, at the same CPU per message: bench/README.md, pipeline section).
 */
export function defaultPrepareThreads(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}

/** Attempts of one task when its thread dies under it (the first included). */
export const TASK_ATTEMPTS = 3;

interface Slot {
  fingerprint: string;
  pool: Piscina;
}

const slots = new Map<string, Slot>();
let created = 0;

function workerFile(): { filename: string; execArgv: string[] } {
  // The compiled twin under the tests when the run chose the compiled code: the thread then loads
  // the compiled twin of the normalizer the source names, too (importNamed in prepare-task.ts).
  const { path, execArgv } = poolThreadModule(import.meta.url, './decrypt-worker');
  return { filename: path, execArgv };
}

/**
 * A prepare thread keeps little between tasks (its key ring and lookups): a small young
 * generation is collected more often but holds far less memory than V8's default, which let
 * each thread's heap grow to about 50 MB for some 15 MB of live data.
 */
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 8 };

function newPool(workerData: unknown, threads: number): Piscina {
  created++;
  return new Piscina({
    ...workerFile(),
    minThreads: threads,
    maxThreads: threads,
    workerData,
    resourceLimits: THREAD_LIMITS,
  });
}

export interface PoolLease {
  pool: Piscina;
  /** ends a pool made for one run; a shared pool stays for the next run */
  release(): Promise<void>;
}

/**
 * A pool for `workerData`. With a `slot` (the connector id) the pool is shared: the same setup
 * gets the same pool run after run; a changed setup replaces it. Without one it lives for the run.
 */
export async function leasePool(workerData: unknown, threads: number, slot?: string): Promise<PoolLease> {
  if (slot === undefined) {
    const pool = newPool(workerData, threads);
    return { pool, release: () => pool.destroy() };
  }
  const fingerprint = createHash('sha256')
    .update(`${threads}\n${JSON.stringify(workerData)}`)
    .digest('hex');
  const existing = slots.get(slot);
  if (existing?.fingerprint === fingerprint) return { pool: existing.pool, release: async () => undefined };
  slots.delete(slot);
  await existing?.pool.destroy();
  const pool = newPool(workerData, threads);
  slots.set(slot, { fingerprint, pool });
  return { pool, release: async () => undefined };
}

/** Ends every shared pool (at the end of `serve`). */
export async function closeSharedPools(): Promise<void> {
  const all = [...slots.values()];
  slots.clear();
  await Promise.all(all.map((s) => s.pool.destroy()));
}

/** Pools started in this process, and shared ones alive now: for tests and monitoring. */
export function poolStats(): { created: number; shared: number } {
  return { created, shared: slots.size };
}

/**
 * Runs a task, again on a fresh thread when its thread died (a crash, an out-of-memory abort of
 * the thread): tasks are pure functions of their input, so running one twice is safe.
 */
export async function runWithRetry<R>(pool: Piscina, task: unknown, log?: Logger): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await pool.run(task)) as R;
    } catch (err) {
      // The pool itself is being ended (the run is over): nothing to run again on.
      if (attempt >= TASK_ATTEMPTS || (err as Error).message === 'Terminating worker thread') throw err;
      log?.warn({ component: 'prepare-pool', err, attempt }, 'a prepare thread failed; its batch runs again');
    }
  }
}
