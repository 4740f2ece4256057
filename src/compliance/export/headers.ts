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

export function loadHeaders(mime: Buffer): LoadHeaders {
  const fields = new Map<string, string>();
  // Unfold (RFC 5322 2.2.3), then take the first occurrence of each field.
  const unfolded = headerBlock(mime).replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    if (!fields.has(name)) fields.set(name, m[2]!);
  }
  const decode = (v: string | undefined): string => {
    if (!v) return '';
    // Header bytes are UTF-8 (RFC 6532) or ASCII with encoded words.
    const utf8 = Buffer.from(v, 'latin1').toString('utf8');
    try {
      return libmime.decodeWords(utf8).trim();
    } catch {
      return utf8.trim();
    }
  };
  const to = [decode(fields.get('to')), decode(fields.get('cc'))].filter(Boolean).join(', ');
  return { from: decode(fields.get('from')), to, subject: decode(fields.get('subject')) };
}

/** The bare address of a From value, for an mbox separator line. */
export function bareAddress(from: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(from) ?? /([^\s<>"]+@[^\s<>"]+)/.exec(from);
  return m ? m[1]! : 'MAILER-DAEMON';
}
