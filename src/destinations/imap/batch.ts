/**
 * A batch of items APPENDed on one logged-in connection: in MULTIAPPEND chunks when the server
 * offers it, one APPEND each otherwise. A chunk the server refuses was stored by it not at
 * all (RFC 3502), so its items are then sent one at a time to learn which one it refuses:
 * that item gets its own error, the others are stored. The destination wraps this with the
 * connection pool and the lookups for a connection lost mid-batch.
 */
import type { ImapFlow } from 'imapflow';
import type { BatchResult, RenderedItem } from '../types.js';
import { classifyImapError, tooLarge, type FailureContext } from './errors.js';
import { appendItem, folderMissing, remoteIdOf } from './folder.js';
import { multiAppend, offersMultiAppend } from './multiappend.js';

/** Messages in one MULTIAPPEND at most: bounds the work a refused chunk repeats one by one. */
export const CHUNK_ITEMS = 100;
/** Bytes in one MULTIAPPEND at most: a chunk stays well inside the socket timeout on a slow link. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

export interface BatchOnContext {
  mailbox: string;
  /** `host:port` */
  server: string;
  folder: string;
  /** the smallest size limit known for this connection, bytes */
  limit: number | undefined;
  /** makes the folder again after the server said it is gone (TRYCREATE); its new path */
  recreate(): Promise<string>;
}

export interface BatchRun {
  /** per item: its result, or undefined when it was not sent (the connection was lost before) */
  results: (BatchResult | undefined)[];
  /** the connection was lost while these items were on the wire: whether they were stored is unknown */
  lost?: { error: unknown; indexes: number[] };
  /** multi-message APPENDs sent, and how many of them the server refused as a whole */
  multi: { sent: number; refused: number };
}

/** Splits item indexes into chunks of at most CHUNK_ITEMS items and CHUNK_BYTES bytes (one item may exceed it alone). */
export function chunksOf(indexes: readonly number[], size: (i: number) => number, multi: boolean): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let bytes = 0;
  for (const i of indexes) {
    const n = size(i);
    if (cur.length > 0 && (!multi || cur.length >= CHUNK_ITEMS || bytes + n > CHUNK_BYTES)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(i);
    bytes += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export async function appendBatchOn(
  client: ImapFlow,
  firstPath: string,
  items: readonly RenderedItem[],
  ctx: BatchOnContext,
): Promise<BatchRun> {
  let path = firstPath;
  let recreated = false;
  const multi = { sent: 0, refused: 0 };
  const results: (BatchResult | undefined)[] = new Array<BatchResult | undefined>(items.length).fill(undefined);
  const failure = (i: number): FailureContext => ({
    op: `APPEND to "${ctx.folder}"`,
    mailbox: ctx.mailbox,
    server: ctx.server,
    size: items[i]!.mime.length,
    limit: ctx.limit,
  });
  const sendable: number[] = [];
  for (const [i, item] of items.entries()) {
    if (ctx.limit !== undefined && item.mime.length > ctx.limit) {
      results[i] = { error: tooLarge({ ...failure(i), op: 'APPEND' }, 'not sent') };
    } else {
      sendable.push(i);
    }
  }
  const delivered = (i: number, uid: number | undefined, uidValidity: bigint | undefined) => {
    results[i] = { outcome: { status: 'delivered', remoteId: remoteIdOf(client, uid, uidValidity) } };
  };
  /** One APPEND of item i; the error when the connection was lost under it. */
  const single = async (i: number): Promise<unknown> => {
    const item = items[i]!;
    try {
      const res = await appendItem(client, path, item.mime, item.time);
      delivered(i, res.uid, res.uidValidity);
      return undefined;
    } catch (err) {
      if (!client.usable) return err;
      results[i] = { error: classifyImapError(err, failure(i)) };
      return undefined;
    }
  };

  for (const chunk of chunksOf(sendable, (i) => items[i]!.mime.length, offersMultiAppend(client))) {
    for (;;) {
      try {
        if (chunk.length === 1) {
          const item = items[chunk[0]!]!;
          const res = await appendItem(client, path, item.mime, item.time);
          delivered(chunk[0]!, res.uid, res.uidValidity);
        } else {
          multi.sent++;
          const res = await multiAppend(
            client,
            path,
            chunk.map((i) => items[i]!),
          );
          chunk.forEach((i, n) => delivered(i, res.uids?.[n], res.uidValidity));
        }
        break;
      } catch (err) {
        if (!client.usable) return { results, lost: { error: err, indexes: chunk }, multi };
        if (folderMissing(err) && !recreated) {
          // Someone deleted the folder since it was cached: the server stored nothing; make it again, once.
          recreated = true;
          path = await ctx.recreate();
          continue;
        }
        if (chunk.length === 1) {
          results[chunk[0]!] = { error: classifyImapError(err, failure(chunk[0]!)) };
          break;
        }
        // Refused as a whole, so nothing of it was stored: one APPEND each tells which item
        // the server will not take (over a size or quota limit) while the rest are stored.
        multi.refused++;
        for (const i of chunk) {
          const lost = await single(i);
          if (lost) return { results, lost: { error: lost, indexes: [i] }, multi };
        }
        break;
      }
    }
  }
  return { results, multi };
}
