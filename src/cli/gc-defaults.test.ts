import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gcFlagsFor, HEAP_GROWING_PERCENT } from './gc-defaults.js';

/**
 * A child that keeps about 20 MB live and builds, again and again, arrays that live long enough
 * to be promoted to the old generation and then die: the largest old generation it reached is
 * what the growth factor bounds.
 */
function oldSpaceUnderChurn(apply: boolean): number {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    if (${apply}) (await import(${JSON.stringify(new URL('./gc-defaults.ts', import.meta.url).href)})).applyGcDefaults([]);
    const live = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'live' + i }));
    let max = 0;
    for (let round = 0; round < 10; round++) {
      const batch = [];
      for (let i = 0; i < 400_000; i++) batch.push({ a: i, b: 'x' + i });
      max = Math.max(max, getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
    }
    console.log(JSON.stringify({ max, live: live.length }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { max: number }).max / 2 ** 20;
}

describe('GC defaults of the installed command', () => {
  it('sets the growth factor unless the node command line gives one', () => {
    expect(gcFlagsFor([])).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(gcFlagsFor(['--import', 'tsx'])).toEqual([`--heap-growing-percent=${HEAP_GROWING_PERCENT}`]);
    expect(gcFlagsFor(['--heap-growing-percent=0'])).toEqual([]);
  });

  it('keeps the old generation smaller under the same churn (set at run time, it takes effect)', () => {
    const defaults = oldSpaceUnderChurn(false);
    const ours = oldSpaceUnderChurn(true);
    // The same work and the same live data; measured here 135 MB with V8's growth, 65 with ours.
    expect(ours).toBeLessThan(defaults * 0.75);
  });
});
