// The WeCom pull loop behind the Source seam: GetChatData pages become records and a
// checkpoint at each page's highest seq (compared as uint64, beyond 2^53), until a short page.
import { describe, expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import type { ReadEvent } from '../types.js';
import type { ChatDataResponse, EncryptedRecord, FinanceClient } from './client.js';
import { readChatData } from './read.js';

const rec = (seq: string): EncryptedRecord => ({
  seq,
  msgid: `m${seq}`,
  publickey_ver: 2,
  encrypt_random_key: 'k',
  encrypt_chat_msg: 'c',
});

/** A client answering GetChatData from `pages`, one per call, recording the cursor and limit it was given. */
function paged(pages: ChatDataResponse[]) {
  const calls: [string, number][] = [];
  const client = {
    getChatData: async (seq: string, limit: number) => {
      calls.push([seq, limit]);
      return pages.shift() ?? { errcode: 0, errmsg: 'ok' };
    },
  } as Pick<FinanceClient, 'getChatData'> as FinanceClient;
  return { client, calls };
}

async function all(events: AsyncIterable<ReadEvent>): Promise<ReadEvent[]> {
  const out: ReadEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('readChatData', () => {
  it('yields each page then a checkpoint at its highest seq, and stops after a short page', async () => {
    const big = '18446744073709551615';
    const near = '9007199254740993';
    const { client, calls } = paged([
      { errcode: 0, errmsg: 'ok', chatdata: [rec('9007199254740992'), rec(near)] },
      { errcode: 0, errmsg: 'ok', chatdata: [rec(big)] },
    ]);
    const events = await all(readChatData(client, undefined, 2));
    expect(events.map((e) => (e.type === 'record' ? e.record.seq : `@${e.cursor}`))).toEqual([
      '9007199254740992',
      near,
      `@${near}`,
      big,
      `@${big}`,
    ]);
    expect(calls).toEqual([
      ['0', 2],
      [near, 2],
    ]);
    const first = events[0]!;
    expect(first.type === 'record' && first.record).toEqual({
      seq: '9007199254740992',
      msgid: 'm9007199254740992',
      keyVersion: 2,
      json: JSON.stringify(rec('9007199254740992')),
    });
  });

  it('starts after the given cursor and ends at once when nothing is new', async () => {
    const { client, calls } = paged([{ errcode: 0, errmsg: 'ok' }]);
    expect(await all(readChatData(client, '42'))).toEqual([]);
    expect(calls).toEqual([['42', 1000]]);
  });

  it('fails with the service error, and yields nothing of a page with an invalid seq', async () => {
    const refused = paged([{ errcode: 301052, errmsg: 'subscription expired' }]);
    await expect(all(readChatData(refused.client, undefined))).rejects.toSatisfy(
      (e) => isArchiverError(e, 'WXA_SOURCE_FAILED') && /errcode 301052/.test(e.message),
    );
    const bad = paged([{ errcode: 0, errmsg: 'ok', chatdata: [rec('5'), rec('-1')] }]);
    const seen: ReadEvent[] = [];
    await expect(
      (async () => {
        for await (const e of readChatData(bad.client, undefined)) seen.push(e);
      })(),
    ).rejects.toThrow('invalid seq "-1"');
    expect(seen).toEqual([]);
  });
});
