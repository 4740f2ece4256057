// The delivery stage against a scripted destination: caps, retries, throttling, holds, pauses,
// and exactly-once after a crashed worker's lease expires.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DestinationError, type Destination, type DeliveryOutcome, type RenderedItem } from '../destinations/types.js';
import { countDeliveries, leaseDue, openStore, releaseOwnerLeases, type Store } from '../store/index.js';
import { archiveItem, queueDelivery } from '../../test/helpers/deliveries.js';
import type { ChatMessage } from '../core/model.js';
import { backoff, deliverDue } from './deliver.js';

let dir: string;
let store: Store;
let clock: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-deliver-'));
  store = await openStore(dir);
  clock = 1_000_000;
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** Puts `n` items with one mime blob each into the archive and queues them for `mailboxes`. */
async function seed(n: number, mailboxes: string[], destination = 'imap:test'): Promise<void> {
  for (let i = 0; i < n; i++) {
    const key = `wecom:corp:m${i}`;
    // Only what the delivery stage reads of a message: its id, sender and attachments.
    const model = { key, msgid: `m${i}`, from: 'a', attachments: [] } as unknown as ChatMessage;
    const mime = Buffer.from(`Subject: ${i}\r\n\r\nbody ${i}\r\n`);
    await archiveItem(store, { key, messageId: `<${key}>`, mime, time: 1000 + i, model, attachments: [] }, i);
    for (const mailbox of mailboxes) await queueDelivery(store, { destinationId: destination, itemKey: key, mailbox });
  }
}

/** A destination that stores by (mailbox, key) and fails as scripted. */
function scripted(fail?: (item: RenderedItem, mailbox: string, call: number) => DestinationError | undefined) {
  const stored = new Map<string, number>();
  /** each call: mailbox, key, what the ledger said about an earlier attempt, and when it ran */
  const calls_: { mailbox: string; key: string; inDoubt: boolean | undefined; start: number; end: number }[] = [];
  let tick = 0;
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  let calls = 0;
  let overall = 0;
  let maxOverall = 0;
  const dest: Destination = {
    kind: 'imap',
    check: async () => ({ ok: true, details: [] }),
    has: async (key, mailbox) => stored.has(`${mailbox}|${key}`),
    deliver: async (item, mailbox, hints): Promise<DeliveryOutcome> => {
      const call = ++calls;
      const record = { mailbox, key: item.key, inDoubt: hints?.inDoubt, start: tick++, end: 0 };
      calls_.push(record);
      inFlight.set(mailbox, (inFlight.get(mailbox) ?? 0) + 1);
      maxInFlight.set(mailbox, Math.max(maxInFlight.get(mailbox) ?? 0, inFlight.get(mailbox)!));
      maxOverall = Math.max(maxOverall, ++overall);
      try {
        await new Promise((r) => setTimeout(r, 2));
        const err = fail?.(item, mailbox, call);
        if (err) throw err;
        const k = `${mailbox}|${item.key}`;
        if (stored.has(k)) return { status: 'duplicate' };
        stored.set(k, 1);
        return { status: 'delivered' };
      } finally {
        inFlight.set(mailbox, inFlight.get(mailbox)! - 1);
        overall--;
        record.end = tick++;
      }
    },
    close: async () => undefined,
  };
  return {
    dest,
    stored,
    calls: calls_,
    maxInFlight,
    get maxOverall() {
      return maxOverall;
    },
  };
}

const opts = () => ({ now: () => clock, random: () => 0.5 });

describe('deliverDue', () => {
  it('delivers every row once and respects the per-mailbox and overall caps', async () => {
    await seed(40, ['a@x', 'b@x', 'c@x']);
    const s = scripted();
    const c = await deliverDue(store, [{ id: 'imap:test', destination: s.dest, perMailbox: 2, overall: 4 }], opts());
    expect(c.delivered).toBe(120);
    expect(s.stored.size).toBe(120);
    expect(Math.max(...s.maxInFlight.values())).toBeLessThanOrEqual(2);
    expect(s.maxOverall).toBeLessThanOrEqual(4);
    expect(s.maxOverall).toBeGreaterThan(1);
  });

  it('tells the caller of each group commit once its outcomes are counted, not before', async () => {
    await seed(30, ['a@x', 'b@x']);
    const s = scripted();
    // what the counters said at each commit, and what the destination had stored by then
    const seen: { delivered: number; stored: number }[] = [];
    const c = await deliverDue(store, [{ id: 'imap:test', destination: s.dest, perMailbox: 2, overall: 4 }], {
      ...opts(),
      commitRows: 16,
      onCommitted: (counters) => seen.push({ delivered: counters.delivered, stored: s.stored.size }),
    });
    expect(c.delivered).toBe(60);
    // 60 outcomes, committed 16 at a time at most: the first commit already counted, the last all
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen[0]!.delivered).toBeGreaterThan(0);
    expect(seen.at(-1)!.delivered).toBe(60);
    for (const [i, x] of seen.entries()) {
      expect(x.delivered).toBeLessThanOrEqual(x.stored);
      if (i > 0) expect(x.delivered).toBeGreaterThan(seen[i - 1]!.delivered);
    }
  });

  it('starts at a random mailbox when several workers share the destination (spread)', async () => {
    await seed(2, ['a@x', 'b@x', 'c@x', 'd@x']);
    const s = scripted();
    const d = [{ id: 'imap:test', destination: s.dest, perMailbox: 1, overall: 1 }];
    const c = await deliverDue(store, d, { ...opts(), spread: true });
    expect(c.delivered).toBe(8);
    // Half-way along the longest-waiting-first order a, b, c, d: c first, then round to a.
    expect([...new Set(s.calls.map((x) => x.mailbox))]).toEqual(['c@x', 'd@x', 'a@x', 'b@x']);
  });

  it('retries transient failures with backoff, obeys Retry-After, and holds permanent refusals', async () => {
    await seed(3, ['a@x']);
    const s = scripted((item, _m, call) => {
      if (item.key.endsWith('m0') && call <= 3) return new DestinationError('transient', 'connection reset');
      if (item.key.endsWith('m1')) return new DestinationError('permanent', 'message too large (40 MB > 35 MB)');
      if (item.key.endsWith('m2') && call <= 3)
        return new DestinationError('throttled', 'slow down', { retryAfterMs: 30_000 });
      return undefined;
    });
    const d = [{ id: 'imap:test', destination: s.dest, perMailbox: 1, overall: 1 }];
    const first = await deliverDue(store, d, opts());
    expect(first.held['destination-refused']).toBe(1);
    expect(first.retried).toBe(2);
    // Nothing is due before the waits have passed.
    expect((await deliverDue(store, d, opts())).delivered).toBe(0);
    clock += 30_000;
    const later = await deliverDue(store, d, opts());
    expect(later.delivered).toBe(2);
    const rows = await store.db.selectFrom('holds').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.detail).toContain('message too large');
  });

  it('pauses a destination that refuses the credentials, losing nothing', async () => {
    await seed(5, ['a@x']);
    let refuse = true;
    const s = scripted(() => (refuse ? new DestinationError('auth', 'LOGIN failed') : undefined));
    const d = [{ id: 'imap:test', destination: s.dest, perMailbox: 1, overall: 1 }];
    const c = await deliverDue(store, d, opts());
    expect(c.paused).toEqual(['imap:test']);
    expect(s.stored.size).toBe(0);
    refuse = false;
    expect((await deliverDue(store, d, opts())).delivered).toBe(5);
  });

  it("re-delivers a crashed worker's leased rows only after the lease expires, without duplicates", async () => {
    await seed(4, ['a@x']);
    const s = scripted();
    // A worker leased the rows, delivered two of them, then died before recording anything.
    await store.db
      .updateTable('deliveries')
      .set({ lease_owner: 'dead', lease_until: clock + 60_000 })
      .execute();
    s.stored.set('a@x|wecom:corp:m0', 1);
    s.stored.set('a@x|wecom:corp:m1', 1);
    const d = [{ id: 'imap:test', destination: s.dest, perMailbox: 1, overall: 1 }];
    expect((await deliverDue(store, d, opts())).delivered).toBe(0);
    clock += 61_000;
    const c = await deliverDue(store, d, opts());
    expect(c.delivered).toBe(2);
    expect(c.duplicates).toBe(2);
    const byStatus = await countDeliveries(store.db);
    expect(byStatus.reduce((a, r) => a + r.n, 0)).toBe(4);
  });

  it('sends a partial copy without the largest attachment when the destination refuses the item as too large', async () => {
    await seed(1, ['a@x']);
    // Give the item two attachments, one large, through the media table and blobs.
    const big = await store.blobs.prepare(Buffer.alloc(400_000, 1), 'media');
    const small = await store.blobs.prepare(Buffer.from('small'), 'media');
    for (const b of [big, small])
      await store.db
        .insertInto('blobs')
        .values({ ...b, created_at: 0 })
        .execute();
    await store.db
      .insertInto('media')
      .values([
        {
          connector_id: 'c',
          sdkfileid: 'big',
          status: 'ok',
          sha256: big.sha256,
          size: big.size,
          md5_expected: null,
          md5_ok: 1,
          error_code: null,
          fetched_at: 0,
        },
        {
          connector_id: 'c',
          sdkfileid: 'small',
          status: 'ok',
          sha256: small.sha256,
          size: small.size,
          md5_expected: null,
          md5_ok: 1,
          error_code: null,
          fetched_at: 0,
        },
      ])
      .execute();
    const model = {
      key: 'wecom:corp:m0',
      msgid: 'm0',
      attachments: [
        { sdkfileid: 'big', filename: 'big.bin', contentType: 'application/octet-stream', role: 'media' },
        { sdkfileid: 'small', filename: 'small.txt', contentType: 'text/plain', role: 'media' },
      ],
    };
    const whole = await store.blobs.prepare(Buffer.alloc(560_000, 65), 'mime');
    await store.db
      .insertInto('blobs')
      .values({ ...whole, created_at: 0 })
      .execute();
    await store.db
      .updateTable('items')
      .set({ model_json: JSON.stringify(model), mime_sha256: whole.sha256, mime_size: whole.size })
      .execute();
    const limit = 100_000;
    const s = scripted((item) =>
      item.mime.length > limit
        ? new DestinationError('permanent', 'too large', { tooLarge: { size: item.mime.length, limit } })
        : undefined,
    );
    const omitted: number[][] = [];
    const c = await deliverDue(store, [{ id: 'imap:test', destination: s.dest, perMailbox: 1, overall: 1 }], {
      ...opts(),
      rerender: (_item, omit, note) => {
        omitted.push([...omit]);
        expect(note(0)).toContain('SHA-256');
        return Buffer.from('reduced copy');
      },
    });
    expect(omitted).toEqual([[0]]);
    expect(c.partial).toBe(1);
    const rows = await countDeliveries(store.db);
    expect(rows).toEqual([expect.objectContaining({ status: 'partial', n: 1 })]);
  });

  it("drains one mailbox's backlog before taking up the next, so each mailbox needs one connection", async () => {
    const boxes = Array.from({ length: 30 }, (_, i) => `u${i}@x`);
    await seed(20, boxes);
    const s = scripted();
    const c = await deliverDue(store, [{ id: 'imap:test', destination: s.dest, perMailbox: 2, overall: 4 }], opts());
    expect(c.delivered).toBe(600);
    // Each mailbox is worked in one stretch: at any moment at most as many mailboxes are
    // between their first call and their last as there are lanes. Batches cycled across every
    // mailbox would leave all 30 open at once.
    const spans = boxes.map((m) => {
      const mine = s.calls.filter((x) => x.mailbox === m);
      return { start: Math.min(...mine.map((x) => x.start)), end: Math.max(...mine.map((x) => x.end)) };
    });
    const overlap = Math.max(...spans.map((a) => spans.filter((b) => b.start <= a.start && a.start < b.end).length));
    expect(overlap).toBeLessThanOrEqual(4);
    // 20 rows do not justify a second connection to a mailbox.
    expect(Math.max(...s.maxInFlight.values())).toBe(1);
  });

  it('gives a large backlog several lanes, up to the per-mailbox cap', async () => {
    await seed(300, ['big@x']);
    const s = scripted();
    const c = await deliverDue(store, [{ id: 'imap:test', destination: s.dest, perMailbox: 3, overall: 8 }], opts());
    expect(c.delivered).toBe(300);
    expect(s.maxInFlight.get('big@x')).toBe(3);
  });

  it('gives an HTTP destination (no login per connection) its per-mailbox concurrency even for a few rows', async () => {
    await seed(4, ['a@x']);
    const s = scripted();
    const graph = { ...s.dest, kind: 'graph' as const };
    const c = await deliverDue(store, [{ id: 'imap:test', destination: graph, perMailbox: 4, overall: 16 }], opts());
    expect(c.delivered).toBe(4);
    expect(s.maxInFlight.get('a@x')).toBe(4);
  });

  it('asks the destination to look for a copy only when an earlier attempt may have stored it', async () => {
    await seed(6, ['a@x']);
    const s = scripted((item, _m, call) =>
      item.key.endsWith('m1') && call <= 2
        ? new DestinationError('transient', 'connection reset mid-APPEND')
        : undefined,
    );
    const d = [{ id: 'imap:test', destination: s.dest, perMailbox: 1, overall: 1 }];
    // A worker leased m4 and m5 and died: the restart releases its leases, the doubt stays.
    const dead = await leaseDue(store.db, {
      destinationId: 'imap:test',
      owner: 'dead',
      now: clock,
      leaseMs: 1,
      limit: 6,
    });
    const early = new Set(['wecom:corp:m4', 'wecom:corp:m5']);
    const { releaseLeases } = await import('../store/index.js');
    await releaseLeases(
      store.db,
      dead.filter((r) => !early.has(r.itemKey)),
    );
    await releaseOwnerLeases(store.db, ['dead']);
    await deliverDue(store, d, opts());
    clock += 10_000;
    await deliverDue(store, d, opts());
    const hint = (key: string) => s.calls.filter((x) => x.key === `wecom:corp:${key}`).map((x) => x.inDoubt);
    expect(hint('m0')).toEqual([false]);
    expect(hint('m4')).toEqual([true]);
    expect(hint('m5')).toEqual([true]);
    // The failed attempt may have landed: its retry looks first.
    expect(hint('m1')).toEqual([false, true]);
    const byStatus = await countDeliveries(store.db);
    expect(byStatus).toEqual([expect.objectContaining({ status: 'delivered', n: 6 })]);
    const doubt = await store.db.selectFrom('deliveries').select('in_doubt').execute();
    expect(doubt.every((r) => r.in_doubt === 0)).toBe(true);
  });

  it('records outcomes in a few group commits, each row closed once', async () => {
    await seed(100, ['a@x', 'b@x']);
    const s = scripted();
    const c = await deliverDue(store, [{ id: 'imap:test', destination: s.dest, perMailbox: 2, overall: 4 }], {
      ...opts(),
      commitRows: 16,
    });
    expect(c.delivered).toBe(200);
    const rows = await store.db.selectFrom('deliveries').select(['status', 'attempts', 'lease_owner']).execute();
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1 && r.lease_owner === null)).toBe(true);
  });

  it('backs off exponentially within the jitter bounds', () => {
    expect(backoff(0, { random: () => 0 })).toBe(500);
    expect(backoff(3, { random: () => 0.999 })).toBeLessThan(12_000);
    expect(backoff(30, { random: () => 0.5 })).toBe(3_600_000);
  });
});
