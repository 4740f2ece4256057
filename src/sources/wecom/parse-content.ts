/**
 * The msgtype registry: finds the parser of a message's (or a nested item's) type, and keeps
 * any type we do not know as raw JSON flagged 'unknown-type', because a compliance archive
 * must never drop a message it cannot read.
 */
import type { Content } from '../../core/model.js';
import { MEDIA_PARSERS } from './parse-media.js';
import { EVENT_PARSERS } from './parse-events.js';
import { NESTED_PARSERS } from './parse-nested.js';
import { TEXT_PARSERS } from './parse-text.js';
import { Fields, type JsonObject, type ParseState, type TypeParser, isObject, markIncomplete } from './parse-util.js';

/** Deeper chat records are kept raw: real forwards nest a few levels, and recursion must stay bounded. */
const MAX_DEPTH = 8;

/** A Map, not an object literal, so that a msgtype like "toString" finds nothing. */
const PARSERS: ReadonlyMap<string, TypeParser> = new Map([
  ...TEXT_PARSERS,
  ...MEDIA_PARSERS,
  ...EVENT_PARSERS,
  ...NESTED_PARSERS,
]);

/** Every msgtype the parser knows (besides `switch`, which is an action without a msgtype). */
export const KNOWN_MSGTYPES: readonly string[] = [...PARSERS.keys()];

/** The fields every message shares; what remains is an unknown type's payload. */
const HEADER_FIELDS = new Set(['msgid', 'action', 'from', 'tolist', 'roomid', 'msgtime', 'msgtype']);

function unknownPayload(msg: JsonObject): JsonObject {
  // fromEntries defines own properties, so a "__proto__" key stays data.
  return Object.fromEntries(Object.entries(msg).filter(([key]) => !HEADER_FIELDS.has(key)));
}

/** The Content of a top-level message of `msgtype`. */
export function parseContent(msgtype: string, msg: JsonObject, st: ParseState): Content {
  const parser = PARSERS.get(msgtype);
  if (!parser) {
    st.flags.add('unknown-type');
    // Unknown types may spread their payload over several keys, so keep all but the header.
    return { kind: 'unknown', msgtype, payload: unknownPayload(msg) };
  }
  let payload = parser.locate(msg);
  if (!payload) {
    markIncomplete(st);
    payload = {};
  }
  return parser.parse(new Fields(payload, st), msg, st);
}

/**
 * The msgtype an item type stands for: chat records name them `ChatRecordText`,
 * `ChatRecordImage`, ... and mixed messages `text`, `image`, ...
 */
export function nestedMsgtype(itemType: string): string {
  const lower = itemType.toLowerCase();
  return lower.startsWith('chatrecord') && lower !== 'chatrecord' ? lower.slice('chatrecord'.length) : lower;
}

/** The Content of one chatrecord/mixed item; `content` is a JSON string in practice, an object in some exports. */
export function parseNested(type: string, content: unknown, st: ParseState): Content {
  const msgtype = nestedMsgtype(type);
  let decoded: unknown = content;
  if (typeof content === 'string') {
    try {
      decoded = JSON.parse(content) as unknown;
    } catch {
      decoded = undefined;
    }
  }
  if (!isObject(decoded)) {
    markIncomplete(st);
    // A text item whose content is plain text rather than JSON still says what was written.
    if (msgtype === 'text' && typeof content === 'string') return { kind: 'text', text: content };
    return { kind: 'unknown', msgtype: type, payload: content ?? null };
  }
  const parser = PARSERS.get(msgtype);
  if (!parser) {
    st.flags.add('unknown-type');
    return { kind: 'unknown', msgtype: type, payload: decoded };
  }
  if (st.depth >= MAX_DEPTH) {
    markIncomplete(st);
    return { kind: 'unknown', msgtype: type, payload: decoded };
  }
  st.depth++;
  try {
    // Item content is normally the payload itself; accept it wrapped under its type name too.
    return parser.parse(new Fields(parser.locate(decoded) ?? decoded, st), decoded, st);
  } finally {
    st.depth--;
  }
}
