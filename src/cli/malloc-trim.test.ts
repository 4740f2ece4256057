import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childModule } from '../../test/helpers/cli-runtime.js';
import { isFullCollection } from './malloc-trim.js';

const MALLOC_TRIM = childModule(new URL('./malloc-trim.ts', import.meta.url).href);

/**
 * A child that fills glibc's arenas with 80 MB of Buffers below the mmap threshold, keeps one in
 * fifty (so the freed memory is in holes, not only at the heap's top, which glibc returns
 * itself), frees the rest with a full collection and reports its RSS (MB) before and after (the
 * same wait either way: until over 50 MB came back, or 3 s).
 */
function rssAroundCollection(trim: boolean, stop = false): { full: number; after: number; started: boolean } {
  const script = `
    import { readFileSync } from 'node:fs';
    const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    let started = false;
    const mod = await import(${JSON.stringify(MALLOC_TRIM.href)});
    if (${trim}) started = await mod.trimAfterFullCollections();
    if (${stop}) mod.stopTrimming();
    let all = [];
    for (let i = 0; i < 4000; i++) all.push(Buffer.alloc(20000 + (i % 7) * 1000, 1));
    const kept = all.filter((_, i) => i % 50 === 0);
    const full = rss();
    all = null;
    globalThis.gc();
    // A service collects again and again; here a second full collection a little over a
    // second later (trims are at most one a second) gives a trim that came before the freed
    // Buffers reached malloc another chance. Both children wait the same, up to 3 s in all.
    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
    await wait(1100);
    globalThis.gc();
    for (let waited = 0; waited < 2000 && full - rss() <= 50; waited += 100) await wait(100);
    console.log(JSON.stringify({ full, after: rss(), started, kept: kept.length }));
  `;
  const r = spawnSync(process.execPath, ['--expose-gc', ...MALLOC_TRIM.execArgv, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { full: number; after: number; started: boolean };
}

describe('giving free malloc memory back after full collections', () => {
  it('tells full collections from the others by their kind', () => {
    expect(isFullCollection({ detail: { kind: 4 } } as never)).toBe(true);
    expect(isFullCollection({ detail: { kind: 1 } } as never)).toBe(false);
    expect(isFullCollection({} as never)).toBe(false);
  });

  it.runIf(process.platform === 'linux')('returns the collected Buffers memory that the arenas would keep', () => {
    const without = rssAroundCollection(false);
    const withTrim = rssAroundCollection(true);
    expect(withTrim.started).toBe(true);
    // Without the trim the freed 78 MB stay resident (glibc keeps holes in its heap); with it
    // most of them go back to the system.
    expect(without.full - without.after).toBeLessThan(30);
    expect(withTrim.full - withTrim.after).toBeGreaterThan(50);
  });

  it.runIf(process.platform === 'linux')('keeps the arenas memory once stopped (an export reuses it)', () => {
    const stopped = rssAroundCollection(true, true);
    expect(stopped.started).toBe(true);
    expect(stopped.full - stopped.after).toBeLessThan(30);
  });
});
