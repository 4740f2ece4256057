// Two delivery passes over the same ledger, one of them stalled past its lease, on both
// dialects: the stalled pass's result is dropped when it wakes (the row keeps the outcome the
// pass after it recorded, no hold appears), and it sends nothing more under the lease it lost.
import { expect, it } from 'vitest';
import { DestinationError, type Destination, type DeliveryOutcome, type RenderedItem } from '../destinations/types.js';
import { seedDeliveries } from '../../test/helpers/deliveries.js';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { deliverDue } from './deliver.js';

const LEASE_MS = 60_000;

const seed = seedDeliveries;

/**
 * One mailbox server seen by two workers: `copies` counts what it really stored per key, and
 * `has` answers from it, as IMAP's lookup by Message-ID does. The worker's first send can be held
 * at a gate, as a process frozen mid-send (a long GC pause, a suspended VM) would be.
 */
function server() {
  const copies = new Map<string, number>();
  let gate: { open: () => void; reached: Promise<void> } | undefined;
  const store = (item: RenderedItem, who: string): DeliveryOutcome => {
    copies.set(item.key, (copies.get(item.key) ?? 0) + 1);
    return { status: 'delivered', remoteId: `${who}:${item.key}` };
  };
  const worker = (who: string, opts: { stallFirst?: boolean; failAfterStall?: boolean } = {}): Destination => {
    let calls = 0;
    return {
      kind: 'imap',
      check: async () => ({ ok: true, details: [] }),
      has: async (key) => (copies.get(key) ?? 0) > 0,
      deliver: async (item) => {
        if (opts.stallFirst && calls++ === 0) {
          let open!: () => void;
          let reached!: () => void;
          const opened = new Promise<void>((r) => (open = r));
          gate = { open, reached: new Promise<void>((r) => (reached = r)) };
          reached();
          await opened;
          if (opts.failAfterStall) throw new DestinationError('permanent', 'the mailbox is over its quota');
        }
        return store(item, who);
      },
      close: async () => undefined,
    };
  };
  return {
    copies,
    worker,
    gate: async () => {
      while (!gate) await new Promise((r) => setTimeout(r, 5));
      await gate.reached;
      return gate;
    },
  };
}

describeDialects('delivery after a stalled worker', (t) => {
  const store = storeEachTest(t, 'deliver-fencing');
  const lane = (destination: Destination) => [{ id: 'imap:test', destination, perMailbox: 1, overall: 1 }];

  it("drops the stalled worker's outcome and keeps the one recorded by the worker after it", async () => {
    await seed(store(), 3);
    let clock = 1_000_000;
    const s = server();
    const a = deliverDue(store(), lane(s.worker('A', { stallFirst: true })), {
      now: () => clock,
      leaseMs: LEASE_MS,
      owner: 'A',
    });
    const gate = await s.gate();
    // A is frozen mid-send of m0; its lease runs out and B takes the rows over.
    clock += LEASE_MS + 1;
    const b = await deliverDue(store(), lane(s.worker('B')), { now: () => clock, leaseMs: LEASE_MS, owner: 'B' });
    expect(b.delivered).toBe(3);
    gate.open();
    const late = await a;
    expect(late.delivered).toBe(0);
    expect(late.leaseLost).toBe(1);
    const rows = await store()
      .db.selectFrom('deliveries')
      .select(['item_key', 'status', 'remote_id', 'attempts', 'lease_owner'])
      .orderBy('item_key')
      .execute();
    expect(rows).toEqual(
      ['m0', 'm1', 'm2'].map((m) => ({
        item_key: `wecom:corp:${m}`,
        status: 'delivered',
        remote_id: `B:wecom:corp:${m}`,
        attempts: 1,
        lease_owner: null,
      })),
    );
    // Once awake, A sent nothing more under the lease it had lost.
    expect(s.copies.get('wecom:corp:m1')).toBe(1);
    expect(s.copies.get('wecom:corp:m2')).toBe(1);
    // The send A was frozen in finished at the server after B's copy: that one copy is beyond the
    // ledger's reach (only the destination could refuse it), which is why a lease is kept far
    // longer than any send takes.
    expect(s.copies.get('wecom:corp:m0')).toBe(2);
  });

  it('gives back a chunk leased before a stall in the batched lane, and sends it under a new lease', async () => {
    await seed(store(), 250);
    let clock = 1_000_000;
    const copies = new Map<string, number>();
    let batches = 0;
    const put = (key: string) => copies.set(key, (copies.get(key) ?? 0) + 1);
    const destination: Destination = {
      kind: 'imap',
      check: async () => ({ ok: true, details: [] }),
      has: async (key) => copies.has(key),
      // As IMAP does: a row in doubt is looked up before it is stored.
      deliver: async (item, _mailbox, hints) => {
        if (hints?.inDoubt && copies.has(item.key)) return { status: 'duplicate' };
        put(item.key);
        return { status: 'delivered' };
      },
      deliverBatch: async (items) => {
        // The first batch stalls the worker past its lease; the next chunk was leased before it.
        if (++batches === 1) clock += LEASE_MS + 1;
        return items.map((item) => {
          put(item.key);
          return { outcome: { status: 'delivered' as const } };
        });
      },
      close: async () => undefined,
    };
    const c = await deliverDue(store(), lane(destination), { now: () => clock, leaseMs: LEASE_MS, batch: 100 });
    expect(copies.size).toBe(250);
    expect([...copies.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    const rows = await store().db.selectFrom('deliveries').select(['status', 'lease_token']).execute();
    expect(rows.filter((r) => r.status === 'delivered' || r.status === 'duplicate')).toHaveLength(250);
    // The chunk leased ahead of the stall went back unsent and came again under the next token.
    expect(rows.filter((r) => r.lease_token >= 2).length).toBeGreaterThanOrEqual(100);
    // Whatever this pass recorded is what the ledger holds: nothing counted twice.
    expect(c.delivered + c.duplicates).toBe(250);
  });

  it("writes no hold for a stalled worker's late refusal of a row another worker delivered", async () => {
    await seed(store(), 1);
    let clock = 1_000_000;
    const s = server();
    const a = deliverDue(store(), lane(s.worker('A', { stallFirst: true, failAfterStall: true })), {
      now: () => clock,
      leaseMs: LEASE_MS,
      owner: 'A',
    });
    const gate = await s.gate();
    clock += LEASE_MS + 1;
    expect((await deliverDue(store(), lane(s.worker('B')), { now: () => clock, owner: 'B' })).delivered).toBe(1);
    gate.open();
    const late = await a;
    expect(late.held).toEqual({});
    expect(late.leaseLost).toBe(1);
    expect(await store().db.selectFrom('holds').selectAll().execute()).toEqual([]);
    const row = await store().db.selectFrom('deliveries').select(['status', 'error_code']).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'delivered', error_code: null });
  });
});
