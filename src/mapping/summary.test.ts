import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarizeMapping } from './summary.js';
import { MAPPING_PROBLEM_CODES, type MappingProblem, type ParsedMapping } from './types.js';

const problem = fc.record({
  code: fc.constantFrom(...MAPPING_PROBLEM_CODES.slice(0, 4)),
  severity: fc.constantFrom('error' as const, 'warning' as const),
});

function parsed(
  kinds: { code: MappingProblem['code']; severity: MappingProblem['severity'] }[],
  rows: number,
): ParsedMapping {
  return {
    file: 'm.csv',
    rows: Array.from({ length: rows }, (_, i) => ({ line: i + 2, userid: `u${i}`, mailbox: `u${i}@example.com` })),
    problems: kinds.map((k, i) => ({ ...k, line: i + 1, reason: 'r' })),
    dataLines: rows + kinds.length,
  };
}

describe('summarizeMapping', () => {
  it('counts every problem but keeps only the first of each code, in line order', () => {
    fc.assert(
      fc.property(
        fc.array(problem, { maxLength: 300 }),
        fc.nat(200),
        fc.integer({ min: 1, max: 30 }),
        (kinds, rows, per) => {
          const s = summarizeMapping(parsed(kinds, rows), { rows: 50, problemsPerCode: per });
          expect(s.problemCount).toBe(kinds.length);
          expect(s.errorCount).toBe(kinds.filter((k) => k.severity === 'error').length);
          expect(s.warningCount + s.errorCount).toBe(kinds.length);
          expect(s.problemCounts.reduce((n, c) => n + c.count, 0)).toBe(kinds.length);
          for (const code of new Set(kinds.map((k) => k.code))) {
            const all = kinds.map((k, i) => ({ ...k, line: i + 1 })).filter((k) => k.code === code);
            const kept = s.problems.filter((p) => p.code === code).map((p) => p.line);
            expect(kept).toEqual(all.slice(0, per).map((k) => k.line));
          }
          expect(s.rows).toHaveLength(Math.min(50, rows));
          expect(s.totalRows).toBe(rows);
        },
      ),
    );
  });
});
