/**
 * The garbage collector's growth factor for the installed command, set before the CLI is loaded.
 * V8 lets the old generation grow to about three or four times what is live before collecting a
 * process that allocates fast; the pipeline allocates steadily (batches of prepared messages,
 * media chunks), so its main heap reached 140-175 MB for some 55 MB live. A factor of 1.5 keeps
 * a run's peak RSS far lower for little CPU (bench/README.md, pipeline section, measures both).
 * Imports nothing, so that it runs before the rest of the CLI has grown the heap.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's old-generation growth after a full collection: 1 + percent / 100. */
export const HEAP_GROWING_PERCENT = 50;

const GROWTH = '--heap-growing-percent';

/**
 * The flags to set given the node command line's own: one given there wins (an operator who
 * wants V8's default growth passes `--heap-growing-percent=0`).
 */
export function gcFlagsFor(execArgv: readonly string[]): string[] {
  return execArgv.some((a) => a.startsWith(GROWTH)) ? [] : [`${GROWTH}=${HEAP_GROWING_PERCENT}`];
}

/**
 * Applies the defaults to this process. The collector reads the growth factor at each full
 * collection, so setting it at run time takes effect; a young-generation size would not (it is
 * fixed when the heap is made), which is why none is set here.
 */
export function applyGcDefaults(execArgv: readonly string[] = process.execArgv): string[] {
  const flags = gcFlagsFor(execArgv);
  for (const f of flags) setFlagsFromString(f);
  return flags;
}
