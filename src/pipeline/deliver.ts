/**
 * The delivery stage for external destinations (IMAP, Microsoft Graph, Gmail). Each
 * destination is worked by a few lanes, at most one connection each: a lane takes a mailbox,
 * leases that mailbox's due rows of the ledger a chunk at a time and delivers them one after
 * another on the same connection, then moves to the next mailbox. So a backlog costs one login
 * per mailbox (per lane on it), not one per item, and a large mailbox gets several lanes up
 * to the per-mailbox cap. Outcomes are committed in groups; rows whose earlier attempt ended
 * unknown are delivered with a lookup first. Transient failures are retried with backoff,
 * throttling waits as long as the server said, permanent refusals are held with their reason,
 * and refused credentials pause the destination.
 */
import { randomUUID } from 'node:crypto';
import type { Destination, RenderedItem } from '../destinations/types.js';
import { dueMailboxes, leaseDue, releaseLeases, type DueDelivery, type Store } from '../store/index.js';
import { deliverLeasedBatch } from './deliver-batch.js';
import { ItemCache } from './deliver-item.js';
import { OutcomeBuffer } from './deliver-outcomes.js';
import { deliverRow, leaseMsOf, type LaneContext } from './deliver-row.js';

export { backoff } from './deliver-failure.js';
export { loadRenderedItem } from './deliver-item.js';
export { deliverOrReduce } from './deliver-reduce.js';

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
  /**
   * results dropped because the row's lease had passed to another worker before they were
   * written (this pass stalled past its lease): the other worker records the row's outcome
   */
  leaseLost: number;
}

export function emptyDeliveryCounters(): DeliveryCounters {
  return { delivered: 0, partial: 0, duplicates: 0, retried: 0, held: {}, paused: [], waiting: [], leaseLost: 0 };
}

export interface DeliverOptions {
  now?: () => number;
  /**
   * who leases the rows: one id per delivery pass (a run passes its own, so that after a crash
   * the next run releases exactly that run's leases); default a new random id
   */
  owner?: string;
  /** attempts before a transient failure is held for an operator */
  maxAttempts?: number;
  /** first retry delay; doubles each attempt, capped at maxBackoffMs */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** how long a lane's lease of a chunk of rows lasts, ms (default 10 minutes) */
  leaseMs?: number;
  /** rows a lane leases at a time (default 100): after a crash, each is looked up before it is sent again */
  batch?: number;
  /**
   * rows a lane delivers into one mailbox before it lets a waiting mailbox have its connection
   * (default 2000): a huge backlog in one mailbox does not starve the others
   */
  quantum?: number;
  /** outcomes committed together at most (default 256) */
  commitRows?: number;
  random?: () => number;
  /**
   * Renders an item again without some attachments (each replaced by a note): used to send a
   * partial copy to a destination that refuses the whole item as too large.
   */
  rerender?: (item: RenderedItem, omit: ReadonlySet<number>, note: (i: number) => string) => Buffer;
  /**
   * Several worker processes deliver the same destination: each round starts at a random
   * mailbox instead of the longest-waiting one, so that the processes' lanes spread over the
   * mailboxes rather than all crowding the same few (one server's per-user connection limit,
   * Dovecot's 10 by default, is soon reached by several processes' lanes on one mailbox).
   */
  spread?: boolean;
  /** told of every chunk of rows a lane leases (a worker extends their leases while they are in flight) */
  onLeased?: (rows: DueDelivery[]) => void;
  /**
   * asked before a send besides the row's own lease: false when this process may have lost the
   * row meanwhile (a worker whose heartbeat ran out while it stalled: others took its rows at once)
   */
  mayStillSend?: (row: DueDelivery, now: number) => boolean;
  /** counted into these as outcomes commit (a caller that shows them live), else into new ones */
  counters?: DeliveryCounters;
  /** told after each group commit of outcomes has been counted into `counters` */
  onCommitted?: (counters: DeliveryCounters) => void;
}

/**
 * An IMAP mailbox gets another lane for each this many due rows: each lane costs a login,
 * worth it for a backlog only. HTTP destinations (Graph, Gmail) log in per destination, so
 * any row may have its own lane up to the per-mailbox cap.
 */
const IMAP_ROWS_PER_EXTRA_LANE = 50;
/**
 * The same for an IMAP destination that takes batches: a lane already sends a lease of 100
 * rows as one command, so a second login into the same mailbox only pays for a large backlog
 * (measured over 30 mailboxes of 67 rows: two lanes each cost 56 logins for no gain).
 */
const BATCHED_ROWS_PER_EXTRA_LANE = 500;

/** Delivers every due row of each destination; rows waiting for a later retry stay for the next run. */
export async function deliverDue(
  store: Store,
  destinations: ConfiguredDestination[],
  opts: DeliverOptions = {},
): Promise<DeliveryCounters> {
  const counters = opts.counters ?? emptyDeliveryCounters();
  const owner = opts.owner ?? randomUUID();
  for (const d of destinations) {
    const paused = await deliverDestination(store, d, owner, counters, opts);
    if (paused) counters.paused.push(d.id);
  }
  return counters;
}

interface MailboxWork {
  mailbox: string;
  /** due rows when the round began */
  due: number;
  lanes: number;
  /** nothing more due now (or told to wait) */
  done: boolean;
}

/** Works one destination in rounds until nothing is due; true if it refused our credentials. */
async function deliverDestination(
  store: Store,
  d: ConfiguredDestination,
  owner: string,
  counters: DeliveryCounters,
  opts: DeliverOptions,
): Promise<boolean> {
  const now = opts.now ?? Date.now;
  const outcomes = new OutcomeBuffer(store, {
    now,
    counters,
    ...(opts.commitRows ? { maxRows: opts.commitRows } : {}),
    ...(opts.onCommitted ? { onCommitted: opts.onCommitted } : {}),
  });
  const items = new ItemCache(store);
  const state = { paused: false, stopped: false };
  let failure: unknown;
  try {
    for (;;) {
      const due = await dueMailboxes(store.db, { destinationId: d.id, now: now() });
      if (due.length === 0) break;
      const work: MailboxWork[] = due.map((m) => ({ ...m, lanes: 0, done: false }));
      if (opts.spread) work.push(...work.splice(0, Math.floor((opts.random ?? Math.random)() * work.length)));
      const capOf = (m: MailboxWork) =>
        Math.min(
          d.perMailbox,
          d.destination.kind === 'imap'
            ? 1 +
                Math.floor(
                  m.due / (d.destination.deliverBatch ? BATCHED_ROWS_PER_EXTRA_LANE : IMAP_ROWS_PER_EXTRA_LANE),
                )
            : Math.max(1, m.due),
        );
      const wanted = work.reduce((a, m) => a + capOf(m), 0);
      const lane = async (): Promise<void> => {
        for (;;) {
          if (state.paused || state.stopped) return;
          // The mailbox waiting longest that still has room for a lane; a mailbox a lane just
          // left after its quantum went to the back of the list.
          const m = work.find((w) => !w.done && w.lanes < capOf(w));
          if (!m) return;
          m.lanes++;
          try {
            const share = Math.ceil(m.due / capOf(m));
            const more = await drain(store, d, m, share, owner, { items, outcomes, counters, state }, opts);
            if (!more) m.done = true;
            else work.push(...work.splice(work.indexOf(m), 1));
          } catch (err) {
            // The ledger itself failed (a full disk): stop every lane, then report it.
            state.stopped = true;
            failure ??= err;
          } finally {
            m.lanes--;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(d.overall, wanted)) }, lane));
      await outcomes.flush();
      if (failure) throw failure;
      if (state.paused || state.stopped) break;
    }
  } finally {
    await outcomes.close();
  }
  return state.paused;
}

/**
 * Delivers a mailbox's due rows in order on one kept connection: a leased chunk at a time as
 * one batch when the destination takes batches, otherwise one row at a time with the next
 * item read while the current one is sent. Returns true when its quantum ran out with rows
 * still due, false when the mailbox has nothing more due now or must wait.
 */
async function drain(
  store: Store,
  d: ConfiguredDestination,
  m: MailboxWork,
  share: number,
  owner: string,
  ctx: LaneContext,
  opts: DeliverOptions,
): Promise<boolean> {
  const now = opts.now ?? Date.now;
  const quantum = opts.quantum ?? 2000;
  const batch = opts.batch ?? 100;
  let sent = 0;
  const lease = async (upTo: number) => {
    const rows = await leaseDue(store.db, {
      destinationId: d.id,
      mailbox: m.mailbox,
      owner,
      now: now(),
      leaseMs: leaseMsOf(opts),
      // The round's backlog shared between the lanes on this mailbox, so a second lane is not left idle.
      limit: Math.min(batch, upTo, Math.max(1, share)),
    });
    opts.onLeased?.(rows);
    return rows;
  };
  if (d.destination.deliverBatch) {
    // While one batch is on the wire, the next is leased and its items read.
    let rows = await lease(quantum);
    while (rows.length > 0) {
      readAhead(ctx, rows);
      sent += rows.length;
      const ahead = sent < quantum ? lease(quantum - sent) : Promise.resolve([]);
      ahead.then((next) => readAhead(ctx, next)).catch(() => undefined);
      try {
        await deliverLeasedBatch(store, d, m, rows, ctx, opts);
      } catch (err) {
        // The ledger failed: the rows leased ahead were not sent, they go back as they were.
        await releaseLeases(store.db, await ahead.catch(() => [])).catch(() => undefined);
        throw err;
      }
      rows = await ahead;
      if (ctx.state.paused || ctx.state.stopped || m.done) {
        await releaseLeases(store.db, rows);
        return false;
      }
    }
    return sent >= quantum;
  }
  while (sent < quantum) {
    const rows = await lease(quantum - sent);
    if (rows.length === 0) return false;
    let next = ctx.items.get(rows[0]!.itemKey);
    for (let i = 0; i < rows.length; i++) {
      if (ctx.state.paused || ctx.state.stopped || m.done) {
        await releaseLeases(store.db, rows.slice(i));
        return false;
      }
      const row = rows[i]!;
      const item = next;
      // Errors surface when awaited below; this only keeps a read-ahead failure from being "unhandled".
      item.catch(() => undefined);
      if (i + 1 < rows.length) next = ctx.items.get(rows[i + 1]!.itemKey);
      const action = await deliverRow(store, d, row, item, ctx, opts);
      if (action === 'lease') {
        // Stalled until the chunk's lease ran out: the unsent rows go back, the lane leases afresh.
        await releaseLeases(store.db, rows.slice(i));
        return true;
      }
      sent++;
      if (action === 'auth') ctx.state.paused = true;
      if (action === 'destination') ctx.state.stopped = true;
      // The rest of this mailbox's rows wait too (their due time was moved with it).
      if (action === 'mailbox') m.done = true;
    }
  }
  return true;
}

/** Starts reading a lease's items, together; errors surface where each is awaited. */
function readAhead(ctx: LaneContext, rows: readonly DueDelivery[]): void {
  for (const p of ctx.items.getMany(rows.map((r) => r.itemKey))) p.catch(() => undefined);
}
