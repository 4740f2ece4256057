/**
 * The shapes the mapping module hands out: the rows a mapping CSV yields and the problems
 * found in it. Kept apart so the parser, the resolver and the checker share them without
 * importing each other.
 */

/** One usable line of a mapping: at least one key (userid, mobile, external id) and a mailbox. */
export interface MappingRow {
  /** physical line in the file (1-based), for messages and for the console */
  line: number;
  /** WeCom userid as written (matched ignoring case) */
  userid?: string;
  /** mobile number in E.164 (`+8613800138000`) */
  mobile?: string;
  /** WeCom external contact id (`wm...`/`wo...`), matched exactly */
  externalId?: string;
  /** mailbox address, lower-cased */
  mailbox: string;
}

export type ProblemSeverity =
  /** the row is not used */
  | 'error'
  /** the row is redundant or a column is ignored; the mapping still works as intended */
  | 'warning';

export interface MappingProblem {
  /** physical line (1-based); 0 when the problem is the whole file */
  line: number;
  /** 1-based column of the offending value, when one value is at fault */
  column?: number;
  /** the offending value as written */
  value?: string;
  /** what is wrong, in words; `formatProblem` adds the file, line and what to do */
  reason: string;
  severity: ProblemSeverity;
  /** other lines involved (the other side of a conflict, the original of a duplicate) */
  relatedLines?: number[];
  /** what to do, when "fix the row or remove it" does not fit */
  fix?: string;
}

export interface ParsedMapping {
  /** the name given to the parser, for messages */
  file: string;
  rows: MappingRow[];
  problems: MappingProblem[];
  /** data lines seen (not blank, not comments, not the header), usable or not */
  dataLines: number;
}
