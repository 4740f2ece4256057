/**
 * Processed records made by hand for store tests of the item transaction and deletion: raw
 * records captured through the store, then outcomes naming them, without the pipeline's
 * decrypt, parse and render (those have their own tests).
 */
import { modelSha256 } from '../../src/core/sha256.js';
import { encodeSkeleton } from '../../src/store/blobs/skeleton.js';
import {
  commitCapture,
  listWork,
  sha256Hex,
  type Db,
  type PreparedBlob,
  type ProcessedRecord,
} from '../../src/store/index.js';

export const CONNECTOR = 'c1';

/** Captures `n` raw records (seq 1..n) and returns their ids in seq order. */
export async function captureRecords(db: Db, n: number, now = 1000): Promise<number[]> {
  const records = Array.from({ length: n }, (_, i) => ({
    seq: String(i + 1),
    msgid: `m${i + 1}`,
    publickey_ver: 1,
    json: JSON.stringify({ seq: i + 1, msgid: `m${i + 1}` }),
  }));
  await commitCapture(db, CONNECTOR, records, String(n), now);
  const work = await listWork(db, CONNECTOR, { afterSeqKey: '', limit: n, maxAttempts: 3 });
  return work.map((w) => w.id);
}

export function inlineBlob(text: string): PreparedBlob {
  const data = Buffer.from(text);
  return { sha256: sha256Hex(data), size: data.length, kind: 'message', data, encoding: 'raw' };
}

/** A message stored as a skeleton that references `media` (the SHA-256 of a media blob). */
export function skeletonBlob(text: string, media: string): PreparedBlob {
  const data = encodeSkeleton([Buffer.from(text), { media }]);
  return { sha256: sha256Hex(data), size: data.length, kind: 'message', data, encoding: 'skeleton' };
}

/** An archived record: item `k<i>` in each of `mailboxes`, its message in `blob`. */
export function archived(rawId: number, i: number, blob: PreparedBlob, mailboxes: string[]): ProcessedRecord {
  const modelJson = JSON.stringify({ i });
  return {
    rawId,
    status: 'done',
    item: {
      key: `k${i}`,
      msgid: `m${i}`,
      seqKey: String(i).padStart(20, '0'),
      msgtype: 'text',
      action: 'send',
      conversationId: 'conv',
      roomId: '',
      fromId: 'alice',
      msgTime: 1_700_000_000_000 + i,
      modelVersion: 1,
      modelJson,
      modelSha256: modelSha256(modelJson),
      mimeSha256: blob.sha256,
      mimeSize: blob.size,
      flags: [],
    },
    blobs: [blob],
    media: [],
    entries: mailboxes.map((m) => ({ mailbox: m, displayName: m.split('@')[0]! })),
    holds: [],
  };
}
