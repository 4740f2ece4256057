// Several processes on one database, on both dialects: a run still marked running is taken for
// interrupted only when its owner's heartbeat lease is gone (or it has no owner: a single
// writer's run), and a capture commit fenced by the capture lease writes nothing, cursor
// included, once the lease has passed to another process.
import { expect, it } from 'vitest';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { isArchiverError } from '../core/errors.js';
import {
  commitCapture,
  countByStatus,
  getCursor,
  markInterruptedRuns,
  processLeaseName,
  releaseLease,
  startRun,
  tryAcquireLease,
} from './index.js';

const T0 = 1_000_000;
const TTL = 30_000;
const rec = (seq: string) => ({ seq, msgid: `m${seq}`, publickey_ver: 1, json: `{"seq":"${seq}"}` });

describeDialects('run owners and fenced capture', (t) => {
  const store = storeEachTest(t, 'run-owners');

  it('marks interrupted only the runs whose owner is gone', async () => {
    const db = store().db;
    const live = await tryAcquireLease(db, {
      name: processLeaseName('P1'),
      owner: 'P1',
      holder: 'p1',
      ttlMs: TTL,
      now: T0,
    });
    const gone = await tryAcquireLease(db, {
      name: processLeaseName('P2'),
      owner: 'P2',
      holder: 'p2',
      ttlMs: TTL,
      now: T0,
    });
    const mine = await startRun(db, 'c', T0, 'P1');
    const released = await startRun(db, 'c', T0, 'P2');
    const single = await startRun(db, 'c', T0);
    const unknown = await startRun(db, 'c', T0, 'P3');
    await releaseLease(db, gone!, T0 + 1);
    expect((await markInterruptedRuns(db, 'c', T0 + 2)).sort()).toEqual([released, single, unknown].sort());
    // The live owner's run stays running until its heartbeat runs out.
    expect(await markInterruptedRuns(db, 'c', T0 + TTL - 1)).toEqual([]);
    expect(live).toBeDefined();
    expect(await markInterruptedRuns(db, 'c', T0 + TTL + 1)).toEqual([mine]);
  });

  it('refuses a capture commit once the capture lease passed on: no record, no cursor', async () => {
    const db = store().db;
    const name = 'capture:c';
    const first = await tryAcquireLease(db, { name, owner: 'A', holder: 'a', ttlMs: TTL, now: T0 });
    expect(await commitCapture(db, 'c', [rec('1')], '1', T0, first)).toBe(1);
    const second = await tryAcquireLease(db, { name, owner: 'B', holder: 'b', ttlMs: TTL, now: T0 + TTL + 1 });
    expect(second!.token).toBe(first!.token + 1);
    const err = await commitCapture(db, 'c', [rec('2'), rec('3')], '3', T0 + TTL + 2, first).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_LEASE_LOST')).toBe(true);
    expect(await getCursor(db, 'c')).toBe('1');
    expect((await countByStatus(db, 'c')).pending).toBe(1);
    expect(await commitCapture(db, 'c', [rec('2'), rec('3')], '3', T0 + TTL + 3, second)).toBe(2);
    expect(await getCursor(db, 'c')).toBe('3');
  });
});
