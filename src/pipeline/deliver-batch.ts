/**
 * The batched delivery lane, for destinations that store several items at once (IMAP
 * MULTIAPPEND): the rows a lane leased go to the destination together, so a mailbox's backlog
 * costs one server transaction per batch instead of one per item. Rows in doubt (an earlier
 * attempt may have stored them) are looked up one by one first, as ever. Exactly-once rests
 * where it did: each leased row is marked in doubt until its outcome commits, so a crash
 * anywhere in a batch leaves every row of it to be looked up before it is sent again.
 */
import type { BatchResult, RenderedItem } from '../destinations/types.js';
import { releaseLeases, type DueDelivery, type Store } from '../store/index.js';
import { recordFailure } from './deliver-failure.js';
import { reduceAfter } from './deliver-reduce.js';
import {
  deliverRow,
  holdMissing,
  leaseRunningOut,
  recordOutcome,
  type LaneContext,
  type RowAction,
} from './deliver-row.js';
import type { ConfiguredDestination, DeliverOptions } from './deliver.js';

/** Applies what a failure stops to the lane's state. */
function apply(action: RowAction, ctx: LaneContext, m: { done: boolean; leaseOut?: boolean }): void {
  // The lease ran out before the send: the rest of the chunk goes back unsent.
  if (action === 'lease') m.leaseOut = true;
  if (action === 'auth') ctx.state.paused = true;
  if (action === 'destination') ctx.state.stopped = true;
  // The rest of this mailbox's rows wait too (their due time was moved with it).
  if (action === 'mailbox') m.done = true;
}

const halted = (ctx: LaneContext, m: { done: boolean; leaseOut?: boolean }) =>
  ctx.state.paused || ctx.state.stopped || m.done || m.leaseOut === true;

/** Delivers one lease of a mailbox's rows through `deliverBatch`; every row ends recorded or released. */
export async function deliverLeasedBatch(
  store: Store,
  d: ConfiguredDestination,
  m: { mailbox: string; done: boolean; leaseOut?: boolean },
  rows: readonly DueDelivery[],
  ctx: LaneContext,
  opts: DeliverOptions,
): Promise<void> {
  // A fresh chunk, a fresh lease: whatever ran out before was the previous chunk's.
  m.leaseOut = false;
  const read = ctx.items.getMany(rows.map((r) => r.itemKey));
  const loads = new Map(rows.map((r, i) => [r.id, read[i]!]));
  // Errors surface where each load is awaited; this only keeps one from being "unhandled" meanwhile.
  for (const l of loads.values()) l.catch(() => undefined);
  let doubtful = rows.filter((r) => r.inDoubt);
  let fresh = rows.filter((r) => !r.inDoubt);
  if (doubtful.length > 1 && d.destination.findMany && !halted(ctx, m)) {
    const absent = await lookUpTogether(store, d, m.mailbox, doubtful, loads, ctx, opts);
    if (absent) {
      // Known absent now: they go with the batch, as safe as a lookup right before each APPEND.
      fresh = [...absent, ...fresh].sort((a, b) => a.id - b.id);
      doubtful = [];
    }
  }
  for (const [i, row] of doubtful.entries()) {
    if (halted(ctx, m)) {
      await releaseLeases(store.db, [...doubtful.slice(i), ...fresh]);
      return;
    }
    const action = await deliverRow(store, d, row, loads.get(row.id)!, ctx, opts);
    // Not sent: it goes back with the rest.
    if (action === 'lease') await releaseLeases(store.db, [row]);
    apply(action, ctx, m);
  }
  if (halted(ctx, m)) {
    await releaseLeases(store.db, fresh);
    return;
  }

  const batch: { row: DueDelivery; item: RenderedItem }[] = [];
  for (const row of fresh) {
    try {
      const item = await loads.get(row.id)!;
      if (item) batch.push({ row, item });
      else await holdMissing(store, row, ctx, opts);
    } catch (err) {
      apply(await recordFailure(store, row, err, ctx.counters, opts), ctx, m);
    }
  }
  if (batch.length === 0) return;
  if (!halted(ctx, m) && leaseRunningOut(batch[0]!.row, (opts.now ?? Date.now)(), opts)) m.leaseOut = true;
  if (halted(ctx, m)) {
    await releaseLeases(
      store.db,
      batch.map((b) => b.row),
    );
    return;
  }
  let results: BatchResult[];
  try {
    results = await d.destination.deliverBatch!(
      batch.map((b) => b.item),
      m.mailbox,
    );
  } catch (err) {
    // A destination reports per item; anything thrown is a fault of the whole batch.
    results = batch.map(() => ({ error: err }));
  }
  for (const [n, { row, item }] of batch.entries()) {
    const r = results[n] ?? { error: new Error('the destination gave no result for this item') };
    if (r.outcome) {
      await recordOutcome(row, r.outcome, ctx);
      continue;
    }
    if (halted(ctx, m)) {
      // The batch failed as a whole (credentials, a pause) and one row already said what to
      // do; the others wait as they would have unsent, but looked up first to be safe.
      await releaseLeases(store.db, [{ ...row, inDoubt: true }]);
      continue;
    }
    let outcome;
    try {
      // Refused as too large or for some attachments: a copy without them.
      outcome = await reduceAfter(r.error, d.destination, item, m.mailbox, opts, { inDoubt: false });
    } catch (err) {
      apply(await recordFailure(store, row, err, ctx.counters, opts), ctx, m);
      continue;
    }
    // Outside the catch above: a failed ledger commit is not a failed delivery (the lane stops).
    await recordOutcome(row, outcome, ctx);
  }
}

/**
 * Rows in doubt looked up together (`findMany`: one search for the chunk instead of one per
 * row): those the destination holds are recorded as duplicates, a missing item is held; returns
 * the rows known absent, or undefined (nothing recorded) when the lookup failed or the lease is
 * too close to its end, so the rows take the one-at-a-time path, which records each failure.
 */
async function lookUpTogether(
  store: Store,
  d: ConfiguredDestination,
  mailbox: string,
  doubtful: readonly DueDelivery[],
  loads: Map<number, Promise<RenderedItem | undefined>>,
  ctx: LaneContext,
  opts: DeliverOptions,
): Promise<DueDelivery[] | undefined> {
  if (leaseRunningOut(doubtful[0]!, (opts.now ?? Date.now)(), opts)) return undefined;
  const items: { row: DueDelivery; item: RenderedItem }[] = [];
  try {
    for (const row of doubtful) {
      const item = await loads.get(row.id)!;
      if (item) items.push({ row, item });
    }
  } catch {
    return undefined;
  }
  let found: Map<string, string | undefined>;
  try {
    found = await d.destination.findMany!(
      items.map((i) => i.item),
      mailbox,
    );
  } catch {
    return undefined;
  }
  const absent: DueDelivery[] = [];
  for (const row of doubtful) {
    const it = items.find((i) => i.row === row);
    if (!it) await holdMissing(store, row, ctx, opts);
    else if (found.has(it.item.key)) {
      const remoteId = found.get(it.item.key);
      await recordOutcome(row, { status: 'duplicate', ...(remoteId ? { remoteId } : {}) }, ctx);
    } else absent.push(row);
  }
  return absent;
}
