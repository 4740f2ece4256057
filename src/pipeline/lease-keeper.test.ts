// The capture lease as two capture processes of one connector see it, on both dialects and
// separate connections: the second waits while the first holds and renews it, takes it when the
// first gives it up or dies (its lease runs out), and a first holder that only stalled learns
// on its next renewal that it lost the lease, with its fenced writes refused.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isArchiverError } from '../core/errors.js';
import { describeDialects } from '../../test/helpers/dialects.js';
import { openSharedDbs, type SharedDbs } from '../../test/helpers/shared-db.js';
import { fenceLease, leaseHolder, transact, type Db } from '../store/index.js';
import { captureLeaseName, holdLease } from './lease-keeper.js';

const NAME = captureLeaseName('corp-a');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeDialects('capture lease', (t) => {
  let shared: SharedDbs;
  let a: Db;
  let b: Db;
  beforeEach(async () => {
    shared = await openSharedDbs(t, 2);
    [a, b] = shared.dbs as [Db, Db];
  });
  afterEach(async () => {
    await shared.close();
  });

  it('makes a second capture of the connector wait until the first gives the lease up', async () => {
    const first = await holdLease(a, NAME, { owner: 'A', holder: 'host-a pid 1: capture', ttlMs: 2000 });
    let secondHas = false;
    const second = holdLease(b, NAME, { owner: 'B', holder: 'host-b pid 2: capture', ttlMs: 2000, pollMs: 20 }).then(
      (h) => {
        secondHas = true;
        return h;
      },
    );
    await sleep(300);
    expect(secondHas).toBe(false);
    expect(await leaseHolder(b, NAME, Date.now())).toMatchObject({ owner: 'A', holder: 'host-a pid 1: capture' });
    await first.release();
    const h = await second;
    expect(h.lease.token).toBe(first.lease.token + 1);
    await h.release();
  });

  it('keeps the lease renewed while the work lasts, past its length', async () => {
    // Waiting over three lease lengths: only renewals keep the second out that long.
    const first = await holdLease(a, NAME, { owner: 'A', holder: 'a', ttlMs: 1000 });
    const refused = await holdLease(b, NAME, { owner: 'B', holder: 'b', ttlMs: 1000, waitMs: 3500, pollMs: 50 }).catch(
      (e) => e,
    );
    expect(isArchiverError(refused, 'WXA_LEASE_HELD')).toBe(true);
    expect(first.signal.aborted).toBe(false);
    expect(await first.check()).toBe(true);
    await first.release();
  });

  it("hands a stalled holder's lease over when it runs out; the stalled one learns it and its writes are refused", async () => {
    // A's renewals stall (a frozen process): its 300 ms lease runs out.
    const first = await holdLease(a, NAME, { owner: 'A', holder: 'a', ttlMs: 300, renewEveryMs: 60_000 });
    const second = await holdLease(b, NAME, { owner: 'B', holder: 'b', ttlMs: 60_000, pollMs: 20 });
    expect(second.lease.token).toBe(first.lease.token + 1);
    // A wakes: its next renewal tells it, and the work it was doing stops.
    expect(await first.check()).toBe(false);
    expect(first.signal.aborted).toBe(true);
    expect(isArchiverError(first.signal.reason, 'WXA_LEASE_LOST')).toBe(true);
    const write = (db: Db, h: typeof first) =>
      transact(db, async (tx) => {
        await fenceLease(tx, h.lease);
        await tx
          .insertInto('settings')
          .values({ key: `by-${h.lease.owner}`, value: '1', updated_at: 0 })
          .execute();
      });
    await expect(write(a, first)).rejects.toMatchObject({ code: 'WXA_LEASE_LOST' });
    await write(b, second);
    expect((await a.selectFrom('settings').select('key').execute()).map((r) => r.key)).toEqual(['by-B']);
    // A's release changes nothing: the lease is B's.
    await first.release();
    expect(await leaseHolder(a, NAME, Date.now())).toMatchObject({ owner: 'B' });
    await second.release();
  });
});
