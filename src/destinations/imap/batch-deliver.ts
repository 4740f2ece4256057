/**
 * The IMAP destination's batch delivery over its connection pool: a batch goes on one pooled
 * connection (see batch.ts for the commands). A reused connection that turns out dead under
 * the batch gets one fresh connection: the items that were on the wire are looked up by
 * Message-ID first, since the server may have stored them, and the rest go as a batch again.
 */
import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { BatchResult, DeliveryOutcome, DestinationError, RenderedItem } from '../types.js';
import { appendBatchOn } from './batch.js';
import { classifyImapError, type FailureContext } from './errors.js';
import type { FolderCache } from './folder.js';
import type { ConnectionPool } from './pool.js';

export interface BatchDeps {
  pool: ConnectionPool<ImapFlow>;
  folders: FolderCache;
  folder: string;
  /** `host:port` */
  server: string;
  maxMessageBytes: number | undefined;
  /** the smallest size limit known for a connection */
  limitOf(client: ImapFlow): number | undefined;
  /** connections that completed an operation: a failure on one of them may just be staleness */
  proven: WeakSet<ImapFlow>;
  /** tells a refused mailbox from refused credentials */
  refine(err: DestinationError, mailbox: string): Promise<DestinationError>;
  /** one item, looked up before it is appended */
  lookThenAppend(item: RenderedItem, mailbox: string): Promise<DeliveryOutcome>;
  log?: Logger;
}

/** The batch delivery of one IMAP destination. */
export function batchDeliverer(d: BatchDeps) {
  return batchInto;

  /** Delivers items[i] for each i of todo into results[i]; attempt 2 is the one retry on a fresh connection. */
  async function batchInto(
    items: readonly RenderedItem[],
    todo: number[],
    mailbox: string,
    results: BatchResult[],
    attempt: number,
  ): Promise<void> {
    if (todo.length === 0) return;
    const ctx: FailureContext = { op: `APPEND to "${d.folder}"`, mailbox, server: d.server, limit: d.maxMessageBytes };
    let stale = false;
    let run;
    try {
      run = await d.pool.use(mailbox, async (client) => {
        const reused = d.proven.has(client);
        try {
          ctx.limit = d.limitOf(client);
          const path = await d.folders.ensure(client, mailbox, d.folder);
          const r = await appendBatchOn(
            client,
            path,
            todo.map((i) => items[i]!),
            {
              mailbox,
              server: d.server,
              folder: d.folder,
              limit: ctx.limit,
              recreate: async () => {
                d.folders.drop(mailbox);
                return d.folders.ensure(client, mailbox, d.folder);
              },
            },
          );
          const stored = r.results.some((x) => x?.outcome);
          if (stored) d.proven.add(client);
          // A reused connection that died under its first command: dropped while it sat in the pool.
          stale = reused && !stored && r.lost !== undefined;
          const count = r.results.filter((x) => x?.outcome).length;
          d.log?.debug({ mailbox, items: todo.length, stored: count, multiAppend: r.multi }, 'imap batch appended');
          return r;
        } catch (err) {
          stale = reused && !client.usable;
          throw err;
        }
      });
    } catch (err) {
      // Login, CREATE or the folder failed: nothing of the batch was sent.
      if (stale && attempt === 1) return batchInto(items, todo, mailbox, results, 2);
      const e = await d.refine(classifyImapError(err, ctx), mailbox);
      for (const i of todo) results[i] = { error: e };
      return;
    }
    run.results.forEach((r, j) => {
      if (r) results[todo[j]!] = r;
    });
    if (!run.lost) return;
    const lost = run.lost.indexes.map((j) => todo[j]!);
    const unsent = todo.filter((i, j) => !run.results[j] && !lost.includes(i));
    if (stale && attempt === 1) {
      // The items on the wire may have been stored before the connection went: each is looked
      // up on a fresh connection before it is sent again; the rest go as a batch once more.
      for (const i of lost) {
        try {
          results[i] = { outcome: await d.lookThenAppend(items[i]!, mailbox) };
        } catch (e) {
          results[i] = { error: e };
        }
      }
      return batchInto(items, unsent, mailbox, results, 2);
    }
    const e = classifyImapError(run.lost.error, ctx);
    for (const i of [...lost, ...unsent]) results[i] = { error: e };
  }
}
