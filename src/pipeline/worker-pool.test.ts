// The prepare threads' default count leaves a core to the main thread, and never falls to none
// (0 would mean "prepare on the main thread", which only a configuration may ask for).
import { describe, expect, it } from 'vitest';
import { defaultPrepareThreads } from './worker-pool.js';

describe('defaultPrepareThreads', () => {
  it('is one per core but one', () => {
    expect(defaultPrepareThreads(2)).toBe(1);
    expect(defaultPrepareThreads(4)).toBe(3);
    expect(defaultPrepareThreads(16)).toBe(15);
  });

  it('is at least one, also on a single core', () => {
    expect(defaultPrepareThreads(1)).toBe(1);
  });
});
