// Named leases with fencing tokens, on both dialects and across separate connections (as
// separate processes have them): one holder at a time, a take-over always with a higher token,
// a stalled holder told it lost the lease on its next renew or check, and its fenced writes
// refused once another process holds the lease.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isArchiverError } from '../core/errors.js';
import { describeDialects } from '../../test/helpers/dialects.js';
import { openSharedDbs, type SharedDbs } from '../../test/helpers/shared-db.js';
import {
  acquireLease,
  checkLease,
  fenceLease,
  leaseHolder,
  releaseLease,
  renewLease,
  tryAcquireLease,
  type Lease,
} from './leases.js';
import { transact } from './transaction.js';
import type { Db } from './db.js';

const T0 = 1_700_000_000_000;
/** Who takes the lease, for how long. */
const who = (owner: string, ttlMs = 30_000) => ({
  name: 'capture:corp',
  owner,
  holder: `host-${owner} pid 1: capture`,
  ttlMs,
});
const take = (owner: string, now: number, ttlMs = 30_000) => ({ ...who(owner, ttlMs), now });

describeDialects('leases', (t) => {
  let shared: SharedDbs;
  beforeEach(async () => {
    shared = await openSharedDbs(t, 3);
  });
  afterEach(async () => {
    await shared.close();
  });

  it('has one holder at a time; the holder renews with the same token, others are refused', async () => {
    const [a, b] = shared.dbs as [Db, Db];
    const la = await tryAcquireLease(a, take('A', T0));
    expect(la).toEqual({ name: 'capture:corp', owner: 'A', token: 1, expiresAt: T0 + 30_000 });
    expect(await tryAcquireLease(b, take('B', T0 + 1000))).toBeUndefined();
    const err = await acquireLease(b, { ...who('B'), waitMs: 0, now: () => T0 + 1000 }).catch((e) => e);
    expect(isArchiverError(err, 'WXA_LEASE_HELD')).toBe(true);
    // The message names who holds it and until when.
    expect(err.message).toContain('host-A pid 1: capture');
    expect(err.message).toContain(new Date(T0 + 30_000).toISOString());
    const renewed = await renewLease(a, la!, { ttlMs: 30_000, now: T0 + 20_000 });
    expect(renewed).toMatchObject({ token: 1, expiresAt: T0 + 50_000 });
    // Past the first deadline, but renewed: still refused.
    expect(await tryAcquireLease(b, take('B', T0 + 40_000))).toBeUndefined();
    // The holder taking it again is a renewal, not a take-over.
    expect(await tryAcquireLease(a, take('A', T0 + 41_000))).toMatchObject({ token: 1 });
    expect(await leaseHolder(b, 'capture:corp', T0 + 41_000)).toMatchObject({ owner: 'A', token: 1 });
    expect(await checkLease(b, renewed, T0 + 41_000)).toBe('held');
  });

  it('hands an expired lease over with a higher token; the stalled holder learns it on renew and check', async () => {
    const [a, b] = shared.dbs as [Db, Db];
    const la = (await tryAcquireLease(a, take('A', T0)))!;
    // A stalls past its deadline: until someone takes over, the lease is still A's to renew.
    expect(await checkLease(a, la, T0 + 31_000)).toBe('expired');
    expect(await leaseHolder(b, 'capture:corp', T0 + 31_000)).toBeUndefined();
    const lb = (await tryAcquireLease(b, take('B', T0 + 31_000)))!;
    expect(lb.token).toBe(2);
    expect(await checkLease(a, la, T0 + 32_000)).toBe('lost');
    const lost = await renewLease(a, la, { ttlMs: 30_000, now: T0 + 32_000 }).catch((e) => e);
    expect(isArchiverError(lost, 'WXA_LEASE_LOST')).toBe(true);
    expect(await releaseLease(a, la, T0 + 32_000)).toBe(false);
    // A's release changed nothing: B still holds it.
    expect(await leaseHolder(a, 'capture:corp', T0 + 33_000)).toMatchObject({ owner: 'B', token: 2 });
    // Released by B, the next take-over needs no wait and moves the token on again.
    expect(await releaseLease(b, lb, T0 + 34_000)).toBe(true);
    expect(await tryAcquireLease(a, take('A', T0 + 34_000))).toMatchObject({ token: 3 });
  });

  it("refuses a stalled holder's fenced write once another holds the lease, and rolls it back", async () => {
    const [a, b] = shared.dbs as [Db, Db];
    const la = (await tryAcquireLease(a, take('A', T0)))!;
    const write = (db: Db, lease: Lease, value: string) =>
      transact(db, async (tx) => {
        await fenceLease(tx, lease);
        await tx
          .insertInto('settings')
          .values({ key: `k-${value}`, value: JSON.stringify(value), updated_at: 0 })
          .execute();
      });
    await write(a, la, 'a1');
    const lb = (await tryAcquireLease(b, take('B', T0 + 60_000)))!;
    const err = await write(a, la, 'a2').catch((e) => e);
    expect(isArchiverError(err, 'WXA_LEASE_LOST')).toBe(true);
    await write(b, lb, 'b1');
    const keys = await a.selectFrom('settings').select('key').orderBy('key').execute();
    expect(keys.map((k) => k.key)).toEqual(['k-a1', 'k-b1']);
  });

  it('lets a second process wait for the lease and take it when the first releases it', async () => {
    const [a, b] = shared.dbs as [Db, Db];
    const la = (await tryAcquireLease(a, { ...take('A', Date.now()), ttlMs: 60_000 }))!;
    const order: string[] = [];
    const waiting = acquireLease(b, { ...who('B', 60_000), waitMs: 30_000, pollMs: 20 }).then((l) => {
      order.push('B took it');
      return l;
    });
    await new Promise((r) => setTimeout(r, 150));
    order.push('A releases');
    expect(await releaseLease(a, la, Date.now())).toBe(true);
    const lb = await waiting;
    expect(order).toEqual(['A releases', 'B took it']);
    expect(lb.token).toBe(2);
  });

  it('stops waiting when told to', async () => {
    const [a, b] = shared.dbs as [Db, Db];
    await tryAcquireLease(a, { ...take('A', Date.now()), ttlMs: 60_000 });
    const stop = new AbortController();
    const waiting = acquireLease(b, { ...who('B'), waitMs: Infinity, pollMs: 20, signal: stop.signal });
    setTimeout(() => stop.abort(new Error('shutting down')), 100);
    await expect(waiting).rejects.toThrow('shutting down');
  });

  describe('concurrent contenders on separate connections', () => {
    it('never both hold the lease, and every take-over has a higher token', async () => {
      // Each contender loops: take the lease if free, check nobody else is inside, leave, give it
      // up. Real time, a long lease: only releases hand it over here.
      let inside: string | undefined;
      let overlaps = 0;
      const taken: { owner: string; token: number }[] = [];
      const contender = async (db: Db, owner: string) => {
        for (let round = 0; round < 25; round++) {
          const lease = await tryAcquireLease(db, { ...take(owner, Date.now()), ttlMs: 60_000 });
          if (!lease) {
            await new Promise((r) => setTimeout(r, 1));
            continue;
          }
          if (inside !== undefined) overlaps++;
          inside = owner;
          taken.push({ owner, token: lease.token });
          // Stay a moment (a round trip), as a holder does some work.
          expect(await checkLease(db, lease, Date.now())).toBe('held');
          if (inside !== owner) overlaps++;
          inside = undefined;
          expect(await releaseLease(db, lease, Date.now())).toBe(true);
        }
      };
      await Promise.all(shared.dbs.map((db, i) => contender(db, `W${i}`)));
      expect(overlaps).toBe(0);
      expect(taken.length).toBeGreaterThan(3);
      expect(new Set(taken.map((x) => x.owner)).size).toBeGreaterThan(1);
      // Tokens in the order the lease was taken: 1, 2, 3, ... with no gap or repeat.
      expect(taken.map((x) => x.token)).toEqual(taken.map((_, i) => i + 1));
    });

    it('gives a lease nobody has taken yet to exactly one of several first comers', async () => {
      const results = await Promise.all(
        shared.dbs.flatMap((db, i) =>
          [0, 1].map((j) => tryAcquireLease(db, { ...take(`W${i}.${j}`, T0), name: 'capture:fresh' })),
        ),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.token).toBe(1);
    });
  });
});
