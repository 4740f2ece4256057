/**
 * Message types that contain other messages: a forwarded chat record (`chatrecord`) and a
 * message of several parts (`mixed`). Each item's `content` is a JSON string parsed again by
 * its own type, so nested media become attachments with role 'nested'.
 */
import type { NestedItem } from '../../core/model.js';
import { type Fields, type ParseState, type TypeParser, asBoolean, asNumber, own, under } from './parse-util.js';

/**
 * Chat-record item times are seconds in the vendor's examples, message times milliseconds.
 * A value below 1e11 cannot be milliseconds of any real message (that would be 1973), and is
 * taken as seconds; the model keeps milliseconds everywhere.
 */
export function toMillis(t: number | undefined): number | undefined {
  if (t === undefined) return undefined;
  return Math.abs(t) < 1e11 ? t * 1000 : t;
}

function nestedItems(p: Fields, st: ParseState): NestedItem[] {
  return p.objects('item').map((item) => {
    const type = item.str('type');
    const out: NestedItem = { type, content: st.parseNested(type, own(item.raw, 'content'), st) };
    const time = toMillis(asNumber(own(item.raw, 'msgtime')));
    if (time !== undefined) out.time = time;
    const fromChatroom = asBoolean(own(item.raw, 'from_chatroom'));
    if (fromChatroom !== undefined) out.fromChatroom = fromChatroom;
    return out;
  });
}

const chatrecord: TypeParser = {
  locate: under('chatrecord'),
  parse: (p, _msg, st) => ({ kind: 'chatrecord', title: p.str('title'), items: nestedItems(p, st) }),
};

const mixed: TypeParser = {
  locate: under('mixed'),
  parse: (p, _msg, st) => ({ kind: 'mixed', items: nestedItems(p, st) }),
};

/** Parsers of the msgtypes that nest other messages, by msgtype. */
export const NESTED_PARSERS: ReadonlyArray<readonly [string, TypeParser]> = [
  ['chatrecord', chatrecord],
  ['mixed', mixed],
];
