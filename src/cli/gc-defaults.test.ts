import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childModule } from '../../test/helpers/cli-runtime.js';
import {
  BURST_HEAP_GROWING_PERCENT,
  capsYoungGeneration,
  gcFlagsFor,
  HEAP_GROWING_PERCENT,
  SEMI_SPACE_MB,
} from './gc-defaults.js';

const GC_DEFAULTS = childModule(new URL('./gc-defaults.ts', import.meta.url).href);

/**
 * A child that keeps about 20 MB live and builds, again and again, arrays that live long enough
 * to be promoted to the old generation and then die: the largest old generation it reached is
 * what the growth factor bounds.
 */
function oldSpaceUnderChurn(apply: boolean): number {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    if (${apply}) (await import(${JSON.stringify(GC_DEFAULTS.href)})).applyGcDefaults([]);
    const live = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'live' + i }));
    let max = 0;
    for (let round = 0; round < 10; round++) {
      const batch = [];
      for (let i = 0; i < 400_000; i++) batch.push({ a: i, b: 'x' + i });
      max = Math.max(max, getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
    }
    console.log(JSON.stringify({ max, live: live.length }));
  `;
  const r = spawnSync(process.execPath, [...GC_DEFAULTS.execArgv, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { max: number }).max / 2 ** 20;
}

/**
 * A child with the installed command's defaults (widened or not, as the export does) that keeps
 * about 20 MB live and builds arrays that live across a turn of the event loop, are promoted and
 * die: how many full collections it ran.
 */
function fullCollectionsUnderChurn(widen: boolean): number {
  const script = `
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    const gc = await import(${JSON.stringify(GC_DEFAULTS.href)});
    gc.applyGcDefaults([]);
    if (${widen}) gc.widenOldGeneration([]);
    let full = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++;
    }).observe({ entryTypes: ['gc'] });
    const live = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'live' + i }));
    for (let round = 0; round < 80; round++) {
      const batch = [];
      for (let i = 0; i < 100_000; i++) batch.push({ a: i, b: 'x' + i });
      await new Promise((res) => setImmediate(res));
    }
    await new Promise((res) => setTimeout(res, 50));
    console.log(JSON.stringify({ full, live: live.length }));
  `;
  const r = spawnSync(process.execPath, [...GC_DEFAULTS.execArgv, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { full: number }).full;
}

/**
 * A child that keeps a few megabytes of young objects alive while it allocates, yielding to the
 * event loop between rounds as a run does, and starts a thread halfway (making a thread's heap
 * resets V8's growth factor; without the test's TypeScript loader, whose own loader thread
 * would be a second heap made unseen): the largest young generation it reached, in MB.
 */
function newSpaceUnderChurn(apply: boolean, releaseAt = -1): number {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    const { Worker } = await import('node:worker_threads');
    const gc = await import(${JSON.stringify(GC_DEFAULTS.href)});
    if (${apply}) gc.applyGcDefaults([]);
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    let max = 0;
    const keep = [];
    for (let round = 0; round < 120; round++) {
      if (round === 60) await new Promise((res) => new Worker('0', { eval: true, execArgv: [] }).on('exit', res));
      if (round === ${releaseAt}) gc.releaseYoungGeneration();
      const batch = [];
      for (let i = 0; i < 20_000; i++) batch.push({ i, s: 'x' + i });
      keep.push(batch);
      if (keep.length > 3) keep.shift();
      max = Math.max(max, size());
      await new Promise((res) => setImmediate(res));
    }
    console.log(JSON.stringify({ max }));
  `;
  const r = spawnSync(process.execPath, [...GC_DEFAULTS.execArgv, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { max: number }).max / 2 ** 20;
}

describe('GC defaults of the installed command', () => {
  it('sets the growth factor unless the node command line gives one', () => {
    expect(gcFlagsFor([])).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(gcFlagsFor(['--import', 'tsx'])).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(gcFlagsFor(['--heap-growing-percent=0'])).toEqual([]);
    expect(gcFlagsFor([], BURST_HEAP_GROWING_PERCENT)).toEqual([
      `--heap-growing-percent=${BURST_HEAP_GROWING_PERCENT}`,
    ]);
    expect(gcFlagsFor(['--heap-growing-percent=50'], BURST_HEAP_GROWING_PERCENT)).toEqual([]);
  });

  it('collects the old generation less often once widened (what export does), set at run time', () => {
    const ours = fullCollectionsUnderChurn(false);
    const widened = fullCollectionsUnderChurn(true);
    // the same churn; measured here 22 full collections against 14
    expect(widened).toBeLessThan(ours * 0.85);
  });

  it('keeps the old generation smaller under the same churn (set at run time, it takes effect)', () => {
    const defaults = oldSpaceUnderChurn(false);
    const ours = oldSpaceUnderChurn(true);
    // The same work and the same live data; measured here 135 MB with V8's growth, 65 with ours.
    // Ten rounds, not fewer: V8's own peak varies between runs (59-86 MB over four to six rounds,
    // which would leave the 0.75 bound within the noise).
    expect(ours).toBeLessThan(defaults * 0.75);
  });

  it('caps the young generation unless the node command line sizes it', () => {
    expect(capsYoungGeneration([])).toBe(true);
    expect(capsYoungGeneration(['--heap-growing-percent=0'])).toBe(true);
    expect(capsYoungGeneration(['--max-semi-space-size=16'])).toBe(false);
    expect(capsYoungGeneration(['--semi-space-growth-factor=2'])).toBe(false);
  });

  it('keeps the young generation at its cap under churn, across a new thread (set at run time, it takes effect)', () => {
    // V8's default here: two semi-spaces of 16 MB
    expect(newSpaceUnderChurn(false)).toBe(32);
    // Measured 8 MB (the cap) when run alone; on a loaded machine a collection can come before the
    // observer's turn and pass the cap by the one doubling gc-defaults.ts allows for.
    expect(newSpaceUnderChurn(true)).toBeLessThanOrEqual(2 * 2 * SEMI_SPACE_MB);
  });

  it("lets the young generation grow to V8's own size again once released (what export does)", () => {
    expect(newSpaceUnderChurn(true, 30)).toBeGreaterThan(2 * 2 * SEMI_SPACE_MB);
  });
});
