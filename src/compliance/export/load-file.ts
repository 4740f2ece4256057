/**
 * Load files for review platforms: a Concordance DAT (field separator ¶ U+0014, quote þ U+00FE,
 * newline in a value ® U+00AE, multi-value separator ;) and the same rows as RFC 4180 CSV. Both
 * UTF-8 with a byte order mark, CRLF line ends, one header row.
 */

export const LOAD_FIELDS = [
  'ControlNumber',
  'Custodian',
  'From',
  'To',
  'DateSent',
  'Subject',
  'Conversation',
  'MsgType',
  'ItemKey',
  'MsgId',
  'FilePath',
  'SHA256',
  'Tags',
] as const;

export interface LoadRow {
  controlNumber: string;
  custodians: string[];
  from: string;
  to: string;
  /** ISO 8601 UTC */
  dateSent: string;
  subject: string;
  conversation: string;
  msgtype: string;
  itemKey: string;
  msgid: string;
  filePath: string;
  sha256: string;
  tags: string[];
}

export const BOM = '\ufeff';
const FIELD = '\u0014';
const QUOTE = '\u00fe';
const NEWLINE = '\u00ae';

/** A row's values in LOAD_FIELDS order, the multi-valued ones joined with `;`. */
export function loadValues(r: LoadRow): string[] {
  return [
    r.controlNumber,
    r.custodians.join(';'),
    r.from,
    r.to,
    r.dateSent,
    r.subject,
    r.conversation,
    r.msgtype,
    r.itemKey,
    r.msgid,
    r.filePath,
    r.sha256,
    r.tags.join(';'),
  ];
}

/** What a DAT value must not hold as it is: the quote character, line ends. */
const DAT_SPECIAL = /[\u00fe\r\n]/;

function datValue(x: string): string {
  // A quote character inside a value would end it early; review platforms have no escape for it.
  // Most values hold neither, and one test costs less than the two replacements.
  return DAT_SPECIAL.test(x) ? x.replace(/\u00fe/g, '').replace(/\r\n|\r|\n/g, NEWLINE) : x;
}

function datLine(v: readonly string[]): string {
  return v.map((x) => QUOTE + datValue(x) + QUOTE).join(FIELD) + '\r\n';
}

function csvLine(v: readonly string[]): string {
  return v.map((x) => (/[",\r\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x)).join(',') + '\r\n';
}

export const datHeader = (): string => BOM + datLine(LOAD_FIELDS);
export const csvHeader = (): string => BOM + csvLine(LOAD_FIELDS);
export const datRow = (r: LoadRow): string => datLine(loadValues(r));
export const csvRow = (r: LoadRow): string => csvLine(loadValues(r));
