/**
 * The custom mapping CSV (WeCom userid / mobile / external id -> mailbox), the first thing
 * the resolver consults. Used by the map stage and by `mapping check`. A bad line never
 * stops the good ones: each fault becomes a problem naming its physical line, and a held
 * item waits for the operator to fix it rather than going to a guessed mailbox.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import type { ColumnKind } from './csv-columns.js';
import {
  decodeLines,
  isComment,
  sniffDelimiter,
  splitFields,
  type DecodedFile,
  type PhysicalLine,
} from './csv-lines.js';
import { readHeader, readRow, unknownHeaderProblem, type Candidate, type Layout } from './csv-row.js';
import type { MappingProblem, MappingRow, ParsedMapping } from './types.js';

export interface ParseOptions {
  /** region for mobile numbers written without a country code; default CN */
  defaultRegion?: CountryCode;
}

const SAVE_AS_UTF8 = 'save the file as "CSV UTF-8" (in Excel: Save As, then "CSV UTF-8")';
const CONTROL_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/; // eslint-disable-line no-control-regex

/**
 * Parse a mapping file. `fileName` is carried into the result for `formatProblem`; problems
 * stay data so the console can show them its own way. Never throws on bad content.
 */
export function parseMappingCsv(text: string | Buffer, fileName: string, options: ParseOptions = {}): ParsedMapping {
  const region = options.defaultRegion ?? 'CN';
  const decoded = decodeLines(text);
  const delimiter = sniffDelimiter(decoded.lines);
  const problems: MappingProblem[] = [];
  const candidates: Candidate[] = [];
  let layout: Layout | undefined;
  let sawContent = false;
  let fatal = false;
  let dataLines = 0;

  decoded.lines.forEach((line, index) => {
    const lineNo = index + 1;
    if (typeof line === 'string' && (line.trim() === '' || isComment(line))) return;
    const unreadable = unreadableLine(line, lineNo, decoded);
    const split = typeof line === 'string' && !unreadable ? splitFields(line, delimiter) : undefined;
    if (split?.ok && split.fields.every((f) => f === '')) return; // Excel writes empty rows as ",,,"
    if (split?.ok && !sawContent) {
      sawContent = true;
      const header = readHeader(split.fields, lineNo);
      if (header) {
        layout = header.layout;
        fatal = header.fatal;
        problems.push(...header.problems);
        return;
      }
      const unknown = unknownHeaderProblem(split.fields, lineNo);
      if (unknown) {
        dataLines++;
        problems.push(unknown);
        return;
      }
    }
    sawContent = true;
    dataLines++;
    if (fatal) return;
    if (unreadable) {
      problems.push(unreadable);
    } else if (split && !split.ok) {
      const { column, reason, fix, code } = split;
      problems.push({ line: lineNo, column, severity: 'error', reason, fix, code, params: { column } });
    } else if (split?.ok) {
      const r = readRow(split.fields, lineNo, layout, region);
      problems.push(...r.problems);
      if (r.candidate) candidates.push(r.candidate);
    }
  });

  const rows = settleDuplicates(candidates, problems);
  if (dataLines === 0 && problems.length === 0) {
    problems.push({
      line: 0,
      severity: 'warning',
      reason: 'the file has no mapping rows',
      fix: 'add lines of userid, mobile, external id and mailbox',
      code: 'file-empty',
      params: {},
    });
  }
  problems.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  return { file: fileName, encoding: decoded.encoding, rows, problems, dataLines };
}

function unreadableLine(line: PhysicalLine, lineNo: number, decoded: DecodedFile): MappingProblem | undefined {
  if (typeof line !== 'string') {
    const encoding = decoded.encodingHint;
    if (!encoding) {
      return {
        line: lineNo,
        severity: 'error',
        reason: 'the line is not valid UTF-8 text',
        fix: SAVE_AS_UTF8,
        code: 'line-not-utf8',
        params: {},
      };
    }
    return {
      line: lineNo,
      severity: 'error',
      reason: `the line is not valid UTF-8 text (the file looks saved as ${encoding})`,
      fix: SAVE_AS_UTF8,
      code: 'line-not-utf8-encoding',
      params: { encoding },
    };
  }
  if (line.includes('\uFFFD')) {
    return {
      line: lineNo,
      severity: 'error',
      reason: 'the line contains "\uFFFD", which stands in for bytes that were not valid text',
      fix: SAVE_AS_UTF8,
      code: 'line-replacement-char',
      params: {},
    };
  }
  if (CONTROL_CHARS.test(line)) {
    return {
      line: lineNo,
      severity: 'error',
      reason: 'the line contains invisible control characters',
      fix: SAVE_AS_UTF8,
      code: 'line-control-chars',
      params: {},
    };
  }
  return undefined;
}

type KeyKind = Exclude<ColumnKind, 'mailbox'>;

const KEY_LABELS: Record<KeyKind, string> = {
  userid: 'userid',
  mobile: 'mobile',
  externalId: 'external id',
};

/**
 * Drop exact repeats (a warning) and rows whose keys disagree about the mailbox (an error on
 * every line involved). Neither side of a conflict is used: a guess could send one person's
 * messages to another's mailbox, while a held item only waits.
 */
function settleDuplicates(candidates: readonly Candidate[], problems: MappingProblem[]): MappingRow[] {
  const firstBySignature = new Map<string, number>();
  const unique: Candidate[] = [];
  // First owner of each key; a list only for keys on more than one line (rare), which keeps
  // a 100,000-row file from allocating 300,000 arrays.
  const firstOwner: Record<KeyKind, Map<string, Candidate>> = {
    userid: new Map(),
    mobile: new Map(),
    externalId: new Map(),
  };
  const shared: { kind: KeyKind; list: Candidate[] }[] = [];
  const sharedIndex: Record<KeyKind, Map<string, number>> = {
    userid: new Map(),
    mobile: new Map(),
    externalId: new Map(),
  };
  for (const c of candidates) {
    const { userid, mobile, externalId, mailbox } = c.row;
    const signature = `${userid?.toLowerCase() ?? ''}\u0000${mobile ?? ''}\u0000${externalId ?? ''}\u0000${mailbox}`;
    const first = firstBySignature.get(signature);
    if (first !== undefined) {
      problems.push({
        line: c.row.line,
        severity: 'warning',
        reason: `the row repeats line ${first} and is ignored`,
        relatedLines: [first],
        fix: 'remove it',
        code: 'duplicate-row',
        params: { firstLine: first },
      });
      continue;
    }
    firstBySignature.set(signature, c.row.line);
    unique.push(c);
    const keys: [KeyKind, string | undefined][] = [
      ['userid', userid?.toLowerCase()],
      ['mobile', mobile],
      ['externalId', externalId],
    ];
    for (const [kind, key] of keys) {
      if (key === undefined) continue;
      const owner = firstOwner[kind].get(key);
      if (!owner) {
        firstOwner[kind].set(key, c);
        continue;
      }
      const at = sharedIndex[kind].get(key);
      if (at === undefined) {
        sharedIndex[kind].set(key, shared.length);
        shared.push({ kind, list: [owner, c] });
      } else shared[at]?.list.push(c);
    }
  }

  const conflicted = new Set<number>();
  for (const { kind, list } of shared) {
    if (list.every((o) => o.row.mailbox === list[0]?.row.mailbox)) continue;
    for (const c of list) {
      const others = list.filter((o) => o.row.mailbox !== c.row.mailbox);
      const value = c.written[kind] ?? '';
      const where = others.map((o) => `to ${o.row.mailbox} on line ${o.row.line}`).join(' and ');
      conflicted.add(c.row.line);
      problems.push({
        line: c.row.line,
        ...(c.columns[kind] ? { column: c.columns[kind] } : {}),
        value,
        severity: 'error',
        reason: `${KEY_LABELS[kind]} "${value}" maps to ${c.row.mailbox} here but ${where}; a person has one mailbox, so neither line is used until they agree`,
        relatedLines: others.map((o) => o.row.line),
        code: 'key-conflict',
        params: {
          kind,
          value,
          mailbox: c.row.mailbox,
          otherMailboxes: others.map((o) => o.row.mailbox).join(', '),
          otherLines: others.map((o) => o.row.line).join(', '),
        },
      });
    }
  }
  return unique.filter((c) => !conflicted.has(c.row.line)).map((c) => c.row);
}

/**
 * The message for a person, in the project's one format:
 * `mapping.csv line 14: "+86 1380013800" is not a valid mobile number (...); fix the row or remove it`.
 */
export function formatProblem(
  fileName: string,
  p: Pick<MappingProblem, 'line' | 'reason' | 'severity' | 'fix'>,
): string {
  const where = p.line > 0 ? `${fileName} line ${p.line}` : fileName;
  const fix = p.fix ?? (p.severity === 'warning' ? 'remove it' : 'fix the row or remove it');
  return `${where}: ${p.reason}; ${fix}`;
}
