// Raw records claimed by worker processes, on both dialects: concurrent workers get disjoint
// batches (PostgreSQL: FOR UPDATE SKIP LOCKED over separate connections; SQLite: its one
// writer), a claim that ran out is taken over with a higher token, the commit of a worker that
// stalled past its claim is refused whole, and what waits before a claim (claimed, free, or
// between its records) is what the ordered commit needs to know.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { openSharedDbs, type SharedDbs } from '../../test/helpers/shared-db.js';
import { isArchiverError } from '../core/errors.js';
import { commitCapture } from './capture.js';
import type { Db } from './db.js';
import { commitProcessed, type ProcessedRecord } from './process.js';
import {
  claimRecords,
  hasWaitingRecords,
  recordsAhead,
  releaseClaim,
  renewClaim,
  type RecordClaim,
} from './record-claims.js';

const T0 = 1_000_000;
const LEASE = 60_000;

async function seed(db: Db, n: number): Promise<void> {
  const recs = Array.from({ length: n }, (_, i) => ({
    seq: String(i + 1),
    msgid: `m${i + 1}`,
    publickey_ver: 1,
    json: `{"seq":${i + 1}}`,
  }));
  await commitCapture(db, 'c', recs, String(n), T0);
}

const claim = (db: Db, owner: string, now: number, limit = 1000) =>
  claimRecords(db, {
    connectorId: 'c',
    owner,
    now,
    leaseMs: LEASE,
    limit,
    maxAttempts: 5,
    retryFailedAfterMs: 60_000,
  });

const seqs = (c: RecordClaim) => c.records.map((r) => Number(r.msgid.slice(1)));

/** The outcome a worker commits for a claim: every record held, no item (enough to see what was written). */
const held = (c: RecordClaim): ProcessedRecord[] =>
  c.records.map((r) => ({
    rawId: r.id,
    status: 'held',
    holdReason: 'unmapped',
    blobs: [],
    media: [],
    entries: [],
    holds: [{ reason: 'unmapped', detail: `record ${r.msgid}` }],
  }));

async function statuses(db: Db) {
  return db
    .selectFrom('raw_records')
    .select(['msgid', 'status', 'claim_owner', 'claim_token', 'attempts'])
    .orderBy('seq_key')
    .execute();
}

describeDialects('record claims', (t) => {
  let shared: SharedDbs;
  let db: Db;
  beforeEach(async () => {
    shared = await openSharedDbs(t, 4);
    db = shared.dbs[0]!;
  });
  afterEach(async () => {
    await shared.close();
  });

  it('hands disjoint batches to concurrent workers, lowest seq first, each record with token 1', async () => {
    await seed(db, 300);
    const workers = t.kind === 'postgres' ? shared.dbs : shared.dbs.map(() => db);
    const got = new Map<number, string>();
    const dupes: number[] = [];
    await Promise.all(
      workers.map(async (w, i) => {
        for (;;) {
          const c = await claim(w, `W${i}`, T0, 13);
          if (c.records.length === 0) return;
          expect(seqs(c)).toEqual([...seqs(c)].sort((a, b) => a - b));
          for (const r of c.records) {
            if (got.has(r.id)) dupes.push(r.id);
            got.set(r.id, `W${i}`);
            expect(r.claimToken).toBe(1);
          }
        }
      }),
    );
    expect(dupes).toEqual([]);
    expect(got.size).toBe(300);
    if (t.kind === 'postgres') expect(new Set(got.values()).size).toBeGreaterThan(1);
    expect(await hasWaitingRecords(db, { connectorId: 'c', now: T0, maxAttempts: 5, retryFailedAfterMs: 0 })).toBe(
      false,
    );
    // Past the claims' deadline every record is claimable again.
    expect(
      await hasWaitingRecords(db, { connectorId: 'c', now: T0 + LEASE + 1, maxAttempts: 5, retryFailedAfterMs: 0 }),
    ).toBe(true);
  });

  it('takes an expired claim over with a higher token; the old holder can no longer renew it', async () => {
    await seed(db, 5);
    const a = await claim(db, 'A', T0);
    expect(await claim(db, 'B', T0 + 1)).toMatchObject({ records: [] });
    const b = await claim(shared.dbs[1]!, 'B', T0 + LEASE + 1);
    expect(seqs(b)).toEqual([1, 2, 3, 4, 5]);
    expect(b.records.map((r) => r.claimToken)).toEqual([2, 2, 2, 2, 2]);
    const renewed = await renewClaim(db, a, { now: T0 + LEASE + 2, leaseMs: LEASE });
    expect(renewed.records).toEqual([]);
    expect(await releaseClaim(db, a)).toBe(0);
    expect((await statuses(db)).map((r) => r.claim_owner)).toEqual(['B', 'B', 'B', 'B', 'B']);
  });

  it('refuses the whole commit of a worker that stalled past its claim, and takes the new holder’s', async () => {
    await seed(db, 4);
    const stalled = await claim(db, 'A', T0);
    const fresh = await claim(shared.dbs[1]!, 'B', T0 + LEASE + 1);
    const err = await commitProcessed(db, 'c', held(stalled), {
      now: T0 + LEASE + 2,
      runId: null,
      claim: stalled,
    }).catch((e: unknown) => e);
    expect(isArchiverError(err, 'WXA_RECORD_CLAIM_LOST')).toBe(true);
    // Nothing of the stalled batch: statuses, attempts and holds as before.
    expect((await statuses(db)).map((r) => [r.status, r.attempts])).toEqual([
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
      ['pending', 0],
    ]);
    expect(await db.selectFrom('holds').select('id').execute()).toEqual([]);
    await commitProcessed(shared.dbs[1]!, 'c', held(fresh), { now: T0 + LEASE + 3, runId: null, claim: fresh });
    expect((await statuses(db)).map((r) => [r.status, r.attempts, r.claim_owner])).toEqual([
      ['held', 1, null],
      ['held', 1, null],
      ['held', 1, null],
      ['held', 1, null],
    ]);
    expect((await db.selectFrom('holds').select('id').execute()).length).toBe(4);
  });

  it('says what waits before a claim: another live claim, a dead one, or records between its own', async () => {
    await seed(db, 12);
    const a = await claim(db, 'A', T0, 3);
    const b = await claim(db, 'B', T0, 3);
    expect([seqs(a), seqs(b)]).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const ahead = (c: RecordClaim, now: number) =>
      recordsAhead(db, {
        connectorId: 'c',
        first: c.records[0]!.seq_key,
        last: c.records[c.records.length - 1]!.seq_key,
        owner: c.owner,
        now,
      });
    expect(await ahead(a, T0)).toEqual({ claimed: 0, free: 0, firstBetween: null });
    // B waits for A's live claim; once A's claim ran out, the records are free: B claims again.
    expect(await ahead(b, T0)).toEqual({ claimed: 3, free: 0, firstBetween: null });
    expect(await ahead(b, T0 + LEASE + 1)).toEqual({ claimed: 0, free: 3, firstBetween: null });
    // A gives its records back; C's claim then skips B's: it may commit only 1-3 now.
    await releaseClaim(db, a);
    const c = await claim(db, 'C', T0, 6);
    expect(seqs(c)).toEqual([1, 2, 3, 7, 8, 9]);
    const cAhead = await ahead(c, T0);
    expect(cAhead.claimed).toBe(0);
    expect(cAhead.free).toBe(0);
    expect(Number(cAhead.firstBetween?.length)).toBeGreaterThan(0);
    expect(c.records.filter((r) => r.seq_key < cAhead.firstBetween!).map((r) => r.msgid)).toEqual(['m1', 'm2', 'm3']);
    // Committed, C's first three no longer wait before B.
    const first3 = { ...c, records: c.records.slice(0, 3) };
    await commitProcessed(db, 'c', held(first3), { now: T0 + 1, runId: null, claim: first3 });
    expect(await ahead(b, T0 + 2)).toEqual({ claimed: 0, free: 0, firstBetween: null });
  });
});
