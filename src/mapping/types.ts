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

/**
 * What is wrong, as a stable code, so the console can show each problem in the reader's
 * language (`wizard:csvProblem.<code>`) with the problem's `params`. The English `reason` stays
 * the CLI's text; a code never changes meaning, and a new kind of fault gets a new code.
 */
export const MAPPING_PROBLEM_CODES = [
  /** no data rows at all (line 0) */
  'file-empty',
  /** the line's bytes are not UTF-8 */
  'line-not-utf8',
  /** the line's bytes are not UTF-8 and the file reads as {encoding} (GBK/GB18030) */
  'line-not-utf8-encoding',
  /** the line holds U+FFFD: text decoded with the wrong encoding before it reached us */
  'line-replacement-char',
  /** the line holds control characters (not tab, CR, LF) */
  'line-control-chars',
  /** a quote opens column {column} and never closes */
  'quote-not-closed',
  /** text follows the closing quote of column {column} */
  'text-after-quote',
  /** a quote inside the unquoted value of column {column} */
  'stray-quote',
  /** header cell {value} in column {column} names no mapping column (warning) */
  'header-column-ignored',
  /** columns {first} and {column} of the header are both {kind} */
  'header-column-twice',
  /** the header has no mailbox column */
  'header-no-mailbox',
  /** the header has no userid, mobile or external id column */
  'header-no-key',
  /** a first line of words only, none of them ({names}) a known column name */
  'header-unknown',
  /** the row has {columns} columns, the header {headerColumns} */
  'row-too-many-columns',
  /** a row without header has {values} values, more than {max} */
  'row-too-many-values',
  /** without a header, {first} and {second} both look like a {kind} */
  'row-ambiguous',
  /** the row has no mailbox */
  'row-no-mailbox',
  /** the row has no userid, mobile or external id */
  'row-no-key',
  /** {value} is not a WeCom userid */
  'userid-invalid',
  /** {value} is not a WeCom external contact id */
  'external-id-invalid',
  /** the row repeats line {firstLine} exactly (warning) */
  'duplicate-row',
  /** {kind} {value} maps to {mailbox} here and to {otherMailboxes} on lines {otherLines} */
  'key-conflict',
  /** the mailbox cell is empty */
  'mailbox-empty',
  /** {value} is a display name with an address in < > */
  'mailbox-display-name',
  /** {value} starts with mailto: */
  'mailbox-mailto',
  /** {value} contains a space */
  'mailbox-space',
  /** {value} has no @ */
  'mailbox-no-at',
  /** {value} has more than one @ */
  'mailbox-many-at',
  /** nothing before the @ of {value} */
  'mailbox-no-local-part',
  /** nothing after the @ of {value} */
  'mailbox-no-domain',
  /** {value} is longer than {max} characters */
  'mailbox-too-long',
  /** the part before the @ of {value} is longer than {max} characters */
  'mailbox-local-part-too-long',
  /** the part before the @ of {value} contains {char} */
  'mailbox-local-part-bad-char',
  /** the part before the @ of {value} starts or ends with a dot or has two in a row */
  'mailbox-local-part-dot',
  /** the domain {domain} of {value} has no dot */
  'mailbox-domain-no-dot',
  /** {domain} of {value} is not a domain name */
  'mailbox-domain-invalid',
  /** the mobile cell is empty */
  'mobile-empty',
  /** {value} is a number a spreadsheet turned into scientific notation, digits lost */
  'mobile-scientific',
  /** {value} has characters a phone number does not */
  'mobile-bad-chars',
  /** {value} starts with + or 00 and no known country calling code */
  'mobile-unknown-country-code',
  /** {value} cannot be read as a phone number */
  'mobile-not-a-number',
  /** {value} is a valid number of type {numberType}, not a mobile */
  'mobile-not-mobile',
  /** {value} has {digits} digits after +{callingCode}, where mobiles have {expected} */
  'mobile-wrong-length',
  /** {value} has the length of a +{callingCode} mobile but is outside the mobile ranges */
  'mobile-not-in-range',
  /** {value} is not a +{callingCode} mobile, but {international} (the digits with a +) is one */
  'mobile-missing-plus',
] as const;

export type MappingProblemCode = (typeof MAPPING_PROBLEM_CODES)[number];

/**
 * The params each code is always given: the contract between the parser and the catalogue
 * sentences, which may use these placeholders and no others. Some problems carry more.
 */
export const MAPPING_PROBLEM_PARAMS: Readonly<Record<MappingProblemCode, readonly string[]>> = {
  'file-empty': [],
  'line-not-utf8': [],
  'line-not-utf8-encoding': ['encoding'],
  'line-replacement-char': [],
  'line-control-chars': [],
  'quote-not-closed': ['column'],
  'text-after-quote': ['column'],
  'stray-quote': ['column'],
  'header-column-ignored': ['column', 'value'],
  'header-column-twice': ['first', 'column', 'kind'],
  'header-no-mailbox': [],
  'header-no-key': [],
  'header-unknown': ['names'],
  'row-too-many-columns': ['columns', 'headerColumns', 'column', 'value'],
  'row-too-many-values': ['values', 'max', 'column', 'value'],
  'row-ambiguous': ['first', 'second', 'kind', 'column'],
  'row-no-mailbox': [],
  'row-no-key': [],
  'userid-invalid': ['value'],
  'external-id-invalid': ['value'],
  'duplicate-row': ['firstLine'],
  'key-conflict': ['kind', 'value', 'mailbox', 'otherMailboxes', 'otherLines'],
  'mailbox-empty': [],
  'mailbox-display-name': ['value'],
  'mailbox-mailto': ['value'],
  'mailbox-space': ['value'],
  'mailbox-no-at': ['value'],
  'mailbox-many-at': ['value'],
  'mailbox-no-local-part': ['value'],
  'mailbox-no-domain': ['value'],
  'mailbox-too-long': ['value', 'max'],
  'mailbox-local-part-too-long': ['value', 'max'],
  'mailbox-local-part-bad-char': ['value', 'char'],
  'mailbox-local-part-dot': ['value'],
  'mailbox-domain-no-dot': ['value', 'domain'],
  'mailbox-domain-invalid': ['value', 'domain'],
  'mobile-empty': [],
  'mobile-scientific': ['value'],
  'mobile-bad-chars': ['value'],
  'mobile-unknown-country-code': ['value'],
  'mobile-not-a-number': ['value'],
  'mobile-not-mobile': ['value', 'numberType'],
  'mobile-wrong-length': ['value', 'digits', 'callingCode', 'expected'],
  'mobile-not-in-range': ['value', 'callingCode'],
  'mobile-missing-plus': ['value', 'callingCode', 'international'],
};

/**
 * Params whose value is a word from a fixed list rather than text from the file: the console
 * shows the label `wizard:csvProblem.<param>.<value>` in their place.
 */
export const MAPPING_PARAM_VOCABULARIES = {
  /** a column kind (`ColumnKind`) */
  kind: ['userid', 'mobile', 'externalId', 'mailbox'],
  /** a kind of phone number that is not a mobile (libphonenumber's type, in kebab case) */
  numberType: [
    'fixed-line',
    'toll-free',
    'premium-rate',
    'shared-cost',
    'voip',
    'personal-number',
    'pager',
    'uan',
    'voicemail',
    'other',
  ],
} as const;

export type MappingProblemParams = Record<string, string | number>;

/** What a check of one value (mailbox, mobile) says when the value is refused. */
export interface ValueFailure<C extends MappingProblemCode = MappingProblemCode> {
  ok: false;
  /** in English, for the CLI and logs */
  reason: string;
  code: C;
  params: MappingProblemParams;
}

export interface MappingProblem {
  /** physical line (1-based); 0 when the problem is the whole file */
  line: number;
  /** 1-based column of the offending value, when one value is at fault */
  column?: number;
  /** the offending value as written */
  value?: string;
  /** what is wrong, in words; `formatProblem` adds the file, line and what to do */
  reason: string;
  /** what is wrong, for a translated message; the English of `reason` and `fix` together */
  code: MappingProblemCode;
  /** the values `reason` and `fix` name, by the names in MAPPING_PROBLEM_PARAMS */
  params?: MappingProblemParams;
  severity: ProblemSeverity;
  /** other lines involved (the other side of a conflict, the original of a duplicate) */
  relatedLines?: number[];
  /** what to do, when "fix the row or remove it" does not fit */
  fix?: string;
}

/** How a mapping file's bytes were read. */
export type TextEncoding = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'GB18030';

export interface ParsedMapping {
  /** the name given to the parser, for messages */
  file: string;
  /** how the bytes were read: GB18030 is Excel's plain "CSV" on Chinese Windows */
  encoding: TextEncoding;
  rows: MappingRow[];
  problems: MappingProblem[];
  /** data lines seen (not blank, not comments, not the header), usable or not */
  dataLines: number;
}
