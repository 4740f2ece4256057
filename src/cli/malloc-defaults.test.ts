import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childModule } from '../../test/helpers/cli-runtime.js';
import { ARENA_MAX, EXPORT_TOP_PAD, mallocSettingsFor, MMAP_THRESHOLD } from './malloc-defaults.js';

const MALLOC_DEFAULTS = childModule(new URL('./malloc-defaults.ts', import.meta.url).href);

/** The environment without glibc's own malloc variables, so the defaults are the ones tested. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('MALLOC_')) delete env[k];
  return env;
}

/**
 * A child that counts glibc's arenas (malloc_stats(3) prints one block per arena on stderr),
 * then starts eight threads which each allocate through malloc, and counts them again: the
 * arenas the threads added are what the setting bounds.
 */
function arenasWith(apply: boolean): { before: number; after: number; applied: string[] } {
  const script = `
    // first, as the installed command does: glibc takes the limit only while few arenas exist
    let applied = [];
    if (${apply}) applied = await (await import(${JSON.stringify(MALLOC_DEFAULTS.href)})).applyMallocDefaults();
    const koffi = (await import('koffi')).default;
    const { Worker } = await import('node:worker_threads');
    const stats = koffi.load('libc.so.6').func('void malloc_stats(void)');
    stats();
    process.stderr.write('--\\n');
    const body = "const keep = []; for (let i = 0; i < 2000; i++) keep.push(Buffer.alloc(1000 + (i % 50) * 100)); process.getBuiltinModule('node:worker_threads').parentPort.postMessage(keep.length);";
    await Promise.all(Array.from({ length: 8 }, () => new Promise((res) => new Worker(body, { eval: true }).on('message', res))));
    stats();
    console.log(JSON.stringify(applied));
    process.exit(0);
  `;
  // Fewer threads before the setting than the TypeScript loader's file reads would start on a
  // full thread pool: more than eight arenas before it, and glibc has fixed its limit already.
  const r = spawnSync(
    process.execPath,
    ['--v8-pool-size=2', ...MALLOC_DEFAULTS.execArgv, '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      env: { ...cleanEnv(), UV_THREADPOOL_SIZE: '1' },
    },
  );
  expect(r.status, r.stderr).toBe(0);
  const [first = '', second = ''] = r.stderr.split('--\n');
  const count = (s: string): number => s.split('\n').filter((l) => /^Arena \d+:/.test(l)).length;
  return { before: count(first), after: count(second), applied: JSON.parse(r.stdout) as string[] };
}

describe('malloc defaults of the installed command', () => {
  it('sets each parameter unless glibc was given it through its environment variable', () => {
    expect(mallocSettingsFor({}).map((s) => [s.name, s.value])).toEqual([
      ['M_ARENA_MAX', ARENA_MAX],
      ['M_MMAP_THRESHOLD', MMAP_THRESHOLD],
    ]);
    expect(mallocSettingsFor({ MALLOC_ARENA_MAX: '4' }).map((s) => s.name)).toEqual(['M_MMAP_THRESHOLD']);
    expect(mallocSettingsFor({ MALLOC_ARENA_MAX: '', MALLOC_MMAP_THRESHOLD_: '65536' }).map((s) => s.name)).toEqual([
      'M_ARENA_MAX',
    ]);
  });

  it.runIf(process.platform === 'linux')(
    'bounds the arenas of a process whose threads allocate (set at run time, it takes effect)',
    () => {
      const defaults = arenasWith(false);
      const ours = arenasWith(true);
      expect(ours.applied).toEqual(['M_ARENA_MAX', 'M_MMAP_THRESHOLD']);
      // glibc's default is eight arenas per core, at least 16 here: new threads get one each.
      expect(defaults.after - defaults.before).toBeGreaterThanOrEqual(Math.min(8, 16 - defaults.before));
      expect(defaults.after - defaults.before).toBeGreaterThan(0);
      // Set at run time, the threads started before it keep theirs; the new ones share them.
      expect(ours.after).toBe(ours.before);
    },
  );

  it.runIf(process.platform === 'linux')(
    "pads the heap's top for an export: glibc grows it by the pad, unless MALLOC_TOP_PAD_ says otherwise",
    () => {
      // the main arena's size (malloc_stats(3), "system bytes") after some thousands of small allocations
      const heapWith = (pad: boolean, env: NodeJS.ProcessEnv = cleanEnv()): { set: boolean; system: number } => {
        const script = `
          const set = ${pad} ? await (await import(${JSON.stringify(MALLOC_DEFAULTS.href)})).padMallocTop() : false;
          const koffi = (await import('koffi')).default;
          const keep = [];
          for (let i = 0; i < 4000; i++) keep.push(Buffer.alloc(2000));
          koffi.load('libc.so.6').func('void malloc_stats(void)')();
          console.log(JSON.stringify({ set, kept: keep.length }));
        `;
        const r = spawnSync(process.execPath, [...MALLOC_DEFAULTS.execArgv, '--input-type=module', '-e', script], {
          encoding: 'utf8',
          env,
        });
        expect(r.status, r.stderr).toBe(0);
        const system = Number(/Arena 0:\s*\nsystem bytes\s*=\s*(\d+)/.exec(r.stderr)?.[1]);
        return { set: (JSON.parse(r.stdout) as { set: boolean }).set, system };
      };
      const plain = heapWith(false);
      const padded = heapWith(true);
      expect(padded.set).toBe(true);
      expect(padded.system).toBeGreaterThanOrEqual(EXPORT_TOP_PAD);
      expect(plain.system).toBeLessThan(EXPORT_TOP_PAD);
      // glibc's own variable wins: nothing is set
      expect(heapWith(true, { ...cleanEnv(), MALLOC_TOP_PAD_: '131072' }).set).toBe(false);
    },
  );
});
