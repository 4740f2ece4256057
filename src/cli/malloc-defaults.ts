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
export function mallocSettingsFor(env: NodeJS.ProcessEnv, settings: readonly Setting[] = MALLOC_DEFAULTS): Setting[] {
  return settings.filter((s) => env[s.env] === undefined || env[s.env] === '');
}

/**
 * Applies the defaults to this process and returns the names of those glibc accepted. Elsewhere
 * than Linux with glibc (macOS, musl) there is no such call and nothing is changed; koffi is
 * loaded here, not on import, so that a platform it does not support still runs the command.
 */
export async function applyMallocDefaults(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  return applyMallocSettings(MALLOC_DEFAULTS, env);
}

/** Makes those of `settings` the environment leaves to us; returns the names glibc accepted. */
async function applyMallocSettings(settings: readonly Setting[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const wanted = mallocSettingsFor(env, settings);
  if (wanted.length === 0) return [];
  const mallopt = await loadMallopt();
  if (!mallopt) return [];
  // mallopt returns 1 on success, 0 for a parameter this C library does not know
  return wanted.filter((s) => mallopt(s.param, s.value) === 1).map((s) => s.name);
}

type Mallopt = (param: number, value: number) => number;
/** Loaded once (the installed command's defaults, then an export's pad). */
let mallopt: Promise<Mallopt | undefined> | undefined;

/** glibc's mallopt(3), or undefined where there is none (not Linux with glibc, or koffi cannot load). */
async function loadMallopt(): Promise<Mallopt | undefined> {
  mallopt ??= (async () => {
    if (process.platform !== 'linux') return undefined;
    try {
      const koffi = (await import('koffi')).default;
      return koffi.load('libc.so.6').func('int mallopt(int param, int value)') as Mallopt;
    } catch {
      return undefined;
    }
  })();
  return mallopt;
}

/** What an export keeps at the top of glibc's heap: M_TOP_PAD (see padMallocTop). */
export const EXPORT_TOP_PAD = 64 * 2 ** 20;
const TOP_PAD: Setting = { name: 'M_TOP_PAD', param: -2, env: 'MALLOC_TOP_PAD_', value: EXPORT_TOP_PAD };

/**
 * For a command that allocates and frees fast with memory to spare (an export: each item's rows,
 * pieces and lines), glibc grows its heap by this much more than it needs and keeps as much at
 * the top when memory is freed, instead of giving pages back to the system and faulting them in
 * again a moment later. An EML export of 100,000 items by the installed command, three pairs:
 * 15.5-15.8 s against 16.9-21.6 s, 26 s of CPU against 29-37 s, 163,000-206,000 page faults
 * against 304,000-405,000, peak RSS 252-257 MB against 237-239 MB (bench/README.md, export).
 * glibc's own MALLOC_TOP_PAD_ wins. Returns whether it was set.
 */
export async function padMallocTop(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return (await applyMallocSettings([TOP_PAD], env)).length > 0;
}
