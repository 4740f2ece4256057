/**
 * The low level of the mapping CSV reader: bytes to physical lines, and a line to fields.
 *
 * Written here rather than with csv-parse, because csv-parse cannot give what an operator
 * needs: its line counter drifts on CRLF files, its `raw` text includes the blank and comment
 * lines before a record, one stray quote swallows every later row (and the sync API then
 * throws the good rows away), and calling it once per line costs about 20x this code. No
 * column of a mapping can hold a line break, so one physical line is one record: a broken
 * quote then costs its own line only, and every line number is the one an editor shows.
 * Quoting otherwise follows RFC 4180 (`"a,b"`, `"say ""hi"""`).
 */
import iconv from 'iconv-lite';
import type { MappingProblemCode, TextEncoding } from './types.js';

/** A line whose bytes are not valid UTF-8 (kept so later line numbers stay physical). */
export interface UndecodableLine {
  undecodable: true;
}

export type PhysicalLine = string | UndecodableLine;

export interface DecodedFile {
  lines: PhysicalLine[];
  /** how the bytes were read */
  encoding: TextEncoding;
  /** set when the bytes as a whole read as another encoding; used to say how to re-save */
  encodingHint?: string;
}

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * Decode a mapping file. UTF-8 with or without BOM is the format; UTF-16 with a BOM (Excel's
 * "Unicode Text") is decoded too since it is unambiguous. A file that is not UTF-8, whose lines
 * with non-ASCII bytes mostly fail as UTF-8 and which reads as GB18030 without a single invalid
 * sequence, is what Excel on Chinese Windows saves as plain "CSV": it is decoded as GB18030
 * (iconv-lite: pure JavaScript, so the result does not depend on how Node's ICU was built).
 * Otherwise lines with bytes that are not UTF-8 are marked rather than guessed at, so one
 * corrupt line in a UTF-8 file is reported, not mis-decoded.
 */
export function decodeLines(input: string | Buffer): DecodedFile {
  if (typeof input === 'string') return { lines: input.replace(/^\uFEFF/, '').split(LINE_BREAK), encoding: 'UTF-8' };
  const utf16 = utf16Encoding(input);
  if (utf16) {
    try {
      const lines = splitText(new TextDecoder(utf16, { fatal: true }).decode(input));
      return { lines, encoding: utf16 === 'utf-16le' ? 'UTF-16LE' : 'UTF-16BE' };
    } catch {
      // fall through: treated as UTF-8, so every bad line gets its own problem
    }
  }
  const body = hasUtf8Bom(input) ? input.subarray(3) : input;
  try {
    return { lines: splitText(new TextDecoder('utf-8', { fatal: true }).decode(body)), encoding: 'UTF-8' };
  } catch {
    const raw = splitBytes(body);
    const lines = raw.map(decodeLine);
    if (mostlyNotUtf8(raw, lines)) {
      const text = iconv.decode(body, 'gb18030');
      // iconv-lite replaces an invalid sequence with U+FFFD: then the file is not GB18030 either.
      if (!text.includes('\uFFFD')) return { lines: splitText(text), encoding: 'GB18030' };
      // Mostly GB18030 but with corrupt bytes: each bad line is reported, naming the encoding.
      if (mostlyGb18030(raw)) return { lines, encoding: 'UTF-8', encodingHint: 'GBK/GB18030' };
    }
    return { lines, encoding: 'UTF-8' };
  }
}

function splitText(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(LINE_BREAK);
}

function hasUtf8Bom(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

function utf16Encoding(b: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** Split on CR, LF and CRLF in bytes: both are single bytes that UTF-8 never uses inside a character. */
function splitBytes(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c !== 0x0a && c !== 0x0d) continue;
    out.push(b.subarray(start, i));
    if (c === 0x0d && b[i + 1] === 0x0a) i++;
    start = i + 1;
  }
  out.push(b.subarray(start));
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeLine(bytes: Buffer): PhysicalLine {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return { undecodable: true };
  }
}

/**
 * Most lines with non-ASCII bytes are not UTF-8: a few GBK lines can pass as UTF-8 by chance,
 * and one bad line in a UTF-8 file does not make it a GBK file.
 */
function mostlyNotUtf8(raw: readonly Buffer[], lines: readonly PhysicalLine[]): boolean {
  let nonAscii = 0;
  let bad = 0;
  raw.forEach((bytes, i) => {
    if (!bytes.some((c) => c >= 0x80)) return;
    nonAscii++;
    if (typeof lines[i] !== 'string') bad++;
  });
  return bad * 2 > nonAscii;
}

/** Most lines with non-ASCII bytes read as GB18030 without an invalid sequence. */
function mostlyGb18030(raw: readonly Buffer[]): boolean {
  let nonAscii = 0;
  let good = 0;
  for (const bytes of raw) {
    if (!bytes.some((c) => c >= 0x80)) continue;
    nonAscii++;
    if (!iconv.decode(bytes, 'gb18030').includes('\uFFFD')) good++;
  }
  return good * 2 > nonAscii;
}

/** A line is a comment when `#` is its first visible character. */
export function isComment(line: string): boolean {
  return /^\s*#/.test(line);
}

export type SplitResult =
  { ok: true; fields: string[] } | { ok: false; column: number; reason: string; fix: string; code: QuoteProblemCode };

/** What can be wrong with the quoting of a line (see MAPPING_PROBLEM_CODES). */
export type QuoteProblemCode = Extract<MappingProblemCode, 'quote-not-closed' | 'text-after-quote' | 'stray-quote'>;

/**
 * Split one line into trimmed fields. Spaces around a quoted field are allowed (people
 * type `a, "b"`); text after a closing quote, a quote inside an unquoted field and a quote
 * that never closes are refused with the column they are in.
 */
export function splitFields(line: string, delimiter: string): SplitResult {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    const column = fields.length + 1;
    while (i < line.length && line[i] !== delimiter && /\s/.test(line[i] ?? '')) i++;
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          return {
            ok: false,
            column,
            reason: `the quote that opens column ${column} is never closed`,
            fix: 'close the quote or remove it',
            code: 'quote-not-closed',
          };
        }
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      while (i < line.length && line[i] !== delimiter && /\s/.test(line[i] ?? '')) i++;
      if (i < line.length && line[i] !== delimiter) {
        return {
          ok: false,
          column,
          reason: `column ${column} has text after its closing quote`,
          fix: 'put the whole value inside the quotes',
          code: 'text-after-quote',
        };
      }
      fields.push(value.trim());
    } else {
      const end = line.indexOf(delimiter, i);
      const raw = end < 0 ? line.slice(i) : line.slice(i, end);
      if (raw.includes('"')) {
        return {
          ok: false,
          column,
          reason: `column ${column} has a stray quote (")`,
          fix: 'quote the whole value, doubling the quote inside ("a""b"), or remove the quote',
          code: 'stray-quote',
        };
      }
      fields.push(raw.trim());
      i = end < 0 ? line.length : end;
    }
    if (i >= line.length) return { ok: true, fields };
    i++; // past the delimiter
  }
}

const CANDIDATES = [',', ';', '\t', '，', '；'] as const;

/**
 * Choose the delimiter from the first lines: the candidate that appears (outside quotes) on
 * the most lines wins, a comma on a tie. Spreadsheets in locales with a decimal comma write
 * semicolons; "Unicode Text" writes tabs; a file typed with a Chinese input method may use
 * full-width commas throughout.
 */
export function sniffDelimiter(lines: readonly PhysicalLine[], sample = 50): string {
  const counts = new Map<string, number>(CANDIDATES.map((c) => [c, 0]));
  let seen = 0;
  for (const line of lines) {
    if (typeof line !== 'string' || line.trim() === '' || isComment(line)) continue;
    const bare = line.replace(/"(?:[^"]|"")*"/g, '');
    for (const c of CANDIDATES) if (bare.includes(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
    if (++seen >= sample) break;
  }
  let best: string = ',';
  for (const c of CANDIDATES) if ((counts.get(c) ?? 0) > (counts.get(best) ?? 0)) best = c;
  return best;
}
