/**
 * One ledger row through a destination: deliver it (with a partial copy when the destination
 * refuses it as too large), queue the outcome for the group commit, or record the failure.
 * Shared by the one-at-a-time and the batched delivery lanes.
 */
import { crashPoint } from '../core/fault-points.js';
import type { DeliveryOutcome, RenderedItem } from '../destinations/types.js';
import { holdDelivery, type DueDelivery, type Store } from '../store/index.js';
import { bump } from './counters.js';
import { recordFailure } from './deliver-failure.js';
import type { ItemCache } from './deliver-item.js';
import type { OutcomeBuffer } from './deliver-outcomes.js';
import { deliverOrReduce } from './deliver-reduce.js';
import type { ConfiguredDestination, DeliverOptions, DeliveryCounters } from './deliver.js';

/** What the lanes of one destination share. */
export interface LaneContext {
  items: ItemCache;
  outcomes: OutcomeBuffer;
  counters: DeliveryCounters;
  state: { paused: boolean; stopped: boolean };
}

/**
 * What a row's attempt stops besides the row: see recordFailure; 'lease' when the chunk's lease
 * runs out before the row was sent (the lane gives the rest back and leases afresh).
 */
export type RowAction = 'auth' | 'destination' | 'mailbox' | 'lease' | 'none';

/** How long a lane's lease of a chunk of rows lasts (default 10 minutes). */
export function leaseMsOf(opts: Pick<DeliverOptions, 'leaseMs'>): number {
  return opts.leaseMs ?? 10 * 60_000;
}

/**
 * Whether a leased row's lease is too close to its end to start a send: past it another worker
 * may lease the row and send it too. A tenth of the lease is kept in hand, for the send itself.
 * The ledger refuses a late outcome anyway; this keeps the destination from a second copy when a
 * worker stalled (a long pause, a slow read) between leasing a row and sending it.
 */
export function leaseRunningOut(
  row: DueDelivery,
  now: number,
  opts: Pick<DeliverOptions, 'leaseMs' | 'mayStillSend'>,
): boolean {
  return now >= row.leaseUntil - leaseMsOf(opts) / 10 || opts.mayStillSend?.(row, now) === false;
}

/** One row: deliver, queue the outcome for the group commit, or record the failure. */
export async function deliverRow(
  store: Store,
  d: ConfiguredDestination,
  row: DueDelivery,
  item: Promise<RenderedItem | undefined>,
  ctx: LaneContext,
  opts: DeliverOptions,
): Promise<RowAction> {
  let outcome: DeliveryOutcome;
  try {
    const rendered = await item;
    if (!rendered) return await holdMissing(store, row, ctx, opts);
    if (leaseRunningOut(row, (opts.now ?? Date.now)(), opts)) return 'lease';
    outcome = await deliverOrReduce(d.destination, rendered, row.mailbox, opts, { inDoubt: row.inDoubt });
  } catch (err) {
    return recordFailure(store, row, err, ctx.counters, opts);
  }
  await recordOutcome(row, outcome, ctx);
  return 'none';
}

/** A row whose item is no longer in the archive: held, nothing to send. */
export async function holdMissing(
  store: Store,
  row: DueDelivery,
  ctx: LaneContext,
  opts: DeliverOptions,
): Promise<RowAction> {
  const now = opts.now ?? Date.now;
  const held = await holdDelivery(
    store.db,
    row,
    { code: 'WXA_NOT_FOUND', detail: 'the item is not in the archive' },
    now(),
  );
  if (held) bump(ctx.counters.held, 'missing-item');
  else ctx.counters.leaseLost++;
  return 'none';
}

/**
 * Queues a stored item's outcome for the group commit, which counts it. A failed ledger commit
 * surfaces here and is not a failed delivery: the caller's lane stops.
 */
export async function recordOutcome(row: DueDelivery, outcome: DeliveryOutcome, ctx: LaneContext): Promise<void> {
  crashPoint('after-deliver');
  await ctx.outcomes.add(row, {
    status: outcome.status,
    ...(outcome.remoteId ? { remoteId: outcome.remoteId } : {}),
    ...(outcome.status === 'partial' ? { detail: outcome.reason, omitted: outcome.omitted } : {}),
  });
}
