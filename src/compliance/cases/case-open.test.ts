// Changes to a case racing its close, on both dialects: each change (a saved search, its re-run,
// a review set, adding a search's results to it, a reviewer, a custom tag and its retirement)
// starts while another process's close holds the case's lock, having seen the case still open.
// It waits for the close, then is refused as closed, and nothing of it is written: the check and
// the write are one step under the lock the close takes, never a write into a closed case.
import { expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { setCaseStatus, whileCaseActive } from '../../store/index.js';
import { describeDialects } from '../../../test/helpers/dialects.js';
import { createCase } from './cases.js';
import { addSearchToReviewSet, createReviewSet, rerunSearch, saveSearch } from './review.js';
import { setReviewer } from './reviewers.js';
import { addCaseTag, changeCaseTag } from './tags.js';

const eve = { username: 'eve' };

describeDialects('changes to a case racing its close', (t) => {
  it('wait for the close, then are refused as closed, writing nothing', async () => {
    const db = await t.openDb();
    try {
      const c = await createCase(db, { name: 'Matter' }, eve, 1);
      const search = await saveSearch(db, c.id, 'first', 'hello', eve, 2);
      const set = await createReviewSet(db, c.id, 'Set', eve, 3);
      const tag = await addCaseTag(db, c.id, 'Warm', eve, 4);
      const counts = async () => ({
        searches: (await db.selectFrom('saved_searches').select('id').execute()).length,
        sets: (await db.selectFrom('review_sets').select('id').execute()).length,
        reviewers: (await db.selectFrom('review_set_reviewers').selectAll().execute()).length,
        tags: (await db.selectFrom('case_tags').select(['id', 'retired_at']).execute()).map((r) => r.retired_at),
        runAt: (await db.selectFrom('saved_searches').select('run_at').execute()).map((r) => Number(r.run_at)),
      });
      const before = await counts();
      let settled = 0;
      const changes: Promise<unknown>[] = [];
      // The close of another process, holding the lock closing takes, the case still active.
      const closing = await whileCaseActive(db, c.id, async (tx) => {
        const start = (p: Promise<unknown>) =>
          changes.push(
            p.then(
              (v) => (settled++, v),
              (e: unknown) => (settled++, e),
            ),
          );
        start(saveSearch(db, c.id, 'second', 'world', eve, 10));
        start(rerunSearch(db, c.id, search.id, eve, 11));
        start(createReviewSet(db, c.id, 'Another', eve, 12));
        start(addSearchToReviewSet(db, c.id, set.id, search.id, eve, 13));
        start(setReviewer(db, c.id, set.id, 'rita', true, eve, 14));
        start(addCaseTag(db, c.id, 'Hot', eve, 15));
        start(changeCaseTag(db, c.id, tag.id!, { retired: true }, eve, 16));
        await new Promise((r) => setTimeout(r, 500));
        const waiting = settled;
        await setCaseStatus(tx, c.id, 'closed', 20);
        return waiting;
      });
      expect(closing).toEqual({ value: 0 });
      const outcomes = await Promise.all(changes);
      for (const o of outcomes) expect(isArchiverError(o, 'WXA_CASE_CLOSED'), String(o)).toBe(true);
      expect(await counts()).toEqual(before);
    } finally {
      await db.destroy();
    }
  });
});
