/**
 * The few header fields a load file lists (From, To, Cc, Subject), read from the archived
 * message's header block and decoded from RFC 2047 encoded words; the body is never parsed.
 */
import libmime from 'libmime';

export interface LoadHeaders {
  from: string;
  to: string;
  subject: string;
}

export function headerBlock(mime: Buffer): string {
  let end = mime.indexOf('\r\n\r\n');
  if (end < 0) end = mime.indexOf('\n\n');
  return mime.subarray(0, end < 0 ? Math.min(mime.length, 64 * 1024) : end).toString('latin1');
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

function decode(v: string | undefined): string {
  if (!v) return '';
  // Header bytes are UTF-8 (RFC 6532) or ASCII with encoded words.
  const utf8 = Buffer.from(v, 'latin1').toString('utf8');
  // without an encoded word there is nothing for the decoder to do
  if (!utf8.includes('=?')) return utf8.trim();
  try {
    return libmime.decodeWords(utf8).trim();
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

export function loadHeaders(mime: Buffer): LoadHeaders {
  const fields = new Map<string, string>();
  // Unfold (RFC 5322 2.2.3), then take the first occurrence of each field.
  const unfolded = headerBlock(mime).replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    // a field's name is what precedes its first colon: only the wanted ones are parsed
    const colon = line.indexOf(':');
    if (colon < 2 || colon > 7) continue;
    const name = line.slice(0, colon).toLowerCase();
    if (!WANTED.has(name) || fields.has(name)) continue;
    const m = FIELD.exec(line);
    if (!m) continue;
    fields.set(name, m[2]!);
    if (fields.size === WANTED.size) break;
  }
  const to = [decodePeople(fields.get('to')), decodePeople(fields.get('cc'))].filter(Boolean).join(', ');
  return { from: decodePeople(fields.get('from')), to, subject: decode(fields.get('subject')) };
}

/** The bare address of a From value, for an mbox separator line. */
export function bareAddress(from: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(from) ?? /([^\s<>"]+@[^\s<>"]+)/.exec(from);
  return m ? m[1]! : 'MAILER-DAEMON';
}
