/**
 * Capture: reads raw records from the source after the committed cursor and stores the records
 * before each checkpoint together with its cursor in one transaction (invariant 2). Nothing is
 * decrypted here, so capture keeps up with the source even when processing falls behind. The
 * cursor is the source's: stored and handed back as it came, never interpreted here.
 */
import type { Source } from '../sources/types.js';
import { commitCapture, getCursor, type CapturedRecord, type Db } from '../store/index.js';

export interface CaptureOptions {
  connectorId: string;
  /** stop at the first checkpoint after this many new records (a run that keeps up takes whatever is there) */
  maxRecords?: number;
  now: () => number;
  onBatch?: (captured: number) => void;
}

export async function captureAvailable(db: Db, source: Source, opts: CaptureOptions): Promise<number> {
  const cursor = await getCursor(db, opts.connectorId);
  let total = 0;
  let pending: CapturedRecord[] = [];
  for await (const event of source.read(cursor)) {
    if (event.type === 'record') {
      const r = event.record;
      pending.push({ seq: r.seq, msgid: r.msgid, publickey_ver: r.keyVersion, json: r.json });
      continue;
    }
    total += await commitCapture(db, opts.connectorId, pending, event.cursor, opts.now());
    pending = [];
    opts.onBatch?.(total);
    // Leaving the loop ends the source's read; records after the last checkpoint are not kept.
    if (opts.maxRecords !== undefined && total >= opts.maxRecords) break;
  }
  return total;
}
