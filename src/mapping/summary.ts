/**
 * A bounded account of a parsed mapping file: every problem counted by code, but only the first
 * few of each code and the first rows kept. The console's preview and the save check send this
 * instead of the whole parse, whose size grows with the file (a million bad lines made a
 * 224 MB answer); the operator fixes the first problems of each kind and uploads again.
 */
import type { MappingProblem, MappingProblemCode, MappingRow, ParsedMapping, ProblemSeverity } from './types.js';

export interface SummaryLimits {
  /** rows kept, in file order */
  rows: number;
  /** problems kept per code, in line order */
  problemsPerCode: number;
}

export interface ProblemCount {
  code: MappingProblemCode;
  severity: ProblemSeverity;
  count: number;
}

export interface MappingSummary {
  file: string;
  /** usable rows in the whole file */
  totalRows: number;
  dataLines: number;
  /** the first `limits.rows` usable rows */
  rows: MappingRow[];
  /** at most `limits.problemsPerCode` of each code, in line order */
  problems: MappingProblem[];
  /** every problem, counted per code and severity, most frequent first */
  problemCounts: ProblemCount[];
  problemCount: number;
  errorCount: number;
  warningCount: number;
}

export function summarizeMapping(parsed: ParsedMapping, limits: SummaryLimits): MappingSummary {
  const counts = new Map<string, ProblemCount>();
  const kept = new Map<MappingProblemCode, number>();
  const problems: MappingProblem[] = [];
  let errorCount = 0;
  // The parser gives problems in line order, so the first of each code are the first kept.
  for (const p of parsed.problems) {
    if (p.severity === 'error') errorCount++;
    const key = `${p.code}\u0000${p.severity}`;
    const c = counts.get(key);
    if (c) c.count++;
    else counts.set(key, { code: p.code, severity: p.severity, count: 1 });
    const n = kept.get(p.code) ?? 0;
    if (n < limits.problemsPerCode) {
      kept.set(p.code, n + 1);
      problems.push(p);
    }
  }
  return {
    file: parsed.file,
    totalRows: parsed.rows.length,
    dataLines: parsed.dataLines,
    rows: parsed.rows.slice(0, limits.rows),
    problems,
    problemCounts: [...counts.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    problemCount: parsed.problems.length,
    errorCount,
    warningCount: parsed.problems.length - errorCount,
  };
}
