import { describe, expect, it } from 'vitest';
import { runCountersOf, runOutcome } from './run-lines.js';

describe('run lines', () => {
  it('counts at the source what the run pulled new, and what it processed again apart', () => {
    const c = runCountersOf({ captured: 5, fetched: 80, archived: 20, held: { unmapped: 60 }, deliveries: 31 });
    expect(c).toMatchObject({ atSource: 5, processed: 80, archived: 20, heldTotal: 60, afterFanOut: 31 });
    // Runs stored before `captured` was kept counted what they processed.
    expect(runCountersOf({ fetched: 7 }).atSource).toBe(7);
    expect(runCountersOf(null)).toMatchObject({ atSource: 0, processed: 0, heldTotal: 0 });
  });

  it('names a run that held every record it processed, and only that one, held', () => {
    const allHeld = { processed: 30, archived: 0, heldTotal: 30 };
    expect(runOutcome('succeeded', allHeld)).toBe('held');
    expect(runOutcome('succeeded', { processed: 30, archived: 1, heldTotal: 29 })).toBe('succeeded');
    expect(runOutcome('succeeded', { processed: 0, archived: 0, heldTotal: 0 })).toBe('succeeded');
    expect(runOutcome('failed', allHeld)).toBe('failed');
    expect(runOutcome('interrupted', allHeld)).toBe('interrupted');
    expect(runOutcome('running', allHeld)).toBe('running');
  });
});
