/**
 * Content-Transfer-Encodings for the rendered parts (RFC 2045 section 6): quoted-printable
 * for mostly-ASCII plain text (readable in the raw message), base64 for mostly-Chinese text
 * (a third of the size of quoted-printable for it), for HTML (nobody reads it raw, and
 * base64 is native code while quoted-printable costs a third of a whole render) and for
 * attachments, always in 76-character lines. Written here because the encoders libmime builds on are not our dependencies, and
 * both are a few lines over Buffer.
 */

/** RFC 2045 section 6.7 rule 5 and section 6.8: encoded lines are at most 76 characters. */
const LINE = 76;

/** Bytes written as themselves: printable ASCII except `=`, plus space and tab (rules 2 and 3). */
const LITERAL = new Uint8Array(256);
for (let b = 33; b <= 126; b++) if (b !== 61) LITERAL[b] = 1;
LITERAL[32] = 1;
LITERAL[9] = 1;

/** `=XX` for every byte value. */
const ESCAPED: string[] = Array.from({ length: 256 }, (_, b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`);

/** Text bodies are sent in canonical form: every line break is CRLF (RFC 2046 section 4.1.1). */
export function canonicalText(text: string): string {
  // Our own bodies only ever contain LF; the regex is needed only for text with CR in it.
  return text.includes('\r') ? text.replace(/\r\n|\r|\n/g, '\r\n') : text.replaceAll('\n', '\r\n');
}

function isLineBreak(data: Buffer, i: number): boolean {
  return data[i] === 13 && data[i + 1] === 10;
}

/**
 * Quoted-printable of CRLF text. Literal bytes are copied in runs (the hot path: rendered
 * HTML is mostly ASCII); spaces and tabs before a line break are encoded (rule 3); soft
 * breaks keep lines at 76 characters and never split an `=XX` escape.
 */
export function quotedPrintable(data: Buffer): string {
  let out = '';
  let lineLen = 0;
  const n = data.length;
  let i = 0;
  while (i < n) {
    if (isLineBreak(data, i)) {
      out += '\r\n';
      lineLen = 0;
      i += 2;
      continue;
    }
    // A full line (75 characters plus the `=` of the soft break) ends here.
    if (lineLen >= LINE - 1) {
      out += '=\r\n';
      lineLen = 0;
    }
    const b = data[i] as number;
    if (LITERAL[b]) {
      const end = Math.min(n, i + LINE - 1 - lineLen);
      let j = i + 1;
      while (j < end && LITERAL[data[j] as number]) j++;
      if (j === n || isLineBreak(data, j)) while (j > i && (data[j - 1] === 32 || data[j - 1] === 9)) j--;
      if (j > i) {
        out += data.toString('latin1', i, j);
        lineLen += j - i;
        i = j;
        continue;
      }
    }
    if (lineLen + 3 > LINE - 1) {
      out += '=\r\n';
      lineLen = 0;
    }
    out += ESCAPED[b] as string;
    lineLen += 3;
    i++;
  }
  return out;
}

/** Base64 of `data` in 76-character CRLF-terminated lines, as one Buffer (attachments can be large). */
export { base64Lines } from '../core/base64-lines.js';

/** Base64 in CRLF-terminated lines as a string: for the small text parts, cheaper than a Buffer round trip. */
function base64Text(data: Buffer): string {
  const encoded = data.toString('base64');
  let out = '';
  for (let p = 0; p < encoded.length; p += LINE) out += `${encoded.slice(p, p + LINE)}\r\n`;
  return out;
}

/** Whether text is better sent as base64: when more than a third of its bytes are not ASCII. */
function mostlyNonAscii(data: Buffer): boolean {
  let high = 0;
  for (let i = 0; i < data.length; i++) if ((data[i] as number) >= 0x80) high++;
  return high * 3 > data.length;
}

/** Text parts up to this many UTF-16 units are encoded through the scratch buffer below. */
const SCRATCH_UNITS = 16 * 1024;
let scratch: Buffer | undefined;
const utf8Encoder = new TextEncoder();

/**
 * UTF-8 of a text part. `encodeInto` a reused buffer costs a quarter of `Buffer.from` (which
 * allocates each time) and the parts of every message pass here. The result is only valid
 * until the next call; rendering is synchronous and each caller consumes it at once.
 */
function utf8(text: string): Buffer {
  if (text.length > SCRATCH_UNITS) return Buffer.from(text, 'utf8');
  scratch ??= Buffer.allocUnsafe(SCRATCH_UNITS * 3);
  return scratch.subarray(0, utf8Encoder.encodeInto(text, scratch).written);
}

/**
 * A text part's body and the Content-Transfer-Encoding that goes with it. `preferBase64` is
 * for parts nobody reads raw (HTML), where base64's native speed wins over readability.
 */
export function encodeTextBody(
  text: string,
  preferBase64 = false,
): { encoding: 'quoted-printable' | 'base64'; body: string } {
  const data = utf8(canonicalText(text));
  if (preferBase64 || mostlyNonAscii(data)) return { encoding: 'base64', body: base64Text(data) };
  return { encoding: 'quoted-printable', body: quotedPrintable(data) };
}
