/**
 * Gives glibc's free memory back to the system after each full garbage collection. A full
 * collection frees many Buffers at once (media chunks, MIME bytes, the prepare threads' results):
 * their backing stores below the mmap threshold go back to malloc's arenas, which keep the pages
 * (11-42 MB free in the arenas during a pipeline run, read with mallinfo2). `malloc_trim(0)`
 * hands the free pages back (glibc releases whole free pages inside the heap, not only its top).
 * At most once a second, so that a process collecting often pays little (bench/README.md,
 * pipeline section, measures it). Called through koffi, as mallopt is.
 */
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** Least time between two trims. */
export const TRIM_EVERY_MS = 1000;

/** Set by stopTrimming: no trim is begun after it. */
let stopped = false;

/**
 * Stops the trims, for a command that frees and reuses memory at a steady rate until it ends (an
 * export): each trim gave back the free pages that the next items' buffers then faulted in again.
 * An EML export of 100,000 items by the installed command: 15.5-16.0 s against 17.9-18.7 s,
 * system CPU 8.4-8.7 s against 11.4-12.2 s, minor page faults 116,000-166,000 against
 * 280,000-330,000, peak RSS 15-20 MB higher (bench/README.md, export section).
 */
export function stopTrimming(): void {
  stopped = true;
}

/** Whether a `gc` performance entry is a full (mark-compact) collection. */
export function isFullCollection(entry: PerformanceEntry): boolean {
  return (entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;
}

/**
 * Starts trimming after full collections; returns false where there is no glibc (macOS, musl, a
 * platform koffi does not support), and the process runs as before.
 */
export async function trimAfterFullCollections(): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  let trim: (pad: number) => number;
  try {
    const koffi = (await import('koffi')).default;
    trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as typeof trim;
  } catch {
    return false;
  }
  let last = -TRIM_EVERY_MS;
  new PerformanceObserver((list) => {
    if (stopped || !list.getEntries().some(isFullCollection)) return;
    const now = performance.now();
    if (now - last < TRIM_EVERY_MS) return;
    last = now;
    // The collected Buffers' memory is freed in a task after the collection's entry is
    // observed (measured: a trim right here releases nothing, one a turn later all of it).
    setTimeout(() => trim(0), 0).unref();
  }).observe({ entryTypes: ['gc'] });
  return true;
}
