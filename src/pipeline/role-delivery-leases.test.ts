// A worker's delivery leases kept alive while its sends outlast them, on both dialects: a batch
// on the wire longer than the lease keeps its rows (another worker finds nothing to take, every
// item is stored once and recorded by the sender, no row is left in doubt); one row after another
// past the lease in the one-at-a-time lane goes out under the one lease; and nothing is extended
// for a row another worker took over, nor once the process's heartbeat lease has run out.
import { expect, it } from 'vitest';
import type { Destination, RenderedItem } from '../destinations/types.js';
import { seedDeliveries } from '../../test/helpers/deliveries.js';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { leaseDue, processLeaseName, tryAcquireLease, type Store } from '../store/index.js';
import { deliverDue } from './deliver.js';
import { DeliveryLeaseKeeper } from './role-delivery-leases.js';

const LEASE_MS = 60_000;
const T0 = 1_000_000;

const seed = seedDeliveries;

const lane = (destination: Destination) => [{ id: 'imap:test', destination, perMailbox: 1, overall: 1 }];

/** A mailbox that counts what it stores; a row in doubt is looked up first, as IMAP does. */
function mailbox(onBatch?: (items: readonly RenderedItem[]) => Promise<void>, onItem?: () => Promise<void>) {
  const copies = new Map<string, number>();
  const put = (key: string) => copies.set(key, (copies.get(key) ?? 0) + 1);
  const destination: Destination = {
    kind: 'imap',
    check: async () => ({ ok: true, details: [] }),
    has: async (key) => copies.has(key),
    deliver: async (item, _m, hints) => {
      await onItem?.();
      if (hints?.inDoubt !== false && copies.has(item.key)) return { status: 'duplicate' };
      put(item.key);
      return { status: 'delivered' };
    },
    ...(onBatch
      ? {
          deliverBatch: async (items: readonly RenderedItem[]) => {
            await onBatch(items);
            return items.map((item) => {
              put(item.key);
              return { outcome: { status: 'delivered' as const } };
            });
          },
        }
      : {}),
    close: async () => undefined,
  };
  return { copies, destination };
}

async function heartbeat(store: Store, owner: string, now: number, ttlMs: number) {
  await tryAcquireLease(store.db, { name: processLeaseName(owner), owner, holder: owner, ttlMs, now });
  return { name: processLeaseName(owner), owner };
}

describeDialects('delivery leases kept while in flight', (t) => {
  const store = storeEachTest(t, 'role-delivery-leases');

  it('keeps a batch that is on the wire longer than its lease: nothing passes to another worker', async () => {
    await seed(store(), 40);
    let clock = T0;
    const hb = await heartbeat(store(), 'P1', clock, 10 * LEASE_MS);
    const keeper = new DeliveryLeaseKeeper(store().db, { leaseMs: LEASE_MS, heartbeat: hb, now: () => clock });
    let other: Awaited<ReturnType<typeof deliverDue>> | undefined;
    const otherBox = mailbox(async () => undefined);
    const box = mailbox(async () => {
      // The send takes two leases' time; the keeper extends on its schedule meanwhile, and
      // another worker looks for due rows once the original lease would have run out.
      for (let i = 0; i < 4; i++) {
        clock += LEASE_MS / 2;
        await keeper.renew();
      }
      other = await deliverDue(store(), lane(otherBox.destination), {
        now: () => clock,
        leaseMs: LEASE_MS,
        owner: 'B',
      });
    });
    const c = await deliverDue(store(), lane(box.destination), {
      now: () => clock,
      leaseMs: LEASE_MS,
      owner: 'A',
      onLeased: (rows) => keeper.track(rows),
    });
    expect(other?.delivered).toBe(0);
    expect(otherBox.copies.size).toBe(0);
    expect(c.delivered).toBe(40);
    expect(c.leaseLost).toBe(0);
    expect(keeper.extensions).toBe(4);
    expect([...box.copies.values()].every((n) => n === 1)).toBe(true);
    const rows = await store().db.selectFrom('deliveries').select(['status', 'in_doubt', 'lease_token']).execute();
    expect(rows.every((r) => r.status === 'delivered' && r.in_doubt === 0 && Number(r.lease_token) === 1)).toBe(true);
  });

  it('sends one row after another past the lease in the one-at-a-time lane, all under the one lease', async () => {
    await seed(store(), 10);
    let clock = T0;
    const keeper = new DeliveryLeaseKeeper(store().db, { leaseMs: LEASE_MS, now: () => clock });
    const box = mailbox(undefined, async () => {
      clock += LEASE_MS / 4;
      await keeper.renew();
    });
    const c = await deliverDue(store(), lane(box.destination), {
      now: () => clock,
      leaseMs: LEASE_MS,
      owner: 'A',
      onLeased: (rows) => keeper.track(rows),
    });
    expect(c.delivered).toBe(10);
    // Ten sends of a quarter lease each: without the extensions the lane would have given rows back.
    const rows = await store().db.selectFrom('deliveries').select(['status', 'lease_token']).execute();
    expect(rows.map((r) => [r.status, Number(r.lease_token)])).toEqual(rows.map(() => ['delivered', 1]));
  });

  it('extends nothing another worker took over, nor anything once the heartbeat has run out', async () => {
    await seed(store(), 6);
    let clock = T0;
    const hb = await heartbeat(store(), 'P1', T0, 30_000);
    const keeper = new DeliveryLeaseKeeper(store().db, { leaseMs: LEASE_MS, heartbeat: hb, now: () => clock });
    const mine = await leaseDue(store().db, {
      destinationId: 'imap:test',
      owner: 'A',
      now: clock,
      leaseMs: LEASE_MS,
      limit: 3,
    });
    keeper.track(mine);
    // Rows 1-3 run out unrenewed and pass to B; A's keeper must leave B's leases alone.
    clock += LEASE_MS + 1;
    const theirs = await leaseDue(store().db, {
      destinationId: 'imap:test',
      owner: 'B',
      now: clock,
      leaseMs: LEASE_MS,
      limit: 3,
    });
    expect(theirs.map((r) => r.id)).toEqual(mine.map((r) => r.id));
    await keeper.renew();
    const afterB = await store().db.selectFrom('deliveries').select(['id', 'lease_owner', 'lease_until']).execute();
    for (const r of theirs)
      expect(afterB.find((x) => x.id === r.id)).toEqual({ id: r.id, lease_owner: 'B', lease_until: r.leaseUntil });
    expect(keeper.extensions).toBe(0);

    // The other three, leased by A while its heartbeat (30 s) had already run out: never extended.
    const late = await leaseDue(store().db, {
      destinationId: 'imap:test',
      owner: 'A',
      now: clock,
      leaseMs: LEASE_MS,
      limit: 3,
    });
    keeper.track(late);
    clock += 1000;
    await keeper.renew();
    const rows = await store().db.selectFrom('deliveries').select(['id', 'lease_until']).execute();
    for (const r of late) expect(Number(rows.find((x) => x.id === r.id)?.lease_until)).toBe(r.leaseUntil);
    expect(late.every((r) => r.leaseUntil === T0 + LEASE_MS + 1 + LEASE_MS)).toBe(true);
    expect(keeper.extensions).toBe(0);

    // Forgotten once refused; tracked again under a live heartbeat, the same rows are extended and
    // the lane sees the new deadline.
    await heartbeat(store(), 'P1', clock, 30_000);
    await keeper.renew();
    expect(keeper.extensions).toBe(0);
    keeper.track(late);
    await keeper.renew();
    expect(keeper.extensions).toBe(1);
    expect(late.every((r) => r.leaseUntil === clock + LEASE_MS)).toBe(true);
  });
});
