// The run schedule: a trigger during a run is not lost; it starts the next run when this one ends.
import { describe, expect, it } from 'vitest';
import { startSchedule } from './schedule.js';

describe('startSchedule', () => {
  it('runs again right after the current run when triggered during it, not an interval later', async () => {
    const starts: number[] = [];
    let release: (() => void) | undefined;
    const s = startSchedule({
      intervalMs: 3_600_000,
      run: async () => {
        starts.push(Date.now());
        if (starts.length === 1) await new Promise<void>((r) => (release = r));
      },
      onError: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(starts).toHaveLength(1);
    s.trigger();
    release?.();
    await new Promise((r) => setTimeout(r, 50));
    expect(starts).toHaveLength(2);
    // Idle now: the next run waits for the interval or a trigger.
    await new Promise((r) => setTimeout(r, 50));
    expect(starts).toHaveLength(2);
    s.trigger();
    await new Promise((r) => setTimeout(r, 20));
    expect(starts).toHaveLength(3);
    await s.stop();
  });
});
