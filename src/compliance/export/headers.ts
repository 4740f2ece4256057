/**
 * The few header fields a load file lists (From, To, Cc, Subject), read from the archived
 * message's header block and decoded from RFC 2047 encoded words; the body is never parsed.
 */
import { createRequire } from 'node:module';
import type Libmime from 'libmime';

/**
 * libmime, loaded on first use through its CommonJS build: only a header with an encoded word
 * other than UTF-8 in base64 needs it (our own messages have none), and loading it cost each
 * of an export's threads some 95 ms of CPU at start (its ES modules and their charset tables).
 */
let libmimeModule: typeof Libmime | undefined;
const libmime = (): typeof Libmime => (libmimeModule ??= createRequire(import.meta.url)('libmime') as typeof Libmime);

export interface LoadHeaders {
  from: string;
  to: string;
  subject: string;
}

/** The fields a load file lists; a header line naming another is skipped unparsed. */
const WANTED = new Set(['from', 'to', 'cc', 'subject']);

/**
 * Decoded people fields (From, To, Cc) by their raw value: a conversation's participants come
 * back in message after message, and decoding encoded words is most of what reading these
 * headers costs. Bounded (emptied when full); a subject, unique to its message, is not kept.
 */
const PEOPLE_CACHE_MAX = 10_000;
const peopleCache = new Map<string, string>();

/** An encoded word (RFC 2047): charset, encoding, text; the shape libmime looks for. */
const ENCODED_WORD = /=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g;
/** Base64 in whole 4-character groups, padded at the end only. */
const WHOLE_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ONLY_SPACE = /^\s*$/;
/**
 * Text outside the encoded words that holds a word's delimiter: libmime joins the words of such
 * a value by the raw text around them (`=?UTF-8?B??=?UTF-8?B?QUI?==?UTF-8?B?QR==?=` comes out
 * `?UTF-8?B?QUIQR==?=`), so it is left to libmime. Our renderer never writes one.
 */
const HAS_DELIMITER = /=\?|\?=/;

/**
 * The words our own messages are written with, decoded without libmime: UTF-8 in base64, each
 * word whole groups. As libmime does, encoded words with only white space between them are one
 * run whose bytes are joined before they are read as UTF-8 (a character may be split across
 * two words). Undefined for a value with any other encoded word (another charset, Q encoding, a
 * partial group) or with a word's delimiter outside the words, which libmime decodes; its tests
 * check the two agree. libmime's general decoder (five regular-expression passes over the value,
 * a charset lookup per word) cost about half of reading a load file's headers, some 4 us per
 * message.
 */
export function decodeUtf8Base64Words(value: string): string | undefined {
  let out = '';
  let run: Buffer[] = [];
  let end = 0;
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(value); m; m = ENCODED_WORD.exec(value)) {
    const [word, charset, encoding, text] = m as unknown as [string, string, string, string];
    if (charset.toLowerCase() !== 'utf-8' || encoding.toUpperCase() !== 'B' || !WHOLE_BASE64.test(text))
      return undefined;
    const between = value.slice(end, m.index);
    if (HAS_DELIMITER.test(between)) return undefined;
    if (!run.length || !ONLY_SPACE.test(between)) {
      if (run.length) out += Buffer.concat(run).toString('utf8');
      out += between;
      run = [];
    }
    run.push(Buffer.from(text, 'base64'));
    end = m.index + word.length;
  }
  const rest = value.slice(end);
  if (HAS_DELIMITER.test(rest)) return undefined;
  if (run.length) out += Buffer.concat(run).toString('utf8');
  return out + rest;
}

function decode(v: string | undefined): string {
  if (!v) return '';
  // Header bytes are UTF-8 (RFC 6532) or ASCII with encoded words.
  const utf8 = Buffer.from(v, 'latin1').toString('utf8');
  // without an encoded word there is nothing for the decoder to do
  if (!utf8.includes('=?')) return utf8.trim();
  try {
    return (decodeUtf8Base64Words(utf8) ?? libmime().decodeWords(utf8)).trim();
  } catch {
    return utf8.trim();
  }
}

const isSpaceByte = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c;
/** The base64 alphabet (RFC 4648), by byte. */
const BASE64_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_BYTE[c.charCodeAt(0)] = 1;

/**
 * Where the text of the UTF-8 base64 encoded word starting at `i` (at its `=?`) ends, the text
 * starting at i + 10 and the word 2 bytes after its end (`?=`); -1 when what starts there is not
 * such a word in whole groups (another charset, Q encoding, a partial group, padding inside),
 * which the general path decodes.
 */
function utf8WordTextEnd(mime: Buffer, i: number, stop: number): number {
  let j = i + 2;
  if (
    j + 8 > stop ||
    lower(mime[j]!) !== 0x75 ||
    lower(mime[j + 1]!) !== 0x74 ||
    lower(mime[j + 2]!) !== 0x66 ||
    mime[j + 3] !== 0x2d ||
    mime[j + 4] !== 0x38 ||
    mime[j + 5] !== 0x3f ||
    lower(mime[j + 6]!) !== 0x62 ||
    mime[j + 7] !== 0x3f
  )
    return -1;
  j += 8;
  const text = j;
  while (j < stop && BASE64_BYTE[mime[j]!]) j++;
  let pad = 0;
  while (pad < 2 && j < stop && mime[j] === 0x3d) {
    j++;
    pad++;
  }
  return (j - text) % 4 === 0 && j + 2 <= stop && mime[j] === 0x3f && mime[j + 1] === 0x3d ? j : -1;
}

/** The decoded bytes of a run of encoded words, reused from value to value (grown when one needs more). */
let runBytes = Buffer.allocUnsafe(4096);

/**
 * A field value of the kind our own renderer writes, decoded straight from its bytes [start,
 * stop) (folds included): ASCII text and UTF-8 base64 encoded words, the words of a run with
 * only white space between them joined before they are read as UTF-8. The same as unfolding the
 * value, reading it as UTF-8 and decoding it (decode, decodeUtf8Base64Words) without the strings
 * and regular expressions those cost; undefined for any other value (a byte outside ASCII, a lone
 * CR, another encoded word, a word's delimiter outside the words), which they decode.
 */
export function decodeOurValue(mime: Buffer, start: number, stop: number): string | undefined {
  // a word's decoded bytes are fewer than its text's, so the whole value's bytes always fit
  if (runBytes.length < stop - start) runBytes = Buffer.allocUnsafe(stop - start);
  let out = '';
  /** the decoded bytes of the current run of words: runBytes[0, run), none yet when -1 */
  let run = -1;
  /** the text since the last word (or the start), unfolded, and whether it is all white space */
  let between = '';
  let onlySpace = true;
  let seg = start;
  let i = start;
  while (i < stop) {
    const c = mime[i]!;
    if (c === 0x0d || c === 0x0a) {
      // a fold (\r?\n[ \t]+) reads as one space; a lone CR is left to the general path
      if (c === 0x0d && (i + 1 >= stop || mime[i + 1] !== 0x0a)) return undefined;
      between += mime.toString('latin1', seg, i) + ' ';
      i += c === 0x0d ? 2 : 1;
      while (i < stop && (mime[i] === 0x20 || mime[i] === 0x09)) i++;
      seg = i;
      continue;
    }
    if (c >= 0x80) return undefined;
    if (c === 0x3f && i + 1 < stop && mime[i + 1] === 0x3d) return undefined;
    if (c === 0x3d && i + 1 < stop && mime[i + 1] === 0x3f) {
      const textEnd = utf8WordTextEnd(mime, i, stop);
      if (textEnd < 0) return undefined;
      between += mime.toString('latin1', seg, i);
      // words with only white space between them are one run, read as UTF-8 once joined
      if (run < 0 || !onlySpace) {
        if (run >= 0) out += runBytes.toString('utf8', 0, run);
        out += between;
        run = 0;
      }
      run += runBytes.write(mime.toString('latin1', i + 10, textEnd), run, 'base64');
      between = '';
      onlySpace = true;
      i = seg = textEnd + 2;
      continue;
    }
    if (!isSpaceByte(c)) onlySpace = false;
    i++;
  }
  between += mime.toString('latin1', seg, stop);
  if (run >= 0) out += runBytes.toString('utf8', 0, run);
  return (out + between).trim();
}

/** A field's value [start, stop) decoded: by decodeOurValue when it can, else unfolded and decoded as text. */
function decodeValue(mime: Buffer, start: number, stop: number): string {
  return (
    decodeOurValue(mime, start, stop) ??
    decode(
      mime
        .toString('latin1', start, stop)
        .replace(/\r?\n[ \t]+/g, ' ')
        .replace(/^[ \t]+/, ''),
    )
  );
}

function decodePeople(mime: Buffer, at: readonly [number, number] | undefined): string {
  if (!at) return '';
  const key = mime.toString('latin1', at[0], at[1]);
  let d = peopleCache.get(key);
  if (d === undefined) {
    d = decodeValue(mime, at[0], at[1]);
    if (peopleCache.size >= PEOPLE_CACHE_MAX) peopleCache.clear();
    peopleCache.set(key, d);
  }
  return d;
}

/** A header block is read no further than this into a message with no empty line at all (not a message). */
const MAX_BLOCK = 64 * 1024;
const LF_CRLF = Buffer.from('\n\r\n');
const LF_LF = Buffer.from('\n\n');

/**
 * How far a message's header block may reach: the whole message, its first empty line ending the
 * block as it is read (loadHeaders); MAX_BLOCK into one with no empty line.
 */
function blockLimit(mime: Buffer): number {
  if (mime.length <= MAX_BLOCK) return mime.length;
  const empty =
    mime[0] === 0x0a ||
    (mime[0] === 0x0d && mime[1] === 0x0a) ||
    mime.indexOf(LF_CRLF) >= 0 ||
    mime.indexOf(LF_LF) >= 0;
  return empty ? mime.length : MAX_BLOCK;
}

const lower = (b: number): number => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

type Wanted = 'from' | 'to' | 'cc' | 'subject';

/** The wanted field whose name (any case) and colon start the block at `p`, if any. */
function wantedAt(mime: Buffer, p: number, end: number): Wanted | undefined {
  const c = lower(mime[p]!);
  const is = (name: string): boolean => {
    if (p + name.length >= end || mime[p + name.length] !== 0x3a) return false;
    for (let i = 1; i < name.length; i++) if (lower(mime[p + i]!) !== name.charCodeAt(i)) return false;
    return true;
  };
  if (c === 0x66) return is('from') ? 'from' : undefined;
  if (c === 0x74) return is('to') ? 'to' : undefined;
  if (c === 0x63) return is('cc') ? 'cc' : undefined;
  if (c === 0x73) return is('subject') ? 'subject' : undefined;
  return undefined;
}

/** Whether every CR in [p, stop) starts a CRLF: a line whose unfolded text keeps a CR has no value (RFC 5322 2.2). */
function onlyFoldCrs(mime: Buffer, p: number, stop: number): boolean {
  for (let cr = mime.indexOf(0x0d, p); cr >= 0 && cr < stop; cr = mime.indexOf(0x0d, cr + 1))
    if (cr + 1 >= stop || mime[cr + 1] !== 0x0a) return false;
  return true;
}

/**
 * The first From, To, Cc and Subject of the header block, found and decoded at the byte level:
 * each line's start is checked for a wanted name, and only those lines' values are read, most
 * of them (our own messages' all) straight from their bytes (decodeOurValue).
 */
export function loadHeaders(mime: Buffer): LoadHeaders {
  const limit = blockLimit(mime);
  const fields = new Map<Wanted, [number, number]>();
  let p = 0;
  while (p < limit && fields.size < WANTED.size) {
    // the first empty line (CRLF or LF) ends the block
    if (mime[p] === 0x0a || (mime[p] === 0x0d && mime[p + 1] === 0x0a)) break;
    // the logical line ends at the first newline not followed by a space or tab (a fold)
    let nl = mime.indexOf(0x0a, p);
    if (nl < 0 || nl >= limit) nl = limit;
    const name = wantedAt(mime, p, limit);
    if (name === undefined || fields.has(name)) {
      p = nl + 1;
      continue;
    }
    while (nl + 1 < limit && (mime[nl + 1] === 0x20 || mime[nl + 1] === 0x09)) {
      nl = mime.indexOf(0x0a, nl + 1);
      if (nl < 0 || nl >= limit) nl = limit;
    }
    // the line without the CR of its CRLF; its value after the colon and any white space
    const stop = nl < limit && nl > p && mime[nl - 1] === 0x0d ? nl - 1 : nl;
    if (onlyFoldCrs(mime, p, stop)) fields.set(name, [p + name.length + 1, stop]);
    p = nl + 1;
  }
  const to = [decodePeople(mime, fields.get('to')), decodePeople(mime, fields.get('cc'))].filter(Boolean).join(', ');
  const subject = fields.get('subject');
  return {
    from: decodePeople(mime, fields.get('from')),
    to,
    subject: subject ? decodeValue(mime, subject[0], subject[1]) : '',
  };
}

/** The bare address of a From value, for an mbox separator line. */
export function bareAddress(from: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(from) ?? /([^\s<>"]+@[^\s<>"]+)/.exec(from);
  return m ? m[1]! : 'MAILER-DAEMON';
}
