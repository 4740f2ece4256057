/**
 * What a failed delivery does to its ledger row: retried with exponential backoff and jitter,
 * made to wait as long as the service asked (one row, one mailbox or the whole destination),
 * held for an operator when it will fail the same way again, or the destination paused when
 * it refuses our credentials. Every failure leaves the row in doubt: the next attempt looks
 * for a copy first, since a write cut off mid-way may have landed. A row whose lease has passed
 * to another worker (this one stalled past it) is left as that worker has it.
 */
import { describeError } from '../core/errors.js';
import { DestinationError } from '../destinations/types.js';
import { deferDeliveries, holdDelivery, retryDelivery, type DueDelivery, type Store } from '../store/index.js';
import { bump } from './counters.js';
import type { DeliverOptions, DeliveryCounters } from './deliver.js';

/**
 * Records a failed delivery and says what else it stops: 'auth' (the destination pauses until
 * its credentials change), 'destination' or 'mailbox' (a limit of the service: every pending
 * delivery of the destination, or of the mailbox, waits until it clears), or 'none'.
 */
export async function recordFailure(
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
    if (!(await retryDelivery(store.db, row, { code, detail, nextAttemptAt: now, countAttempt: false })))
      counters.leaseLost++;
    return 'auth';
  }
  const scope = err instanceof DestinationError && failure === 'throttled' ? err.pause : undefined;
  if (scope && err instanceof DestinationError && err.retryAfterMs !== undefined) {
    const until = now + err.retryAfterMs;
    const moved = await deferDeliveries(store.db, {
      connectorId: row.connectorId,
      destinationId: row.destinationId,
      ...(scope === 'mailbox' ? { mailbox: row.mailbox } : {}),
      until,
      code: scope === 'mailbox' ? 'WXA_DEST_PAUSED_MAILBOX' : 'WXA_DEST_PAUSED_DESTINATION',
      detail,
      after: row,
    });
    // Another worker leased the row meanwhile: its own attempt meets the limit, if it still holds.
    if (moved < 0) return lost(counters);
    counters.waiting.push({
      destinationId: row.destinationId,
      ...(scope === 'mailbox' ? { mailbox: row.mailbox } : {}),
      until,
    });
    counters.retried++;
    return scope;
  }
  if (failure === 'permanent' || row.attempts + 1 >= (opts.maxAttempts ?? 10)) {
    if (!(await holdDelivery(store.db, row, { code, detail }, now))) return lost(counters);
    bump(counters.held, failure === 'permanent' ? 'destination-refused' : 'destination-failing');
    return 'none';
  }
  const wait =
    failure === 'throttled' && err instanceof DestinationError && err.retryAfterMs !== undefined
      ? err.retryAfterMs
      : backoff(row.attempts, opts);
  const retried = await retryDelivery(store.db, row, {
    code,
    detail,
    nextAttemptAt: now + wait,
    countAttempt: failure !== 'throttled',
  });
  if (!retried) return lost(counters);
  counters.retried++;
  return 'none';
}

/** The row's lease had passed to another worker: nothing was written, the failure is dropped. */
function lost(counters: DeliveryCounters): 'none' {
  counters.leaseLost++;
  return 'none';
}

/** Exponential backoff with full jitter in [0.5, 1.5) of the nominal delay. */
export function backoff(attempts: number, opts: DeliverOptions = {}): number {
  const base = opts.baseBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 60 * 60_000;
  const nominal = Math.min(max, base * 2 ** attempts);
  return Math.round(nominal * (0.5 + (opts.random ?? Math.random)()));
}
