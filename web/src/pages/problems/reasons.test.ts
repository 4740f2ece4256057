import { describe, expect, it } from 'vitest';
import type { ProblemGroup } from '../../../../src/server/contract.js';
import { mergeGroups, REASON_ORDER } from './reasons.js';

function group(connectorId: string, reason: ProblemGroup['reason'], count: number, ats: number[]): ProblemGroup {
  return {
    connectorId,
    reason,
    count,
    advice: 'English advice',
    action: reason === 'destination-refused' ? 'retry' : reason === 'media-expired' ? 'none' : 'reevaluate',
    examples: ats.map((at, i) => ({ id: at + i, itemKey: null, participant: `p${i}`, code: null, detail: 'd', at })),
  };
}

describe('mergeGroups', () => {
  it('makes one card per reason, summing the connectors and keeping each part', () => {
    const merged = mergeGroups([group('a', 'unmapped', 3, [1]), group('b', 'unmapped', 4, [2])]);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.count).toBe(7);
    expect(merged[0]?.parts.map((p) => p.connectorId)).toEqual(['a', 'b']);
    expect(merged[0]?.examples.map((e) => e.connectorId)).toEqual(['b', 'a']);
  });

  it('orders reasons as the page reads them, whatever order the server sent', () => {
    const merged = mergeGroups([
      group('a', 'unknown-type', 1, []),
      group('a', 'destination-refused', 1, []),
      group('a', 'unmapped', 1, []),
      group('a', 'key-missing', 1, []),
    ]);
    expect(merged.map((g) => g.reason)).toEqual(['unmapped', 'key-missing', 'destination-refused', 'unknown-type']);
    expect(REASON_ORDER).toHaveLength(8);
    expect(REASON_ORDER).toContain('conflicting-duplicate');
  });

  it('keeps the newest examples, at most the limit', () => {
    const merged = mergeGroups([group('a', 'malformed', 9, [5, 1, 9]), group('b', 'malformed', 2, [7, 3])], 3);
    expect(merged[0]?.examples.map((e) => e.at)).toEqual([9, 7, 5]);
  });

  it("takes the parts' action, and 'none' only when no part can be released", () => {
    expect(mergeGroups([group('a', 'media-expired', 1, [])])[0]?.action).toBe('none');
    expect(mergeGroups([group('a', 'destination-refused', 1, [])])[0]?.action).toBe('retry');
  });
});
