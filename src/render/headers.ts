/**
 * RFC 5322 header lines: deterministic ids, RFC 2047 encoded-words for anything that is not
 * plain ASCII, and folding that keeps every line far below the 998-octet limit. Folding is
 * written here rather than taken from libmime because libmime's foldLines leaves an
 * unbreakable token of any length on one line; here a token that could break the limit is
 * always encoded into short encoded-words instead, which fold between them.
 */
import { createHash } from 'node:crypto';
import { INVALID_DOMAIN } from './addresses.js';

/** RFC 5322 section 2.1.1: lines SHOULD be at most 78 characters; 76 leaves room like most mailers. */
const FOLD_AT = 76;

/**
 * A plain word longer than this is encoded (and so split) rather than written as is. Ids and
 * subjects are far shorter; the bound only matters for hostile input, and keeps header name
 * plus word under 998 octets.
 */
const MAX_PLAIN_WORD = 900;

/**
 * UTF-8 bytes per encoded-word: 45 bytes are 60 base64 characters, plus the 12 of
 * `=?UTF-8?B?` and `?=` makes 72, inside RFC 2047's limit of 75.
 */
const WORD_BYTES = 45;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The Message-ID of an item, angle brackets included (the form IMAP SEARCH and Graph's
 * internetMessageId use): 128 bits of SHA-256 of the item key, so every render of the same
 * item, on any machine, carries the same id and a destination can answer "have you got it?".
 */
export function messageIdFor(key: string): string {
  return itemIds(key).messageId;
}

/**
 * The id of a conversation's (virtual) root message; every message of the conversation names
 * it in In-Reply-To and References so clients thread them. Conversation ids of one-to-one
 * chats are userids, which are only unique inside a corp, hence the optional corp id.
 * The hash input is tagged differently from messageIdFor so the two can never collide.
 */
export function threadIdFor(conversationId: string, corpId = ''): string {
  return `<${sha256Hex(`conversation\u0000${corpId}\u0000${conversationId}`).slice(0, 32)}@${INVALID_DOMAIN}>`;
}

/**
 * Message-ID and boundary seed of an item from one digest (one hash per render instead of
 * two): the boundary is fixed per item and cannot be predicted from the content.
 */
export function itemIds(key: string): { messageId: string; boundarySeed: string } {
  const hex = sha256Hex(`item\u0000${key}`);
  return { messageId: `<${hex.slice(0, 32)}@${INVALID_DOMAIN}>`, boundarySeed: hex.slice(32, 56) };
}

/**
 * True when a value must be carried in encoded-words: non-ASCII, controls, whitespace that
 * folding would not keep exactly (leading, trailing, doubled), an encoded-word look-alike, or
 * a word too long to fit a line. Everything else is written as is, readable in the raw source.
 */
function needsEncoding(value: string): boolean {
  if (/[^\x20-\x7e]|^ | $| {2}/.test(value) || value.includes('=?')) return true;
  if (value.length <= MAX_PLAIN_WORD) return false;
  return value.split(' ').some((w) => w.length > MAX_PLAIN_WORD);
}

/**
 * UTF-8 B encoded-words separated by spaces, each holding whole characters (RFC 2047
 * section 5 forbids splitting one). Cut on byte boundaries rather than through libmime's
 * encodeWord, which re-measures the growing string for every character (quadratic, and the
 * slowest step of a whole render before this).
 */
function encodedWords(value: string): string {
  const data = Buffer.from(value, 'utf8');
  let out = '';
  let start = 0;
  while (start < data.length) {
    let end = Math.min(start + WORD_BYTES, data.length);
    // A UTF-8 continuation byte (10xxxxxx) means the cut would fall inside a character.
    while (end < data.length && ((data[end] as number) & 0xc0) === 0x80) end--;
    out += `${out ? ' ' : ''}=?UTF-8?B?${data.toString('base64', start, end)}?=`;
    start = end;
  }
  return out;
}

/** An unstructured header value (Subject, Thread-Topic, X- headers): plain when possible. */
export function encodeText(value: string): string {
  return needsEncoding(value) ? encodedWords(value) : value;
}

/** A display name (RFC 5322 phrase): a quoted-string when ASCII, else encoded-words. */
export function encodePhrase(name: string): string {
  if (needsEncoding(name)) return encodedWords(name);
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}

/** `"Name" <address>`; the address is already checked to be plain ASCII. */
export function formatAddress(name: string, address: string): string {
  return name ? `${encodePhrase(name)} <${address}>` : `<${address}>`;
}

/**
 * `Name: value` folded before spaces so no line exceeds 76 characters where a space allows,
 * ending in CRLF. Values reaching here have single inner spaces only and words far below
 * 998 octets, so no folded line is ever whitespace alone or over the limit.
 */
export function headerLine(name: string, value: string): string {
  let rest = `${name}: ${value}`;
  if (rest.length <= FOLD_AT) return `${rest}\r\n`;
  let out = '';
  while (rest.length > FOLD_AT) {
    let cut = rest.lastIndexOf(' ', FOLD_AT);
    if (cut <= 0) cut = rest.indexOf(' ', FOLD_AT + 1);
    if (cut <= 0) break;
    out += `${rest.slice(0, cut)}\r\n`;
    rest = rest.slice(cut);
  }
  return `${out}${rest}\r\n`;
}
