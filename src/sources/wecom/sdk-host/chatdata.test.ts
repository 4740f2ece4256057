import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChatDataMalformed, parseChatData } from './chatdata.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('parseChatData', () => {
  it('keeps a numeric seq beyond 2^53 exact by reading it as a string', () => {
    const doc = parseChatData(
      bytes(
        '{"errcode":0,"errmsg":"ok","chatdata":[{"seq":18446744073709551615,"msgid":"a","publickey_ver":2},{ "seq" : 9007199254740993 , "msgid":"b"}]}',
      ),
    );
    expect(doc.chatdata?.map((r) => r.seq)).toEqual(['18446744073709551615', '9007199254740993']);
    expect(doc.chatdata?.[0]?.publickey_ver).toBe(2);
  });

  it('leaves a "seq" inside a string value alone', () => {
    const msgid = 'x","seq":5,"y';
    const doc = parseChatData(bytes(`{"errcode":0,"chatdata":[{"seq":"7","msgid":${JSON.stringify(msgid)}}]}`));
    expect(doc.chatdata?.[0]).toEqual({ seq: '7', msgid });
  });

  it('treats a missing, null or empty chatdata as nothing new', () => {
    for (const text of [
      '{"errcode":0,"errmsg":"ok"}',
      '{"errcode":0,"errmsg":"ok","chatdata":null}',
      '{"errcode":0,"errmsg":"ok","chatdata":[]}',
    ]) {
      expect(parseChatData(bytes(text))).toEqual({ errcode: 0, errmsg: 'ok' });
    }
    expect(parseChatData(bytes('{"errcode":48002,"errmsg":"api forbidden"}'))).toEqual({
      errcode: 48002,
      errmsg: 'api forbidden',
    });
  });

  it('rejects documents the library should never write, without quoting them', () => {
    for (const text of ['', '{"errcode":0,', '[1]', '{"errcode":"0"}', '{"chatdata":{}}', '{"chatdata":[1]}']) {
      expect(() => parseChatData(bytes(text))).toThrow(ChatDataMalformed);
    }
    expect(() => parseChatData(bytes('{"secret message'))).toThrow(/is not JSON \(16 bytes\)$/);
  });

  it('round-trips any uint64 seq and any msgid (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.string(), fc.boolean(), (seq, msgid, spaced) => {
        const sep = spaced ? ' ' : '';
        const text = `{"errcode":0,"chatdata":[{${sep}"seq"${sep}:${sep}${seq}${sep},"msgid":${JSON.stringify(msgid)}}]}`;
        expect(parseChatData(bytes(text)).chatdata).toEqual([{ seq: String(seq), msgid }]);
      }),
    );
  });
});
