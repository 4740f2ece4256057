import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, type Covering } from './decide.js';

const covering = fc.record({
  policyId: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  action: fc.constantFrom('delete' as const, 'review' as const),
  expiresAt: fc.integer({ min: 0, max: 1000 }),
});
const set = fc.array(covering, { maxLength: 6 });
const now = fc.integer({ min: 0, max: 1200 });

describe('retention conflict rules', () => {
  it('a hold beats every policy', () => {
    fc.assert(
      fc.property(set, now, (cs, t) => {
        expect(decide(true, cs, t)).toEqual({ kind: 'held' });
      }),
    );
  });

  it('no policy keeps forever', () => {
    fc.assert(
      fc.property(now, (t) => {
        expect(decide(false, [], t)).toEqual({ kind: 'no-policy' });
      }),
    );
  });

  it('nothing goes before every covering period has ended (retain beats delete, longest wins)', () => {
    fc.assert(
      fc.property(set, now, (cs, t) => {
        const d = decide(false, cs, t);
        if (d.kind === 'delete' || d.kind === 'review')
          for (const c of cs) expect(t).toBeGreaterThanOrEqual(c.expiresAt);
        if (d.kind === 'retained') {
          expect(d.until).toBe(Math.max(...cs.map((c) => c.expiresAt)));
          expect(t).toBeLessThan(d.until);
        }
      }),
    );
  });

  it('adding a policy never lets an entry go earlier', () => {
    fc.assert(
      fc.property(set, covering, now, (cs, extra, t) => {
        const before = decide(false, cs, t);
        const after = decide(false, [...cs, extra], t);
        const goes = (k: string) => k === 'delete' || k === 'review';
        if (goes(after.kind)) expect(goes(before.kind) || cs.length === 0).toBe(true);
        if (before.kind === 'retained') expect(after.kind).toBe('retained');
      }),
    );
  });

  it('review beats delete among the deciding policies, and the order policies are read in does not matter', () => {
    fc.assert(
      fc.property(set, now, (cs, t) => {
        const d = decide(false, cs, t);
        expect(decide(false, [...cs].reverse(), t)).toEqual(d);
        if (d.kind === 'delete') {
          const until = Math.max(...cs.map((c) => c.expiresAt));
          expect(cs.filter((c: Covering) => c.expiresAt === until).every((c) => c.action === 'delete')).toBe(true);
        }
      }),
    );
  });
});
