// Placing a hold and closing its case, on both dialects: a case with an active hold is not
// closed, a closed case takes no hold, and the two exclude each other while either is under
// way (several console or CLI processes may act on one case at once), so a closed case never
// ends up with an active hold.
import { expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { caseById, insertCase } from './cases.js';
import { closeCaseUnlessHeld, insertLegalHold, legalHolds, releaseLegalHold } from './holds.js';

const hold = (caseId: number) => ({ caseId, kind: 'custodian' as const, custodian: 'a@x.cn', placedBy: 'mia' });

/** Whether `p` is still pending after `ms`. */
async function stillWaiting(p: Promise<unknown>, ms = 400): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return !done;
}

describeDialects('placing holds and closing cases', (t) => {
  it('refuses to close a case with an active hold, closes it once released, and places no hold on it then', async () => {
    const db = await t.openDb();
    try {
      const caseId = await insertCase(db, { name: 'Matter', description: '', createdBy: 'mia' }, 1);
      const id = await insertLegalHold(db, hold(caseId), 2);
      expect(id).toBeGreaterThan(0);
      const refused = await closeCaseUnlessHeld(db, caseId, 3);
      expect(refused.map((h) => h.id)).toEqual([id]);
      expect((await caseById(db, caseId))?.status).toBe('active');
      expect(await releaseLegalHold(db, id!, 'mia', 'settled', 4)).toBe(true);
      expect(await closeCaseUnlessHeld(db, caseId, 5)).toEqual([]);
      const closed = await caseById(db, caseId);
      expect(closed?.status).toBe('closed');
      expect(Number(closed?.closed_at)).toBe(5);
      expect(await insertLegalHold(db, hold(caseId), 6)).toBeUndefined();
      expect(await insertLegalHold(db, hold(caseId + 1000), 6)).toBeUndefined();
      expect((await legalHolds(db)).map((h) => h.id)).toEqual([id]);
    } finally {
      await db.destroy();
    }
  });

  it('makes a close wait for a hold being placed, then refuses it', async () => {
    const db = await t.openDb();
    try {
      const caseId = await insertCase(db, { name: 'Matter', description: '', createdBy: 'mia' }, 1);
      const placing = await db.startTransaction().execute();
      const id = await insertLegalHold(placing, hold(caseId), 2);
      const close = closeCaseUnlessHeld(db, caseId, 3);
      const waited = await stillWaiting(close);
      await placing.commit().execute();
      expect(waited).toBe(true);
      expect((await close).map((h) => h.id)).toEqual([id]);
      expect((await caseById(db, caseId))?.status).toBe('active');
    } finally {
      await db.destroy();
    }
  });

  it('makes a hold wait for a close under way, then places nothing', async () => {
    const db = await t.openDb();
    try {
      const caseId = await insertCase(db, { name: 'Matter', description: '', createdBy: 'mia' }, 1);
      const closing = await db.startTransaction().execute();
      expect(await closeCaseUnlessHeld(closing, caseId, 2)).toEqual([]);
      const placed = insertLegalHold(db, hold(caseId), 3);
      const waited = await stillWaiting(placed);
      await closing.commit().execute();
      expect(waited).toBe(true);
      expect(await placed).toBeUndefined();
      expect(await legalHolds(db)).toEqual([]);
      expect((await caseById(db, caseId))?.status).toBe('closed');
    } finally {
      await db.destroy();
    }
  });
});
