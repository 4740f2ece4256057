/**
 * glibc malloc settings for the installed command, set before the CLI is loaded. glibc gives
 * each thread that allocates its own arena, up to eight per core; a pipeline run has some 16
 * threads (V8's platform threads, libuv's pool, the prepare threads), and each arena keeps the
 * memory its thread freed for that thread alone. Media chunks and MIME bytes of half a megabyte
 * are freed in bulk by each garbage collection; above glibc's dynamic mmap threshold they stay
 * in the arenas instead of going back to the system. Both raised a run's peak RSS (bench/README.md,
 * pipeline section, measures each setting). Node has no binding for mallopt(3): it is called in
 * the C library through koffi, as syncfs is.
 */
/** One mallopt(3) parameter: its number in <malloc.h> and the environment variable glibc reads for it. */
interface Setting {
  name: string;
  param: number;
  env: string;
  value: number;
}

/**
 * Two arenas: the main thread's and one shared by the others. glibc fixes its limit once a
 * ninth arena is made, so this is set first thing; the few threads Node started before it
 * keep theirs (3 arenas in all measured for the installed command, 12 without the setting). Allocation-heavy work runs in V8's
 * heaps and SQLite's page cache, not in malloc, so the contention this adds is small.
 */
export const ARENA_MAX = 2;
/** Allocations from 128 KiB up are mapped on their own and unmapped when freed (glibc's initial threshold, kept fixed). */
export const MMAP_THRESHOLD = 128 * 1024;

export const MALLOC_DEFAULTS: readonly Setting[] = [
  { name: 'M_ARENA_MAX', param: -8, env: 'MALLOC_ARENA_MAX', value: ARENA_MAX },
  // Setting it also stops glibc from raising it each time a mapped chunk is freed.
  { name: 'M_MMAP_THRESHOLD', param: -3, env: 'MALLOC_MMAP_THRESHOLD_', value: MMAP_THRESHOLD },
];

/** The settings to make: one the operator gave through glibc's own environment variable wins. */
export function mallocSettingsFor(env: NodeJS.ProcessEnv): Setting[] {
  return MALLOC_DEFAULTS.filter((s) => env[s.env] === undefined || env[s.env] === '');
}

/**
 * Applies the defaults to this process and returns the names of those glibc accepted. Elsewhere
 * than Linux with glibc (macOS, musl) there is no such call and nothing is changed; koffi is
 * loaded here, not on import, so that a platform it does not support still runs the command.
 */
export async function applyMallocDefaults(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const settings = mallocSettingsFor(env);
  if (process.platform !== 'linux' || settings.length === 0) return [];
  let mallopt: (param: number, value: number) => number;
  try {
    const koffi = (await import('koffi')).default;
    mallopt = koffi.load('libc.so.6').func('int mallopt(int param, int value)') as typeof mallopt;
  } catch {
    return [];
  }
  // mallopt returns 1 on success, 0 for a parameter this C library does not know
  return settings.filter((s) => mallopt(s.param, s.value) === 1).map((s) => s.name);
}
