// A process's IMAP connection slots, on both dialects: a slot this process is giving back is
// not taken again by another of its own connections until the database has recorded the release
// (on PostgreSQL the release and the take run on separate pool connections, and the release
// landing second would free a slot a live connection holds, letting another process past the
// cap); and another process never holds a slot this one's live connection holds.
import { expect, it } from 'vitest';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { ProcessSlots, slotLeaseName } from './role-connection-slots.js';

const ACCOUNT = 'imap.example.com:993/alice@example.com';

describeDialects('IMAP connection slots of a process', (t) => {
  const store = storeEachTest(t, 'connection-slots');

  it('a slot being given back is not taken again by the same process before the release is recorded', async () => {
    const db = store().db;
    const p = new ProcessSlots(db, { owner: 'P', holder: 'worker P', ttlMs: 60_000 });
    const q = new ProcessSlots(db, { owner: 'Q', holder: 'worker Q', ttlMs: 60_000 });
    try {
      for (let round = 0; round < 60; round++) {
        const first = await p.take(ACCOUNT, 1);
        expect(first, `round ${round}: the free slot`).toBeDefined();
        // Connection A closes while connection B of the same process asks for a slot.
        const [, second] = await Promise.all([first!(), p.take(ACCOUNT, 1)]);
        const row = await db
          .selectFrom('leases')
          .select('owner')
          .where('name', '=', slotLeaseName(ACCOUNT, 0))
          .executeTakeFirstOrThrow();
        if (second) {
          // B holds the slot: the database says so, and the other process is refused.
          expect(row.owner, `round ${round}: the slot B holds`).toBe('P');
          expect(await q.take(ACCOUNT, 1), `round ${round}: Q while B holds the only slot`).toBeUndefined();
          await second();
        } else {
          expect(row.owner, `round ${round}: nobody holds the slot`).toBeNull();
        }
      }
    } finally {
      p.close();
      q.close();
    }
  });

  it('gives a process at most its free slots, and each back once', async () => {
    const db = store().db;
    const p = new ProcessSlots(db, { owner: 'P', holder: 'worker P', ttlMs: 60_000 });
    const q = new ProcessSlots(db, { owner: 'Q', holder: 'worker Q', ttlMs: 60_000 });
    try {
      const mine = await Promise.all(Array.from({ length: 4 }, () => p.take(ACCOUNT, 3)));
      expect(mine.filter(Boolean)).toHaveLength(3);
      expect(await q.take(ACCOUNT, 3)).toBeUndefined();
      await mine.find(Boolean)!();
      const theirs = await q.take(ACCOUNT, 3);
      expect(theirs).toBeDefined();
      expect(await p.take(ACCOUNT, 3)).toBeUndefined();
    } finally {
      p.close();
      q.close();
    }
  });
});
