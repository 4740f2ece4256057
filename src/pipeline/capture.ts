/**
 * Capture: pulls encrypted records from the source after the committed cursor and stores each
 * batch together with the advanced cursor in one transaction (invariant 2). Nothing is
 * decrypted here, so capture keeps up with the source even when processing falls behind.
 */
import { ArchiverError } from '../core/errors.js';
import type { EncryptedRecord, FinanceClient } from '../sources/wecom/client.js';
import { commitCapture, getCursor, type Db } from '../store/index.js';

export interface CaptureOptions {
  connectorId: string;
  /** records per GetChatData call (1..1000) */
  batchSize: number;
  /** stop after this many records (a run that keeps up takes whatever is there) */
  maxRecords?: number;
  now: () => number;
  onBatch?: (captured: number) => void;
}

export async function captureAvailable(db: Db, client: FinanceClient, opts: CaptureOptions): Promise<number> {
  let cursor = (await getCursor(db, opts.connectorId)) ?? '0';
  let total = 0;
  while (opts.maxRecords === undefined || total < opts.maxRecords) {
    const res = await client.getChatData(cursor, opts.batchSize);
    if (res.errcode !== 0) {
      throw new ArchiverError('WXA_SOURCE_FAILED', `GetChatData answered errcode ${res.errcode}: ${res.errmsg}`);
    }
    const batch = res.chatdata ?? [];
    if (batch.length === 0) break;
    const records = batch.map((r) => toCaptured(r));
    const last = records.reduce((m, r) => (BigInt(r.seq) > BigInt(m) ? r.seq : m), cursor);
    total += await commitCapture(db, opts.connectorId, records, last, opts.now());
    cursor = last;
    opts.onBatch?.(total);
    if (batch.length < opts.batchSize) break;
  }
  return total;
}

function toCaptured(r: EncryptedRecord) {
  const seq = String(r.seq);
  if (!/^\d{1,20}$/.test(seq)) {
    throw new ArchiverError('WXA_SOURCE_FAILED', `GetChatData returned a record with an invalid seq "${seq}"`);
  }
  // The raw record is kept exactly as sent; its msgid column is text other tools read, so well-formed.
  return {
    seq,
    msgid: String(r.msgid ?? '').toWellFormed(),
    publickey_ver: Number(r.publickey_ver ?? 0),
    json: JSON.stringify(r),
  };
}
