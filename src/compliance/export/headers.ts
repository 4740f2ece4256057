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
const FIELD = /^([!-9;-~]+):[ \t]*(.*)$/;

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

function decodePeople(v: string | undefined): string {
  if (!v) return '';
  let d = peopleCache.get(v);
  if (d === undefined) {
    d = decode(v);
    if (peopleCache.size >= PEOPLE_CACHE_MAX) peopleCache.clear();
    peopleCache.set(v, d);
  }
  return d;
}

/** Where the header block ends: before the first empty line, or 64 KB in when there is none. */
function headerEnd(mime: Buffer): number {
  let end = mime.indexOf('\r\n\r\n');
  if (end < 0) end = mime.indexOf('\n\n');
  return end < 0 ? Math.min(mime.length, 64 * 1024) : end;
}

const lower = (b: number): number => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

/** The wanted field whose name (any case) and colon start the block at `p`, if any. */
function wantedAt(mime: Buffer, p: number, end: number): 'from' | 'to' | 'cc' | 'subject' | undefined {
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

/**
 * The first From, To, Cc and Subject of the header block, found at the byte level: each line's
 * start is checked for a wanted name and only those lines are decoded, unfolded (RFC 5322
 * 2.2.3) and parsed, so a long header block costs a few `indexOf` calls, not a decoded string.
 */
export function loadHeaders(mime: Buffer): LoadHeaders {
  const end = headerEnd(mime);
  const fields = new Map<string, string>();
  let p = 0;
  while (p < end && fields.size < WANTED.size) {
    // the logical line ends at the first newline not followed by a space or tab (a fold)
    let nl = mime.indexOf(0x0a, p);
    if (nl < 0 || nl >= end) nl = end;
    const name = wantedAt(mime, p, end);
    if (name === undefined || fields.has(name)) {
      p = nl + 1;
      continue;
    }
    while (nl < end && nl + 1 < end && (mime[nl + 1] === 0x20 || mime[nl + 1] === 0x09)) {
      nl = mime.indexOf(0x0a, nl + 1);
      if (nl < 0 || nl >= end) nl = end;
    }
    // the line without the CR of its CRLF, unfolded, then parsed as the whole block used to be
    const stop = nl < end && nl > p && mime[nl - 1] === 0x0d ? nl - 1 : nl;
    const line = mime.toString('latin1', p, stop).replace(/\r?\n[ \t]+/g, ' ');
    const m = FIELD.exec(line);
    if (m) fields.set(name, m[2]!);
    p = nl + 1;
  }
  const to = [decodePeople(fields.get('to')), decodePeople(fields.get('cc'))].filter(Boolean).join(', ');
  return { from: decodePeople(fields.get('from')), to, subject: decode(fields.get('subject')) };
}

/** The bare address of a From value, for an mbox separator line. */
export function bareAddress(from: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(from) ?? /([^\s<>"]+@[^\s<>"]+)/.exec(from);
  return m ? m[1]! : 'MAILER-DAEMON';
}
