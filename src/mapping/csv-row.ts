/**
 * One line of a mapping CSV to a row or to problems: the header (which columns mean what)
 * and each data line's values, checked one by one so a person sees every fault of a line
 * at once, each with its column.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { COLUMN_LABELS, KNOWN_HEADER_EXAMPLES, columnOfHeader, columnOfValue, type ColumnKind } from './csv-columns.js';
import { checkMailbox } from './mailbox.js';
import { normalizeMobile } from './phone.js';
import type { MappingProblem, MappingProblemCode, MappingProblemParams, MappingRow, ValueFailure } from './types.js';

/** Column kinds in file order; undefined for a column the header names but we ignore. */
export type Layout = (ColumnKind | undefined)[];

export interface HeaderResult {
  layout: Layout;
  problems: MappingProblem[];
  /** the header cannot be used (no mailbox or key column, or a column twice): no row is read */
  fatal: boolean;
}

const KEY_KINDS: readonly ColumnKind[] = ['userid', 'mobile', 'externalId'];
const MAX_VALUES = 4;

/** Read the first content line as a header, or return undefined when it is data. */
export function readHeader(fields: readonly string[], line: number): HeaderResult | undefined {
  const layout = fields.map(columnOfHeader);
  if (!layout.some(Boolean) || fields.some((f) => f.includes('@'))) return undefined;
  const problems: MappingProblem[] = [];
  const seen = new Map<ColumnKind, number>();
  fields.forEach((cell, i) => {
    const kind = layout[i];
    if (kind === undefined) {
      if (cell !== '') {
        problems.push({
          line,
          column: i + 1,
          value: cell,
          severity: 'warning',
          reason: `column ${i + 1} "${cell}" is not a mapping column and is ignored`,
          fix: `rename it to one of ${KNOWN_HEADER_EXAMPLES} if it is meant to be used`,
          code: 'header-column-ignored',
          params: { column: i + 1, value: cell },
        });
      }
      return;
    }
    const first = seen.get(kind);
    if (first !== undefined) {
      problems.push({
        line,
        column: i + 1,
        value: cell,
        severity: 'error',
        reason: `columns ${first} and ${i + 1} are both ${COLUMN_LABELS[kind]} columns`,
        fix: 'keep only one of them',
        code: 'header-column-twice',
        params: { first, column: i + 1, kind },
      });
    } else seen.set(kind, i + 1);
  });
  if (!seen.has('mailbox')) {
    problems.push({
      line,
      severity: 'error',
      reason: 'the header has no mailbox column',
      fix: 'add one named mailbox, email or 邮箱',
      code: 'header-no-mailbox',
      params: {},
    });
  }
  if (!KEY_KINDS.some((k) => seen.has(k))) {
    problems.push({
      line,
      severity: 'error',
      reason: 'the header has no userid, mobile number or external id column',
      fix: `add at least one of ${KNOWN_HEADER_EXAMPLES}`,
      code: 'header-no-key',
      params: {},
    });
  }
  return { layout, problems, fatal: problems.some((p) => p.severity === 'error') };
}

/** A first line with words only (no @, no digits) that names no known column: a header we do not understand. */
export function unknownHeaderProblem(fields: readonly string[], line: number): MappingProblem | undefined {
  const cells = fields.filter((f) => f !== '');
  if (cells.length < 2 || cells.some((f) => /[@\d]/.test(f.normalize('NFKC')))) return undefined;
  const names = cells.map((c) => `"${c}"`).join(', ');
  return {
    line,
    severity: 'error',
    reason: `this looks like a header, but none of ${names} is a known column name`,
    fix: `name the columns ${KNOWN_HEADER_EXAMPLES}`,
    code: 'header-unknown',
    params: { names },
  };
}

/** A row that passed its own checks, with where each value came from (for conflict messages). */
export interface Candidate {
  row: MappingRow;
  columns: Partial<Record<ColumnKind, number>>;
  written: Partial<Record<ColumnKind, string>>;
}

/** Check one data line; returns the row when every value is usable. */
export function readRow(
  fields: readonly string[],
  line: number,
  layout: Layout | undefined,
  region: CountryCode,
): { candidate?: Candidate; problems: MappingProblem[] } {
  const problems: MappingProblem[] = [];
  const err: Report = (reason, code, params, column, value) => {
    problems.push({
      line,
      severity: 'error',
      reason,
      code,
      params,
      ...(column ? { column } : {}),
      ...(value ? { value } : {}),
    });
  };
  const assigned = layout ? byHeader(fields, layout, err) : byContent(fields, err);
  if (!assigned) return { problems };

  const row: MappingRow = { line, mailbox: '' };
  for (const [kind, { value, column }] of Object.entries(assigned) as [ColumnKind, Cell][]) {
    const checked = checkValue(kind, value, region);
    if (!checked.ok) err(checked.reason, checked.code, checked.params, column, value);
    else if (kind === 'externalId') row.externalId = checked.value;
    else row[kind] = checked.value;
  }
  if (!assigned.mailbox) err('the row has no mailbox (e-mail address)', 'row-no-mailbox', {});
  if (!KEY_KINDS.some((k) => assigned[k])) {
    err('the row has no userid, mobile number or external id to map from', 'row-no-key', {});
  }
  if (problems.length > 0) return { problems };
  const columns: Candidate['columns'] = {};
  const written: Candidate['written'] = {};
  for (const [kind, cell] of Object.entries(assigned) as [ColumnKind, Cell][]) {
    columns[kind] = cell.column;
    written[kind] = cell.value;
  }
  return { candidate: { row, columns, written }, problems };
}

interface Cell {
  value: string;
  column: number;
}
type Assigned = Partial<Record<ColumnKind, Cell>>;
type Report = (
  reason: string,
  code: MappingProblemCode,
  params: MappingProblemParams,
  column?: number,
  value?: string,
) => void;

function byHeader(fields: readonly string[], layout: Layout, err: Report): Assigned | undefined {
  const extra = fields.findIndex((f, i) => i >= layout.length && f !== '');
  if (extra >= 0) {
    const value = fields[extra] ?? '';
    err(
      `the row has ${fields.length} columns but the header has ${layout.length}`,
      'row-too-many-columns',
      { columns: fields.length, headerColumns: layout.length, column: extra + 1, value },
      extra + 1,
      value,
    );
    return undefined;
  }
  const out: Assigned = {};
  layout.forEach((kind, i) => {
    const value = fields[i] ?? '';
    if (kind && value !== '') out[kind] = { value, column: i + 1 };
  });
  return out;
}

function byContent(fields: readonly string[], err: Report): Assigned | undefined {
  const cells = fields.map((value, i) => ({ value, column: i + 1 })).filter((c) => c.value !== '');
  if (cells.length > MAX_VALUES) {
    const fifth = cells[MAX_VALUES]!;
    err(
      `the row has ${cells.length} values, but a mapping row has at most ${MAX_VALUES} (userid, mobile, external id, mailbox)`,
      'row-too-many-values',
      { values: cells.length, max: MAX_VALUES, column: fifth.column, value: fifth.value },
      fifth.column,
      fifth.value,
    );
    return undefined;
  }
  const out: Assigned = {};
  for (const cell of cells) {
    const kind = columnOfValue(cell.value);
    const prev = out[kind];
    if (prev) {
      err(
        `"${prev.value}" and "${cell.value}" both look like a ${COLUMN_LABELS[kind]}; add a header line that names the columns`,
        'row-ambiguous',
        { first: prev.value, second: cell.value, kind, column: cell.column },
        cell.column,
        cell.value,
      );
      return undefined;
    }
    out[kind] = cell;
  }
  return out;
}

/** WeCom's rule for a userid: 1-64 bytes of letters, digits and `_-@.`, starting with a letter or digit. */
const USERID = /^[A-Za-z0-9][A-Za-z0-9_\-@.]{0,63}$/;
/** External contact ids: `wm` (customer) or `wo` prefix, then URL-safe base64-like characters. */
const EXTERNAL_ID = /^w[mo][A-Za-z0-9_-]+$/;

function checkValue(kind: ColumnKind, raw: string, region: CountryCode): { ok: true; value: string } | ValueFailure {
  const value = raw.normalize('NFKC').replace(/\p{Cf}/gu, '');
  switch (kind) {
    case 'mailbox': {
      const r = checkMailbox(raw);
      return r.ok ? { ok: true, value: r.address } : r;
    }
    case 'mobile': {
      const r = normalizeMobile(raw, region);
      return r.ok ? { ok: true, value: r.e164 } : r;
    }
    case 'userid':
      return USERID.test(value)
        ? { ok: true, value }
        : {
            ok: false,
            reason: `"${raw}" is not a WeCom userid (up to 64 letters, digits and _ - @ . starting with a letter or digit)`,
            code: 'userid-invalid',
            params: { value: raw },
          };
    case 'externalId':
      return EXTERNAL_ID.test(value)
        ? { ok: true, value }
        : {
            ok: false,
            reason: `"${raw}" is not a WeCom external id (those start with wm or wo, followed by letters, digits, - or _)`,
            code: 'external-id-invalid',
            params: { value: raw },
          };
  }
}
