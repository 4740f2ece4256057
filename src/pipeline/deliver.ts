/**
 * The delivery stage for external destinations (IMAP, Microsoft Graph, Gmail): leases due rows
 * of the delivery ledger, hands each item to its destination with a cap on concurrent
 * deliveries per mailbox and overall, and records the outcome. Transient failures are retried
 * with exponential backoff and jitter, throttling waits as long as the server said, permanent
 * refusals are held with their reason, and refused credentials pause the destination.
 */
import { randomUUID } from 'node:crypto';
import { describeError } from '../core/errors.js';
import { crashPoint } from '../core/fault-points.js';
import type { ChatMessage } from '../core/model.js';
import { omittedLine, partialReason } from '../destinations/omission.js';
import {
  DestinationError,
  type DeliveryOutcome,
  type Destination,
  type OmitReason,
  type OmittedAttachment,
  type RenderedItem,
} from '../destinations/types.js';
import { messageIdFor } from '../render/index.js';
import {
  deferDeliveries,
  finishDelivery,
  holdDelivery,
  leaseDue,
  loadDeliverable,
  mediaBlobs,
  releaseLeases,
  retryDelivery,
  type DueDelivery,
  sha256Hex,
  type Store,
} from '../store/index.js';
import { bump } from './counters.js';

export interface ConfiguredDestination {
  id: string;
  destination: Destination;
  /** concurrent deliveries into one mailbox (Graph allows 4 requests per mailbox) */
  perMailbox: number;
  /** concurrent deliveries overall */
  overall: number;
}

export interface DeliveryCounters {
  delivered: number;
  partial: number;
  duplicates: number;
  retried: number;
  held: Record<string, number>;
  /** destinations paused because they refused our credentials */
  paused: string[];
  /** waits a destination's limit imposed on a mailbox or on the whole destination (not failures) */
  waiting: { destinationId: string; mailbox?: string; until: number }[];
}

export function emptyDeliveryCounters(): DeliveryCounters {
  return { delivered: 0, partial: 0, duplicates: 0, retried: 0, held: {}, paused: [], waiting: [] };
}

export interface DeliverOptions {
  now?: () => number;
  /** attempts before a transient failure is held for an operator */
  maxAttempts?: number;
  /** first retry delay; doubles each attempt, capped at maxBackoffMs */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  leaseMs?: number;
  batch?: number;
  random?: () => number;
  /**
   * Renders an item again without some attachments (each replaced by a note): used to send a
   * partial copy to a destination that refuses the whole item as too large.
   */
  rerender?: (item: RenderedItem, omit: ReadonlySet<number>, note: (i: number) => string) => Buffer;
}

/** Delivers every due row of each destination; rows waiting for a later retry stay for the next run. */
export async function deliverDue(
  store: Store,
  destinations: ConfiguredDestination[],
  opts: DeliverOptions = {},
): Promise<DeliveryCounters> {
  const counters = emptyDeliveryCounters();
  const owner = randomUUID();
  for (const d of destinations) {
    for (;;) {
      const now = (opts.now ?? Date.now)();
      const rows = await leaseDue(store.db, {
        destinationId: d.id,
        owner,
        now,
        leaseMs: opts.leaseMs ?? 10 * 60_000,
        limit: opts.batch ?? 200,
      });
      if (rows.length === 0) break;
      const paused = await deliverRows(store, d, rows, counters, opts);
      if (paused) {
        counters.paused.push(d.id);
        break;
      }
    }
  }
  return counters;
}

async function deliverRows(
  store: Store,
  d: ConfiguredDestination,
  rows: DueDelivery[],
  counters: DeliveryCounters,
  opts: DeliverOptions,
): Promise<boolean> {
  const now = opts.now ?? Date.now;
  const items = new Map<string, Promise<RenderedItem | undefined>>();
  const perMailbox = new Map<string, number>();
  let running = 0;
  let paused = false;
  /** the destination asked every mailbox to wait: start nothing more */
  let stopped = false;
  // Rows of one mailbox next to each other, so a connection freed by one delivery is taken by
  // the next delivery into the same mailbox instead of being closed for another mailbox's login.
  const queue = [...rows].sort((a, b) => (a.mailbox < b.mailbox ? -1 : a.mailbox > b.mailbox ? 1 : a.id - b.id));
  const untouched = new Set(rows.map((r) => r.id));

  const one = async (row: DueDelivery): Promise<void> => {
    untouched.delete(row.id);
    let item = items.get(row.itemKey);
    if (!item) {
      item = loadRenderedItem(store, row.itemKey);
      items.set(row.itemKey, item);
    }
    try {
      const rendered = await item;
      if (!rendered) {
        await holdDelivery(store.db, row, { code: 'WXA_NOT_FOUND', detail: 'the item is not in the archive' }, now());
        bump(counters.held, 'missing-item');
        return;
      }
      const outcome = await deliverOrReduce(d.destination, rendered, row.mailbox, opts);
      crashPoint('after-deliver');
      await finishDelivery(
        store.db,
        row.id,
        {
          status: outcome.status,
          ...(outcome.remoteId ? { remoteId: outcome.remoteId } : {}),
          ...(outcome.status === 'partial' ? { detail: outcome.reason, omitted: outcome.omitted } : {}),
        },
        now(),
      );
      if (outcome.status === 'delivered') counters.delivered++;
      else if (outcome.status === 'duplicate') counters.duplicates++;
      else counters.partial++;
    } catch (err) {
      const action = await recordFailure(store, row, err, counters, opts);
      if (action === 'auth') paused = true;
      if (action === 'destination') stopped = true;
      if (action === 'mailbox') {
        // The rest of this mailbox's rows wait too (their due time was moved with it).
        for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.mailbox === row.mailbox) queue.splice(i, 1);
      }
    }
  };

  await new Promise<void>((resolve) => {
    const start = (i: number) => {
      const row = queue.splice(i, 1)[0]!;
      running++;
      perMailbox.set(row.mailbox, (perMailbox.get(row.mailbox) ?? 0) + 1);
      void one(row).finally(() => {
        running--;
        perMailbox.set(row.mailbox, (perMailbox.get(row.mailbox) ?? 1) - 1);
        pump(row.mailbox);
      });
    };
    const pump = (prefer?: string) => {
      if (paused || stopped) queue.length = 0;
      if (queue.length === 0 && running === 0) return resolve();
      if (prefer !== undefined && running < d.overall && (perMailbox.get(prefer) ?? 0) < d.perMailbox) {
        const i = queue.findIndex((r) => r.mailbox === prefer);
        if (i >= 0) start(i);
      }
      for (let i = 0; i < queue.length && running < d.overall;) {
        if ((perMailbox.get(queue[i]!.mailbox) ?? 0) >= d.perMailbox) i++;
        else start(i);
      }
    };
    pump();
  });
  if (untouched.size > 0) await releaseLeases(store.db, [...untouched]);
  return paused;
}

/**
 * Delivers the item; when the destination refuses it as too large, or refuses some of its
 * attachments (a blocked file type), sends a copy without those attachments instead (each
 * replaced by a note with name, size, SHA-256 and why), counted as partial. The full item
 * stays in the embedded archive: nothing is dropped.
 */
export async function deliverOrReduce(
  destination: Destination,
  item: RenderedItem,
  mailbox: string,
  opts: Pick<DeliverOptions, 'rerender'>,
): Promise<DeliveryOutcome> {
  try {
    return await destination.deliver(item, mailbox);
  } catch (err) {
    const big = err instanceof DestinationError ? err.tooLarge : undefined;
    const refused = err instanceof DestinationError ? (err.refused ?? []) : [];
    if ((!big && refused.length === 0) || !opts.rerender) throw err;
    const why = new Map<number, OmitReason>(refused.map((r) => [r.index, r.reason]));
    // The limit defaults to half the refused size when the server gave none.
    const limit = big ? (big.limit ?? Math.floor(big.size / 2)) : undefined;
    if (big && limit !== undefined) {
      // Leave out the largest attachments until the estimate (base64 grows by 4/3) fits, with
      // a margin for the notes; files already left out for their type count as gone.
      let estimate = big.size;
      for (const i of why.keys()) estimate -= encodedSize(item.attachments[i]?.bytes?.length ?? 0);
      const sizes = item.attachments.map((a, i) => ({ i, size: a.bytes?.length ?? 0 }));
      sizes.sort((a, b) => b.size - a.size);
      for (const a of sizes) {
        if (estimate <= limit * 0.95 || a.size === 0) break;
        if (why.has(a.i)) continue;
        why.set(a.i, 'too-large');
        estimate -= encodedSize(a.size);
      }
    }
    if (why.size === 0) throw err;
    const omitted: OmittedAttachment[] = [...why.entries()]
      .sort(([a], [b]) => a - b)
      .map(([i, reason]) => {
        const bytes = item.attachments[i]?.bytes ?? Buffer.alloc(0);
        return {
          name: item.attachments[i]?.ref.filename ?? `attachment-${i + 1}`,
          size: bytes.length,
          sha256: sha256Hex(bytes),
          reason,
        };
      });
    const lineOf = new Map([...why.keys()].sort((a, b) => a - b).map((i, n) => [i, omitted[n]!]));
    const note = (i: number) => {
      const o = lineOf.get(i);
      return o ? `left out of this copy (the full file is in the archive): ${omittedLine(o, limit)}` : '';
    };
    const reduced: RenderedItem = { ...item, mime: opts.rerender(item, new Set(why.keys()), note) };
    const outcome = await destination.deliver(reduced, mailbox);
    return {
      status: 'partial',
      reason: partialReason(omitted, limit),
      omitted,
      ...(outcome.remoteId ? { remoteId: outcome.remoteId } : {}),
    };
  }
}

/** Bytes of a file once base64-encoded in MIME (76-character lines). */
function encodedSize(n: number): number {
  return Math.ceil((n * 4) / 3) + Math.ceil(n / 57) * 2;
}

/**
 * Records a failed delivery and says what else it stops: 'auth' (the destination pauses until
 * its credentials change), 'destination' or 'mailbox' (a limit of the service: every pending
 * delivery of the destination, or of the mailbox, waits until it clears), or 'none'.
 */
async function recordFailure(
  store: Store,
  row: DueDelivery,
  err: unknown,
  counters: DeliveryCounters,
  opts: DeliverOptions,
): Promise<'auth' | 'destination' | 'mailbox' | 'none'> {
  const now = (opts.now ?? Date.now)();
  const failure = err instanceof DestinationError ? err.failure : 'transient';
  const code = err instanceof DestinationError ? err.code : 'WXA_DEST_TRANSIENT';
  const detail = describeError(err);
  if (failure === 'auth') {
    await retryDelivery(store.db, row.id, { code, detail, nextAttemptAt: now, countAttempt: false });
    return 'auth';
  }
  const scope = err instanceof DestinationError && failure === 'throttled' ? err.pause : undefined;
  if (scope && err instanceof DestinationError && err.retryAfterMs !== undefined) {
    const until = now + err.retryAfterMs;
    await deferDeliveries(store.db, {
      connectorId: row.connectorId,
      destinationId: row.destinationId,
      ...(scope === 'mailbox' ? { mailbox: row.mailbox } : {}),
      until,
      code: scope === 'mailbox' ? 'WXA_DEST_PAUSED_MAILBOX' : 'WXA_DEST_PAUSED_DESTINATION',
      detail,
    });
    counters.waiting.push({
      destinationId: row.destinationId,
      ...(scope === 'mailbox' ? { mailbox: row.mailbox } : {}),
      until,
    });
    counters.retried++;
    return scope;
  }
  if (failure === 'permanent' || row.attempts + 1 >= (opts.maxAttempts ?? 10)) {
    await holdDelivery(store.db, row, { code, detail }, now);
    bump(counters.held, failure === 'permanent' ? 'destination-refused' : 'destination-failing');
    return 'none';
  }
  const wait =
    failure === 'throttled' && err instanceof DestinationError && err.retryAfterMs !== undefined
      ? err.retryAfterMs
      : backoff(row.attempts, opts);
  await retryDelivery(store.db, row.id, {
    code,
    detail,
    nextAttemptAt: now + wait,
    countAttempt: failure !== 'throttled',
  });
  counters.retried++;
  return 'none';
}

/** Exponential backoff with full jitter in [0.5, 1.5) of the nominal delay. */
export function backoff(attempts: number, opts: DeliverOptions = {}): number {
  const base = opts.baseBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 60 * 60_000;
  const nominal = Math.min(max, base * 2 ** attempts);
  return Math.round(nominal * (0.5 + (opts.random ?? Math.random)()));
}

/** An archived item as destinations take it: its exact MIME bytes, its model and its media. */
export async function loadRenderedItem(store: Store, key: string): Promise<RenderedItem | undefined> {
  const row = await loadDeliverable(store.db, key);
  if (!row) return undefined;
  const model = JSON.parse(row.modelJson) as ChatMessage;
  const shas = await mediaBlobs(
    store.db,
    row.connectorId,
    model.attachments.map((a) => a.sdkfileid),
  );
  const attachments = await Promise.all(
    model.attachments.map(async (ref) => {
      const sha = shas.get(ref.sdkfileid);
      return { ref, bytes: sha ? await store.blobs.read(store.db, sha) : undefined };
    }),
  );
  return {
    key,
    messageId: messageIdFor(key),
    mime: await store.blobs.read(store.db, row.mimeSha256),
    time: row.msgTime,
    model,
    attachments,
  };
}
