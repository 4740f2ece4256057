// Delivery rows leased to several workers, on both dialects: concurrent workers get disjoint
// rows (PostgreSQL: FOR UPDATE SKIP LOCKED over separate connections; SQLite: its one writer),
// each lease moves the row's fencing token on, a worker whose lease passed to another writes
// nothing, and releasing the leases of a gone owner leaves every other owner's alone.
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { openSharedDbs, type SharedDbs } from '../../test/helpers/shared-db.js';
import type { Db } from './db.js';
import { deferDeliveries, finishDeliveries, holdDelivery, queueDeliveries, retryDelivery } from './deliveries.js';
import {
  leaseDue,
  releaseLeases,
  releaseOwnerLeases,
  renewDeliveryLeases,
  type DueDelivery,
} from './delivery-leases.js';

const T0 = 1_000_000;
const DEST = 'imap:test';

async function seed(db: Db, n: number, mailboxes = ['a@x']): Promise<void> {
  const rows = [];
  for (let i = 0; i < n; i++)
    for (const mailbox of mailboxes)
      rows.push({ connectorId: 'c', destinationId: DEST, itemKey: `wecom:corp:m${i}`, mailbox });
  await queueDeliveries(db, rows, T0);
}

const lease = (db: Db, owner: string, now: number, opts: { limit?: number; mailbox?: string; leaseMs?: number } = {}) =>
  leaseDue(db, {
    destinationId: DEST,
    owner,
    now,
    leaseMs: opts.leaseMs ?? 60_000,
    limit: opts.limit ?? 1000,
    ...(opts.mailbox ? { mailbox: opts.mailbox } : {}),
  });

async function ledger(db: Db) {
  return db
    .selectFrom('deliveries')
    .select(['id', 'status', 'lease_owner', 'lease_token', 'in_doubt', 'remote_id', 'attempts', 'next_attempt_at'])
    .orderBy('id')
    .execute();
}

describeDialects('delivery leases', (t) => {
  let shared: SharedDbs;
  let db: Db;
  beforeEach(async () => {
    shared = await openSharedDbs(t, 4);
    db = shared.dbs[0]!;
  });
  afterEach(async () => {
    await shared.close();
  });

  it('hands disjoint rows to concurrent workers, each lease with the next token', async () => {
    await seed(db, 400);
    // PostgreSQL: one connection per worker, as separate processes have. SQLite: the lanes of
    // the one writing process share its connection.
    const workers = t.kind === 'postgres' ? shared.dbs : shared.dbs.map(() => db);
    const got = new Map<number, string>();
    const dupes: number[] = [];
    await Promise.all(
      workers.map(async (w, i) => {
        for (;;) {
          const rows = await lease(w, `W${i}`, T0, { limit: 15 });
          if (rows.length === 0) return;
          for (const r of rows) {
            if (got.has(r.id)) dupes.push(r.id);
            got.set(r.id, r.owner);
            expect(r.leaseToken).toBe(1);
          }
        }
      }),
    );
    expect(dupes).toEqual([]);
    expect(got.size).toBe(400);
    const rows = await ledger(db);
    expect(rows.every((r) => r.lease_token === 1 && r.in_doubt === 1 && r.lease_owner === got.get(r.id))).toBe(true);
    // Every worker had its share: the leases really ran side by side.
    expect(new Set(got.values()).size).toBe(workers.length);
  });

  if (t.kind === 'postgres')
    it('passes over rows another transaction has claimed instead of waiting for it', async () => {
      await seed(db, 20);
      const [a, b] = shared.dbs as [Db, Db];
      const tx = await a.startTransaction().execute();
      try {
        // Another worker is in the middle of leasing the ten oldest rows.
        await sql`SELECT id FROM deliveries WHERE id <= 10 FOR UPDATE`.execute(tx);
        const timeout = new Promise<'blocked'>((r) => setTimeout(() => r('blocked'), 5000));
        const got = await Promise.race([lease(b, 'B', T0, { limit: 10 }), timeout]);
        expect(got).not.toBe('blocked');
        expect((got as DueDelivery[]).map((r) => r.id)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      } finally {
        await tx.rollback().execute();
      }
    });

  it("refuses every write of a worker whose lease passed to another, and keeps the other's", async () => {
    await seed(db, 4);
    const stale = await lease(db, 'A', T0, { leaseMs: 1000 });
    // A stalls; its lease runs out and B leases the same rows.
    const fresh = await lease(db, 'B', T0 + 2000);
    expect(fresh.map((r) => r.leaseToken)).toEqual([2, 2, 2, 2]);
    expect(fresh.every((r) => r.inDoubt)).toBe(true);
    const [s0, s1, s2, s3] = stale as [DueDelivery, DueDelivery, DueDelivery, DueDelivery];
    const lost = await finishDeliveries(db, [{ row: s0, outcome: { status: 'delivered', remoteId: 'A' } }], T0 + 3000);
    expect(lost).toEqual([s0]);
    expect(
      await retryDelivery(db, s1, {
        code: 'WXA_DEST_TRANSIENT',
        detail: 'x',
        nextAttemptAt: T0 + 9e6,
        countAttempt: true,
      }),
    ).toBe(false);
    expect(await holdDelivery(db, s2, { code: 'WXA_DEST_PERMANENT', detail: 'refused' }, T0 + 3000)).toBe(false);
    expect(await releaseLeases(db, [s3])).toBe(0);
    expect(
      await deferDeliveries(db, {
        destinationId: DEST,
        until: T0 + 9e6,
        code: 'WXA_DEST_PAUSED_DESTINATION',
        detail: 'quota',
        after: s3,
      }),
    ).toBe(-1);
    // Nothing of A's landed: every row is B's, as B leased it.
    let rows = await ledger(db);
    expect(rows.every((r) => r.status === 'pending' && r.lease_owner === 'B' && r.attempts === 0)).toBe(true);
    expect(rows.every((r) => r.next_attempt_at === T0)).toBe(true);
    expect(await db.selectFrom('holds').selectAll().execute()).toEqual([]);
    // B's own writes go through.
    const done = fresh.map((row) => ({ row, outcome: { status: 'delivered' as const, remoteId: 'B' } }));
    expect(await finishDeliveries(db, done, T0 + 4000)).toEqual([]);
    rows = await ledger(db);
    expect(rows.every((r) => r.status === 'delivered' && r.remote_id === 'B' && r.attempts === 1)).toBe(true);
    expect(rows.every((r) => r.lease_owner === null && r.in_doubt === 0)).toBe(true);
  });

  it('fences by token, not owner alone: a pass that leased a row again refuses its own older lease', async () => {
    await seed(db, 1);
    const [first] = await lease(db, 'A', T0, { leaseMs: 1000 });
    const [again] = await lease(db, 'A', T0 + 2000);
    expect(again!.leaseToken).toBe(first!.leaseToken + 1);
    expect(await finishDeliveries(db, [{ row: first!, outcome: { status: 'delivered' } }], T0 + 3000)).toEqual([first]);
    expect(await finishDeliveries(db, [{ row: again!, outcome: { status: 'delivered' } }], T0 + 3000)).toEqual([]);
  });

  it('releases only the leases of the owners named; the rows stay in doubt', async () => {
    await seed(db, 5, ['a@x', 'b@x']);
    const mineA = await lease(db, 'run:1', T0, { mailbox: 'a@x' });
    const mineB = await lease(shared.dbs[1]!, 'worker-b', T0, { mailbox: 'b@x' });
    expect(mineA).toHaveLength(5);
    expect(mineB).toHaveLength(5);
    expect(await releaseOwnerLeases(db, ['run:1'])).toBe(5);
    const rows = await db.selectFrom('deliveries').select(['mailbox', 'lease_owner', 'in_doubt']).execute();
    expect(rows.filter((r) => r.mailbox === 'a@x').every((r) => r.lease_owner === null && r.in_doubt === 1)).toBe(true);
    expect(rows.filter((r) => r.mailbox === 'b@x').every((r) => r.lease_owner === 'worker-b')).toBe(true);
    // Due again at once, and only those: worker-b's rows are still its own.
    const next = await lease(db, 'run:2', T0 + 1);
    expect(next.map((r) => r.mailbox)).toEqual(Array(5).fill('a@x'));
    expect(next.every((r) => r.inDoubt && r.leaseToken === 2)).toBe(true);
  });

  it('records outcomes, extends and releases leases of the same rows at once without a deadlock', async () => {
    // What one worker process does on separate connections: its outcome commits (rows in the
    // order their sends finished), its lease keeper extending every row in flight, and lanes
    // giving rows back. Each of these locks several rows; taken in different orders, two of
    // them each held a row the other waited for and PostgreSQL failed one ("deadlock detected").
    const [a, b, c] = t.kind === 'postgres' ? shared.dbs : [db, db, db];
    for (let round = 0; round < 12; round++) {
      await seed(db, 120, [`r${round}@x`]);
      const rows = await lease(db, 'W', T0, { mailbox: `r${round}@x` });
      expect(rows).toHaveLength(120);
      const reversed = [...rows].reverse();
      const outcomes = reversed
        .filter((_, i) => i % 2 === 0)
        .map((row) => ({ row, outcome: { status: 'delivered' as const } }));
      const unsent = rows.filter((_, i) => i % 2 === 1);
      const results = await Promise.allSettled([
        finishDeliveries(a!, outcomes, T0 + 1),
        renewDeliveryLeases(b!, reversed, { now: T0 + 1, leaseMs: 60_000 }),
        releaseLeases(c!, [...unsent].reverse()),
        renewDeliveryLeases(c!, rows, { now: T0 + 1, leaseMs: 60_000 }),
      ]);
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    }
  });
});
