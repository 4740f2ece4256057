/**
 * The garbage collector's sizing for the installed command, set before the CLI is loaded.
 * V8 lets the old generation grow to about three or four times what is live before collecting a
 * process that allocates fast; the pipeline allocates steadily (batches of prepared messages,
 * media chunks), so its main heap reached 140-175 MB for some 55 MB live. A factor of 1.5 keeps
 * a run's peak RSS far lower for little CPU, and a young generation of 4 MB semi-spaces instead
 * of 16 MB frees the short-lived media and MIME buffers sooner (bench/README.md, pipeline
 * section, measures both). Imports only Node's own modules, so that it runs before the rest of
 * the CLI has grown the heap.
 */
import { subscribe } from 'node:diagnostics_channel';
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import type { Worker } from 'node:worker_threads';

/** V8's old-generation growth after a full collection: 1 + percent / 100. */
export const HEAP_GROWING_PERCENT = 50;
/**
 * The growth for a command that allocates in bursts with memory to spare (an export): each batch
 * of items lives across a few scavenges, is promoted, and dies in the old generation. At 1.5, an
 * EML export of 100,000 items ran 144 full collections in 18 s (both threads); at 2, 78, for
 * 3-4.5 s less CPU and 18-29 MB more RSS (bench/README.md, export section).
 */
export const BURST_HEAP_GROWING_PERCENT = 100;
/** The young generation's semi-spaces stop growing at this size (V8's own limit here: 16 MB). */
export const SEMI_SPACE_MB = 4;

const GROWTH = '--heap-growing-percent';

/**
 * The flags to set given the node command line's own: one given there wins (an operator who
 * wants V8's default growth passes `--heap-growing-percent=0`).
 */
export function gcFlagsFor(execArgv: readonly string[], percent = HEAP_GROWING_PERCENT): string[] {
  return execArgv.some((a) => a.startsWith(GROWTH)) ? [] : [`${GROWTH}=${percent}`];
}

/** Whether to cap the young generation: not when the node command line sizes it itself. */
export function capsYoungGeneration(execArgv: readonly string[]): boolean {
  return !execArgv.some((a) => /^--(max-semi-space-size|min-semi-space-size|semi-space-growth-factor)/.test(a));
}

/**
 * Applies the defaults to this process. The collector reads the growth factor at each full
 * collection, so setting it at run time takes effect; the young generation is capped as below.
 */
export function applyGcDefaults(execArgv: readonly string[] = process.execArgv): string[] {
  const flags = setGrowth(execArgv, HEAP_GROWING_PERCENT);
  if (capsYoungGeneration(execArgv)) capYoungGeneration();
  return flags;
}

/** Sets the old generation's growth unless the node command line gives one; returns the flags set. */
function setGrowth(execArgv: readonly string[], percent: number): string[] {
  const flags = gcFlagsFor(execArgv, percent);
  for (const f of flags) setFlagsFromString(f);
  return flags;
}

/** The new space's size the cap holds (bytes); Infinity when nothing caps it here. */
let youngTarget = Infinity;

const newSpaceBytes = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

/**
 * Stops the young generation growing past SEMI_SPACE_MB semi-spaces. Its largest size is fixed
 * when the heap is made (`--max-semi-space-size` works on the node command line only), but V8
 * grows it from 1 MB by a factor it reads at each scavenge. That factor is held at 1 (no growth)
 * and set to 2 only after a collection that left the young generation below the size wanted, so
 * it grows while the process runs and stops at that size. Making a thread's heap resets the
 * factor to V8's floor of 2, so it is set again as soon as each new thread is online. A cap,
 * then, that a collection before the observer's turn (a thread starting, a loaded machine) can
 * pass by one doubling.
 * Short-lived garbage (media chunks, MIME bytes) is freed every 4 MB of allocation instead of
 * every 16 MB; holding the young generation at 1 MB promoted more to the old generation and
 * saved less (bench/README.md, pipeline section).
 */
export function capYoungGeneration(semiSpaceMb = SEMI_SPACE_MB): void {
  // the new space holds two semi-spaces
  youngTarget = 2 * semiSpaceMb * 2 ** 20;
  const steer = (): void => setFlagsFromString(`--semi-space-growth-factor=${newSpaceBytes() < youngTarget ? 2 : 1}`);
  // held until the first collection after start-up: loading the CLI's modules does not yield
  setFlagsFromString('--semi-space-growth-factor=1');
  new PerformanceObserver(steer).observe({ entryTypes: ['gc'] });
  subscribe('worker_threads', (message) => (message as { worker: Worker }).worker.once('online', steer));
}

/**
 * Lets the young generation grow to V8's own limit again, for a command whose work allocates
 * fast and briefly with memory to spare: an export (about 1 KB of short-lived objects and a few
 * buffers per item). With the cap, an EML export of 100,000 items spent 13.7% of its main thread
 * collecting; without it, it used about a tenth less CPU for 60-70 MB more RSS (bench/README.md,
 * export section). Takes effect at the next collection.
 */
export function releaseYoungGeneration(): void {
  youngTarget = Infinity;
}

/**
 * Sets the old generation's growth for a command that allocates in bursts (see
 * BURST_HEAP_GROWING_PERCENT), unless the node command line gives one. V8's flags are the
 * process's, so its threads made after this grow the same way. Takes effect at the next full
 * collection. Returns the flags it set.
 */
export function widenOldGeneration(execArgv: readonly string[] = process.execArgv): string[] {
  return setGrowth(execArgv, BURST_HEAP_GROWING_PERCENT);
}
