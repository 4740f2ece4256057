/**
 * The WeCom pull loop: GetChatData after the cursor, up to 1000 records a call, each call's
 * records followed by a checkpoint at the highest seq among them, until a call returns fewer
 * than it was asked for. The cursor is WeCom's uint64 seq as a decimal string; comparing it is
 * this module's business, never the pipeline's.
 */
import { ArchiverError } from '../../core/errors.js';
import type { RawRecord, ReadEvent } from '../types.js';
import { MAX_CHATDATA_LIMIT, type EncryptedRecord, type FinanceClient } from './client.js';

export async function* readChatData(
  client: FinanceClient,
  cursor: string | undefined,
  limit = MAX_CHATDATA_LIMIT,
): AsyncGenerator<ReadEvent> {
  let at = cursor ?? '0';
  for (;;) {
    const res = await client.getChatData(at, limit);
    if (res.errcode !== 0) {
      throw new ArchiverError('WXA_SOURCE_FAILED', `GetChatData answered errcode ${res.errcode}: ${res.errmsg}`);
    }
    const batch = res.chatdata ?? [];
    if (batch.length === 0) return;
    // Every record of a call is checked before any is yielded: a bad seq stops the call's batch whole.
    const records = batch.map((r) => toRaw(r));
    for (const record of records) yield { type: 'record', record };
    at = records.reduce((m, r) => (BigInt(r.seq) > BigInt(m) ? r.seq : m), at);
    yield { type: 'checkpoint', cursor: at };
    if (batch.length < limit) return;
  }
}

function toRaw(r: EncryptedRecord): RawRecord {
  const seq = String(r.seq);
  if (!/^\d{1,20}$/.test(seq)) {
    throw new ArchiverError('WXA_SOURCE_FAILED', `GetChatData returned a record with an invalid seq "${seq}"`);
  }
  // The raw record is kept exactly as sent; its msgid column is text other tools read, so well-formed.
  return {
    seq,
    msgid: String(r.msgid ?? '').toWellFormed(),
    keyVersion: Number(r.publickey_ver ?? 0),
    json: JSON.stringify(r),
  };
}
