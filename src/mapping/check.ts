/**
 * `mapping check FILE.csv`: read a mapping file and say, line by line, what will not be used
 * and why, before the operator loads it. The CLI prints `formatCheckReport`; the console can
 * show the structured report.
 */
import { readFile } from 'node:fs/promises';
import { ArchiverError } from '../core/errors.js';
import { formatProblem, parseMappingCsv, type ParseOptions } from './csv.js';
import type { MappingProblem, TextEncoding } from './types.js';

export interface MappingCheckReport {
  /** the path as given */
  file: string;
  /** how the bytes were read (GB18030: Excel's plain "CSV" on Chinese Windows) */
  encoding: TextEncoding;
  /** data lines in the file (not blank, not comments, not the header) */
  rows: number;
  /** rows the resolver will use */
  valid: number;
  errors: number;
  warnings: number;
  problems: (MappingProblem & { message: string })[];
}

/** Check a mapping file; throws WXA_CONFIG_NOT_FOUND when it does not exist. */
export async function checkMappingFile(path: string, options: ParseOptions = {}): Promise<MappingCheckReport> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ArchiverError('WXA_CONFIG_NOT_FOUND', `mapping file ${path} does not exist`, { cause: err });
    }
    const why =
      code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'cannot be read (permission denied)'
          : 'cannot be read';
    throw new ArchiverError('WXA_CONFIG_INVALID', `mapping file ${path} ${why}`, { cause: err });
  }
  const parsed = parseMappingCsv(bytes, path, options);
  const problems = parsed.problems.map((p) => ({ ...p, message: formatProblem(path, p) }));
  return {
    file: path,
    encoding: parsed.encoding,
    rows: parsed.dataLines,
    valid: parsed.rows.length,
    errors: problems.filter((p) => p.severity === 'error').length,
    warnings: problems.filter((p) => p.severity === 'warning').length,
    problems,
  };
}

const ENCODING_NOTE: Record<Exclude<TextEncoding, 'UTF-8'>, string> = {
  GB18030: 'GB18030 (Excel\'s plain "CSV" on Chinese Windows); it is used as it is, or save it as "CSV UTF-8"',
  'UTF-16LE': 'UTF-16 (Excel\'s "Unicode Text")',
  'UTF-16BE': 'UTF-16 big-endian',
};

/** A summary line, then one line per problem (warnings marked), for a terminal. */
export function formatCheckReport(report: MappingCheckReport): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const summary =
    `${report.file}: ${plural(report.rows, 'row')}, ${report.valid} usable; ` +
    `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}`;
  const lines = report.problems.map((p) => (p.severity === 'warning' ? `warning: ${p.message}` : p.message));
  const read = report.encoding === 'UTF-8' ? [] : [`read as ${ENCODING_NOTE[report.encoding]}`];
  return [summary, ...read, ...lines].join('\n');
}
