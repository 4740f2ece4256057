// The checkpoint sequence and the figures a checkpoint states, on both databases. A checkpoint
// whose predecessor changed since it was read is refused (one sequence, never a fork), also
// when several processes store one at once; and the heads and counts are read in one snapshot,
// so they agree while other processes append. The concurrent cases need PostgreSQL (SQLite has
// one writer per data directory, store/writer-lock.ts): three pools stand for three processes.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { insertChainedAuditRow } from './audit-log.js';
import { insertCheckpoint, readCheckpointBasis, type CheckpointRow } from './checkpoints.js';
import { openDatabase, type Db } from './db.js';

const row = (n: number): Omit<CheckpointRow, 'id'> => ({
  at: 1_700_000_000_000 + n,
  statement: `{"number":${n}}`,
  signature: 'c2ln',
  key_id: 'k1',
  public_key: 'PEM',
  tsa_url: null,
  tsa_reply: null,
});

describeDialects('checkpoints', (t) => {
  let db: Db;
  beforeEach(async () => {
    db = await t.openDb();
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('stores a checkpoint only when its predecessor is still the latest', async () => {
    const first = await insertCheckpoint(db, row(1), null);
    expect(first).toBeGreaterThan(0);
    expect(await insertCheckpoint(db, row(2), null)).toBeNull();
    const second = await insertCheckpoint(db, row(2), first);
    expect(second).toBeGreaterThan(first!);
    expect(await insertCheckpoint(db, row(3), first)).toBeNull();
    expect(await db.selectFrom('checkpoints').select('id').orderBy('id').execute()).toEqual([
      { id: first },
      { id: second },
    ]);
  });

  if (t.kind === 'postgres') {
    it('lets exactly one of several processes store the next checkpoint', async () => {
      const url = await t.newDatabaseUrl();
      const pools: Db[] = [];
      try {
        for (let i = 0; i < 3; i++) pools.push(await openDatabase({ url }));
        let previous: number | null = null;
        for (let round = 0; round < 8; round++) {
          const ids = await Promise.all(pools.map((p, i) => insertCheckpoint(p, row(round * 10 + i), previous)));
          const stored = ids.filter((id): id is number => id !== null);
          expect(stored, `round ${round}`).toHaveLength(1);
          previous = stored[0]!;
        }
        expect((await pools[0]!.selectFrom('checkpoints').select('id').execute()).length).toBe(8);
      } finally {
        for (const p of pools) await p.destroy();
      }
    });

    it('reads heads and counts that agree while other processes append', async () => {
      const url = await t.newDatabaseUrl();
      const reader = await openDatabase({ url });
      const writers = [await openDatabase({ url }), await openDatabase({ url })];
      let stop = false;
      const append = (w: Db, n: number, i: number) =>
        w
          .transaction()
          .execute((tx) =>
            insertChainedAuditRow(
              tx,
              { at: i, actor: `w${n}`, action: 'search', target: `t${i}`, detail_json: '{}', ip: '' },
              '0'.repeat(64),
              (prev) => `${prev.slice(0, 8)}-${n}-${i}`,
            ),
          );
      const appending = writers.map(async (w, n) => {
        for (let i = 0; !stop; i++) await append(w, n, i);
      });
      try {
        for (let i = 0; i < 40; i++) {
          const basis = await readCheckpointBasis(reader);
          // ids are dense here (nothing rolls back or is pruned): the count is the head's id
          expect(basis.audit.events, `read ${i}`).toBe(basis.audit.lastEventId);
        }
      } finally {
        stop = true;
        await Promise.all(appending);
        for (const w of [reader, ...writers]) await w.destroy();
      }
    });
  }
});
