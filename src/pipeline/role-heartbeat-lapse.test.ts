// A worker whose heartbeat lease lapsed while it stalled, on both dialects: nobody takes a
// process's heartbeat over, so its next renewal succeeds, but other workers took its delivery
// rows meanwhile (its heartbeat had run out). The renewal records the lapse, and the worker then
// starts no send of a row leased before it, nor any while its heartbeat may have run out; rows
// leased after the lapse are sent as usual.
import { expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { processLeaseName, type DueDelivery } from '../store/index.js';
import { holdLease } from './lease-keeper.js';
import { mayStillSendWith } from './role-passes.js';

const row = (leasedAt: number) => ({ leasedAt }) as DueDelivery;

describeDialects('a worker whose heartbeat lapsed', (t) => {
  it('starts no send of rows leased before the lapse, nor while the heartbeat may have run out', async () => {
    const db = await t.openDb();
    try {
      let clock = 1_000_000;
      const now = () => clock;
      // Renewed only when asked (check): the timer is a minute away.
      const hb = await holdLease(db, processLeaseName('W'), {
        owner: 'W',
        holder: 'worker',
        ttlMs: 5000,
        renewEveryMs: 60_000,
        now,
      });
      const may = mayStillSendWith(hb);
      const before = row(clock);
      clock += 1000;
      expect(await hb.check()).toBe(true);
      expect(hb.lapsedAt).toBe(0);
      expect(may(before, clock)).toBe(true);
      // Stalled 10 s: past the heartbeat's deadline no send starts, even of a row just leased.
      clock += 10_000;
      expect(may(row(clock), clock)).toBe(false);
      // The renewal succeeds (nobody takes a heartbeat over) and records the lapse.
      expect(await hb.check()).toBe(true);
      expect(hb.lapsedAt).toBe(clock);
      expect(may(before, clock)).toBe(false);
      clock += 10;
      expect(may(row(clock), clock)).toBe(true);
      await hb.release();
    } finally {
      await db.destroy();
    }
  });
});
