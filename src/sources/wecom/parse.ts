/**
 * WeCom's decrypted message JSON -> the canonical ChatMessage. Pure and deterministic so that
 * stored raw records can be replayed through a fixed parser. It throws only when there is no
 * message at all (not an object, no msgid); everything else is kept and flagged.
 */
import { ArchiverError } from '../../core/errors.js';
import { type ChatMessage, type MessageFlag, MODEL_VERSION, conversationOf, itemKey } from '../../core/model.js';
import { wellFormedDeep } from '../../core/well-formed.js';
import { parseContent, parseNested } from './parse-content.js';
import { Fields, type ParseState, asString, isObject, own } from './parse-util.js';

/** What the parser needs besides the message: whose archive it is and where in the stream it came from. */
export interface ParseContext {
  corpId: string;
  /** the record's seq as a decimal string */
  seq: string;
  /** cleanDecrypted altered the text before parsing: the message is flagged 'cleaned-text' */
  cleaned?: boolean;
}

/** Flags in a fixed order, so equal messages serialize to equal bytes. */
const FLAG_ORDER: readonly MessageFlag[] = ['unknown-type', 'incomplete-payload', 'cleaned-text', 'recalled'];

/**
 * Map one decrypted WeCom message to a ChatMessage, for every documented msgtype and the
 * `switch` action. Unknown types become content kind 'unknown' (flag 'unknown-type'); missing
 * fields get defaults (flag 'incomplete-payload'). Throws ArchiverError WXA_MESSAGE_MALFORMED
 * only when `decrypted` is not an object or has no msgid.
 */
export function parseMessage(decrypted: unknown, ctx: ParseContext): ChatMessage {
  if (!isObject(decrypted)) {
    const what = Array.isArray(decrypted) ? 'an array' : decrypted === null ? 'null' : typeof decrypted;
    throw new ArchiverError(
      'WXA_MESSAGE_MALFORMED',
      `decrypted message (seq ${ctx.seq}) is ${what}, not a JSON object`,
    );
  }
  const msgid = asString(own(decrypted, 'msgid'));
  if (!msgid) {
    throw new ArchiverError('WXA_MESSAGE_MALFORMED', `decrypted message (seq ${ctx.seq}) has no msgid`);
  }
  const st: ParseState = { msgid, attachments: [], flags: new Set(), depth: 0, parseNested };
  if (ctx.cleaned) st.flags.add('cleaned-text');
  const head = new Fields(decrypted, st);
  const action = asString(own(decrypted, 'action'));

  let message: Omit<ChatMessage, 'flags' | 'attachments'>;
  if (action === 'switch') {
    message = switchMessage(head, msgid, ctx);
  } else {
    const msgtype = head.str('msgtype');
    const from = head.str('from');
    const tolist = head.strList('tolist');
    const roomid = head.optStr('roomid') ?? '';
    message = {
      ...common(msgid, ctx),
      action: actionOf(action, msgtype, st),
      msgtype,
      time: head.num('msgtime') ?? 0,
      from,
      tolist,
      roomid,
      conversation: conversationOf(from, tolist, roomid),
      content: parseContent(msgtype, decrypted, st),
    };
  }
  const parsed = { ...message, attachments: st.attachments, flags: [] as MessageFlag[] };
  // One pass over the finished model rather than at each field: strings also come from nested
  // JSON (chat records, mixed items) and unknown payloads, and every one must be storable text.
  const repaired = wellFormedDeep(parsed);
  if (repaired.changed) st.flags.add('cleaned-text');
  return { ...repaired.value, flags: FLAG_ORDER.filter((flag) => st.flags.has(flag)) };
}

function common(msgid: string, ctx: ParseContext) {
  return {
    modelVersion: MODEL_VERSION,
    key: itemKey(ctx.corpId, msgid),
    corpId: ctx.corpId,
    msgid,
    seq: ctx.seq,
    external: msgid.endsWith('_external'),
    upDownStream: msgid.endsWith('_updown_stream'),
  };
}

/** `{msgid, action: "switch", time, user}`: an employee switched enterprise account; no msgtype. */
function switchMessage(head: Fields, msgid: string, ctx: ParseContext): Omit<ChatMessage, 'flags' | 'attachments'> {
  const user = head.str('user');
  return {
    ...common(msgid, ctx),
    action: 'switch',
    msgtype: 'switch',
    time: head.num('time') ?? 0,
    from: user,
    tolist: [],
    roomid: '',
    conversation: conversationOf(user, [], ''),
    content: { kind: 'switch', user },
  };
}

/** `send` and `recall` as given; a missing or unknown action is flagged and inferred from the msgtype. */
function actionOf(action: string | undefined, msgtype: string, st: ParseState): 'send' | 'recall' {
  if (action === 'send' || action === 'recall') return action;
  st.flags.add('incomplete-payload');
  return msgtype === 'revoke' ? 'recall' : 'send';
}
