/**
 * An uploaded mapping CSV as the API answers it: parsed on the parser's worker thread, then
 * bounded (the first rows, the first problems of each code, every problem counted), so neither
 * the time nor the size of an answer grows without limit with the file. Used by the wizard's
 * preview and by saving a connector with its CSV.
 */
import type { MappingSummary } from '../mapping/summary.js';
import type { AppContext } from './context.js';
import type { MappingPreview } from './contract.js';
import { HttpError } from './errors.js';

/** Rows sent back for the preview table. */
export const PREVIEW_ROWS = 50;
/** Problems sent back per code: enough to see the pattern and fix it; the rest are counted. */
export const PROBLEMS_PER_CODE = 20;

export function checkMappingUpload(ctx: AppContext, csv: string, fileName: string): Promise<MappingSummary> {
  return ctx.mappingParser.parse(csv, fileName, { rows: PREVIEW_ROWS, problemsPerCode: PROBLEMS_PER_CODE });
}

export function previewOf(s: MappingSummary): MappingPreview {
  return {
    rows: s.rows.map((r) => {
      const [keyKind, key] = r.userid
        ? ['userid', r.userid]
        : r.mobile
          ? ['mobile', r.mobile]
          : ['externalId', r.externalId ?? ''];
      return { line: r.line, key, keyKind, mailbox: r.mailbox };
    }),
    problems: s.problems.map((p) => ({
      line: p.line,
      severity: p.severity,
      message: `${p.reason}${p.fix ? `; ${p.fix}` : ''}`,
      code: p.code,
      params: p.params ?? {},
    })),
    totalRows: s.totalRows,
    problemCount: s.problemCount,
    errorCount: s.errorCount,
    warningCount: s.warningCount,
    problemCounts: s.problemCounts,
  };
}

/** Refuses a CSV with errors before anything is saved, listing the first of each kind. */
export function refuseBadMapping(s: MappingSummary): void {
  if (s.errorCount === 0) return;
  const errors = s.problems.filter((p) => p.severity === 'error');
  const listed = errors.length < s.errorCount ? ` (the first ${errors.length} of each kind are listed)` : '';
  throw new HttpError(400, {
    code: 'WXA_MAPPING_INVALID',
    message: `${s.file} has ${s.errorCount} bad row(s)${listed}; fix or remove them before saving`,
    fields: errors.map((p) => ({ path: `mapping.csv.line.${p.line}`, message: p.reason })),
  });
}
