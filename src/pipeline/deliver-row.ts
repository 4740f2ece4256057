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

/** What a failure stops besides its row: see recordFailure. */
export type RowAction = 'auth' | 'destination' | 'mailbox' | 'none';

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
  await holdDelivery(store.db, row, { code: 'WXA_NOT_FOUND', detail: 'the item is not in the archive' }, now());
  bump(ctx.counters.held, 'missing-item');
  return 'none';
}

/**
 * Queues a stored item's outcome for the group commit and counts it. A failed ledger commit
 * surfaces here and is not a failed delivery: the caller's lane stops.
 */
export async function recordOutcome(row: DueDelivery, outcome: DeliveryOutcome, ctx: LaneContext): Promise<void> {
  crashPoint('after-deliver');
  await ctx.outcomes.add(row.id, {
    status: outcome.status,
    ...(outcome.remoteId ? { remoteId: outcome.remoteId } : {}),
    ...(outcome.status === 'partial' ? { detail: outcome.reason, omitted: outcome.omitted } : {}),
  });
  if (outcome.status === 'delivered') ctx.counters.delivered++;
  else if (outcome.status === 'duplicate') ctx.counters.duplicates++;
  else ctx.counters.partial++;
}
