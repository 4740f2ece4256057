import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiverError } from '../../core/errors.js';
import type { ChatMessage } from '../../core/model.js';
import { NO_ATTACHMENT } from './attachments.js';
import { KNOWN_MSGTYPES } from './parse-content.js';
import { parseMessage } from './parse.js';

const CORP = 'ww0123456789abcdef';
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const parse = (raw: unknown, cleaned?: boolean) => parseMessage(raw, { corpId: CORP, seq: '100', cleaned });

function malformed(raw: unknown): ArchiverError {
  try {
    parse(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiverError);
    expect((err as ArchiverError).code).toBe('WXA_MESSAGE_MALFORMED');
    return err as ArchiverError;
  }
  throw new Error('expected WXA_MESSAGE_MALFORMED');
}

/** Every `attachment` index in a content tree. */
function attachmentIndexes(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) attachmentIndexes(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'attachment' && typeof v === 'number') out.push(v);
      else attachmentIndexes(v, out);
    }
  }
  return out;
}

describe('parseMessage', () => {
  it('switch: an action without msgtype', () => {
    const m = parse(load('switch'));
    expect(m).toMatchObject({
      msgid: 'swt-0001',
      action: 'switch',
      msgtype: 'switch',
      time: 1700000000456,
      from: 'zhangsan',
      tolist: [],
      roomid: '',
      conversation: { id: 'single:zhangsan', kind: 'single' },
      content: { kind: 'switch', user: 'zhangsan' },
      attachments: [],
      flags: [],
    });
  });

  it('keeps an unknown msgtype with its whole payload and flags it', () => {
    const m = parse(load('unknown'));
    expect(m.msgtype).toBe('solitaire');
    expect(m.content).toEqual({
      kind: 'unknown',
      msgtype: 'solitaire',
      payload: {
        solitaire: { title: '接龙 Sign-up chain', entries: ['1. 张三 Zhang San'] },
        extra_top_level: 'kept 保留',
      },
    });
    expect(m.flags).toEqual(['unknown-type']);
    expect(m.from).toBe('zhangsan');
  });

  it('does not take prototype members for msgtypes or payloads', () => {
    for (const msgtype of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const m = parse({ msgid: 'p', action: 'send', from: 'a', tolist: [], msgtime: 1, msgtype });
      expect(m.content).toMatchObject({ kind: 'unknown', msgtype });
    }
    const text = parse(JSON.parse('{"msgid":"q","action":"send","from":"a","tolist":[],"msgtime":1,"msgtype":"text"}'));
    expect(text.content).toEqual({ kind: 'text', text: '' });
    expect(text.flags).toEqual(['incomplete-payload']);
  });

  it('marks external and upstream/downstream messages by msgid suffix', () => {
    expect(parse({ ...load('text'), msgid: 'a_external' })).toMatchObject({ external: true, upDownStream: false });
    expect(parse({ ...load('text'), msgid: 'a_updown_stream' })).toMatchObject({ external: false, upDownStream: true });
  });

  it('coerces numbers given as strings', () => {
    const m = parse({ ...load('text'), msgtime: '1700000000999' });
    expect(m.time).toBe(1700000000999);
    expect(m.flags).toEqual([]);
  });

  it('fills defaults and flags missing common fields', () => {
    const m = parse({ msgid: 'x', text: { content: 'hi' }, msgtype: 'text' });
    expect(m).toMatchObject({ action: 'send', from: '', tolist: [], roomid: '', time: 0, content: { text: 'hi' } });
    expect(m.flags).toEqual(['incomplete-payload']);
    const noType = parse({ msgid: 'y', action: 'send', from: 'a', tolist: ['b'], msgtime: 1 });
    expect(noType.content).toMatchObject({ kind: 'unknown', msgtype: '' });
    expect(noType.flags).toEqual(['unknown-type', 'incomplete-payload']);
  });

  it('infers recall from a revoke without action', () => {
    const raw = load('revoke');
    delete raw.action;
    expect(parse(raw).action).toBe('recall');
  });

  it('flags cleaned text, in a fixed flag order', () => {
    const m = parse({ msgid: 'z', msgtype: 'nope' }, true);
    expect(m.flags).toEqual(['unknown-type', 'incomplete-payload', 'cleaned-text']);
  });

  it('throws WXA_MESSAGE_MALFORMED only without an object or a msgid', () => {
    expect(malformed([1]).message).toContain('array');
    expect(malformed(null).message).toContain('null');
    expect(malformed('text').message).toContain('string');
    expect(malformed({ msgtype: 'text' }).message).toContain('no msgid');
    expect(malformed({ msgid: '' }).message).toContain('no msgid');
    expect(malformed({ msgid: { a: 1 } }).message).toContain('no msgid');
  });

  it('gives every fixture a stable key and a conversation', () => {
    for (const name of ['text', 'image', 'chatrecord', 'meeting-voice-call', 'switch', 'unknown']) {
      const m = parse(load(name));
      expect(m.key).toBe(`wecom:${CORP}:${m.msgid}`);
      expect(m.conversation.id).not.toBe('');
      expect(parse(load(name))).toEqual(m);
    }
  });
});

/** Field names the parsers read, so that random payloads hit real code paths. */
const FIELDS = [
  'content',
  'sdkfileid',
  'md5sum',
  'filesize',
  'filename',
  'fileext',
  'type',
  'item',
  'title',
  'msgtime',
  'voteitem',
  'votetitle',
  'details',
  'attendeename',
  'demofiledata',
  'sharescreendata',
  'markdown',
  'userid',
  'play_length',
  'from_chatroom',
  'voiceid',
  'voipid',
  'pre_msgid',
  'meetingid',
  'link_url',
];
const ITEM_TYPES = [
  'ChatRecordText',
  'ChatRecordImage',
  'ChatRecordChatRecord',
  'ChatRecordMixed',
  'text',
  'image',
  'file',
  'x',
];

const payload = fc.dictionary(fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 });
const item = fc.record({
  type: fc.constantFrom(...ITEM_TYPES),
  content: fc.oneof(
    payload.map((p) => JSON.stringify(p)),
    fc.jsonValue({ maxDepth: 1 }),
    payload,
  ),
  msgtime: fc.oneof(fc.integer(), fc.string()),
});
const richPayload = fc.oneof(payload, fc.record({ item: fc.array(item, { maxLength: 4 }), title: fc.string() }));
const message = fc
  .record({
    msgid: fc.string({ minLength: 1 }),
    msgtype: fc.oneof(fc.constantFrom(...KNOWN_MSGTYPES), fc.string()),
    action: fc.constantFrom('send', 'recall', 'switch', 'other', 1),
    extra: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
    body: richPayload,
    placement: fc.constantFrom('own', 'info', 'top'),
  })
  .map(({ msgid, msgtype, action, extra, body, placement }) => {
    const raw: Record<string, unknown> = { ...extra, ...(placement === 'top' ? body : {}) };
    if (placement !== 'top') raw[placement === 'own' ? msgtype : 'info'] = body;
    return Object.assign(raw, { msgid, msgtype, action });
  });

describe('parseMessage on arbitrary input', () => {
  function check(m: ChatMessage): void {
    expect(m.key).toBe(`wecom:${CORP}:${m.msgid}`);
    for (const i of attachmentIndexes(m.content)) {
      expect(i === NO_ATTACHMENT || (i >= 0 && i < m.attachments.length)).toBe(true);
    }
    for (const a of m.attachments) expect(a.sdkfileid).not.toBe('');
    expect(() => JSON.stringify(m)).not.toThrow();
  }

  it('never throws on a message with a msgid, and keeps attachment indexes valid', () => {
    fc.assert(
      fc.property(message, (raw) => check(parse(raw))),
      { numRuns: 1000 },
    );
  });

  it('never throws anything but ArchiverError on arbitrary JSON objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.option(fc.jsonValue()), (raw, msgid) => {
        if (msgid !== null) raw.msgid = msgid;
        try {
          check(parse(raw));
        } catch (err) {
          expect(err).toBeInstanceOf(ArchiverError);
        }
      }),
    );
  });
});
