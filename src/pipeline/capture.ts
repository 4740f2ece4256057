/**
 * Capture: reads raw records from the source after the committed cursor and stores the records
 * before each checkpoint together with its cursor in one transaction (invariant 2). Nothing is
 * decrypted here, so capture keeps up with the source even when processing falls behind. The
 * cursor is the source's: stored and handed back as it came, never interpreted here.
 */
import type { Source } from '../sources/types.js';
import { commitCapture, getCursor, type CapturedRecord, type Db, type Lease } from '../store/index.js';

export interface CaptureOptions {
  connectorId: string;
  /** stop at the first checkpoint after this many new records (a run that keeps up takes whatever is there) */
  maxRecords?: number;
  now: () => number;
  onBatch?: (captured: number) => void;
  /**
   * The connector's capture lease when several processes share the database: every commit is
   * fenced by its token, so a capture that stalled past it writes nothing.
   */
  fence?: () => Lease;
  /** stops reading at the next checkpoint once aborted (the lease was lost, or the process stops) */
  signal?: AbortSignal;
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
    opts.signal?.throwIfAborted();
    total += await commitCapture(db, opts.connectorId, pending, event.cursor, opts.now(), opts.fence?.());
    pending = [];
    opts.onBatch?.(total);
    if (opts.signal?.aborted) break;
    // Leaving the loop ends the source's read; records after the last checkpoint are not kept.
    if (opts.maxRecords !== undefined && total >= opts.maxRecords) break;
  }
  return total;
}
