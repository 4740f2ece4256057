/**
 * DecryptData returns UTF-8 JSON that can hold invalid byte sequences and raw control
 * characters inside strings, both of which make JSON.parse fail. This turns the bytes into
 * JSON text that parses, keeping every printable character, and says whether content changed.
 */
import { isUtf8 } from 'node:buffer';

/** Non-fatal: each invalid sequence becomes U+FFFD instead of failing the whole message. Strips a BOM. */
const decoder = new TextDecoder('utf-8', { fatal: false });
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const HAS_CONTROL = /[\u0000-\u001f]/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** JSON text ready for JSON.parse, and whether cleaning altered the content. */
export interface CleanedText {
  text: string;
  /**
   * True when content was altered: invalid UTF-8 replaced by U+FFFD, or control characters
   * removed. Escaping a raw tab, newline or carriage return inside a string is not a change
   * (the parsed text is what the sender wrote), so multi-line messages are not flagged.
   */
  changed: boolean;
}

/**
 * Turn DecryptData's output into parseable JSON text: invalid UTF-8 replaced, raw tab/LF/CR
 * inside strings escaped, every other C0 control character removed.
 */
export function cleanDecrypted(bytes: Uint8Array): CleanedText {
  // isUtf8 is a native check, cheaper than scanning the decoded text for U+FFFD (which a sender may have typed).
  const invalid = !isUtf8(bytes);
  const text = decoder.decode(bytes);
  if (!HAS_CONTROL.test(text)) return { text, changed: invalid };
  return escapeControls(text, invalid);
}

/**
 * Walk the JSON text tracking whether we are inside a string. Tab, LF and CR are legal JSON
 * whitespace between tokens and kept there; inside strings they are escaped. The other C0
 * characters are removed everywhere: they carry no text, and downstream formats (MIME
 * headers, XML 1.0) cannot hold them anyway, so escaping them would only move the problem.
 */
function escapeControls(text: string, alreadyChanged: boolean): CleanedText {
  let changed = alreadyChanged;
  let out = '';
  let last = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20) {
      if (!inString) {
        if (c === QUOTE) inString = true;
      } else if (escaped) {
        escaped = false;
      } else if (c === BACKSLASH) {
        escaped = true;
      } else if (c === QUOTE) {
        inString = false;
      }
      continue;
    }
    if (!inString && (c === TAB || c === LF || c === CR)) continue;
    let replacement = '';
    if (inString) {
      if (c === LF) replacement = '\\n';
      else if (c === TAB) replacement = '\\t';
      else if (c === CR) replacement = '\\r';
      else changed = true;
      if (escaped) {
        // A backslash right before a raw control character escapes nothing valid: keep it as a literal backslash.
        replacement = '\\' + replacement;
        escaped = false;
        changed = true;
      }
    } else {
      changed = true;
    }
    out += text.slice(last, i) + replacement;
    last = i + 1;
  }
  return { text: last === 0 ? text : out + text.slice(last), changed };
}
