// A case's own tags under concurrent administrators, on both dialects: a name is checked and
// taken with the case's row locked, so an add that arrives while another add of the same name
// (in any letter case) is under way waits for it and is then refused, never a second tag.
import { expect, it } from 'vitest';
import { isArchiverError } from '../../core/errors.js';
import { insertCaseTag, whileCaseActive } from '../../store/index.js';
import { describeDialects } from '../../../test/helpers/dialects.js';
import { createCase } from './cases.js';
import { addCaseTag, changeCaseTag, listCaseTags } from './tags.js';

const eve = { username: 'eve' };

describeDialects('case tags under concurrent changes', (t) => {
  it('an add of a name being taken waits, then is refused; a rename too; one tag each', async () => {
    const db = await t.openDb();
    try {
      const c = await createCase(db, { name: 'Matter' }, eve, 1);
      let adding = false;
      const first = whileCaseActive(db, c.id, async (tx) => {
        const id = await insertCaseTag(tx, c.id, 'Hot', 'eve', 2);
        adding = true;
        // Another administrator's add, started while this one holds the lock.
        const second = addCaseTag(db, c.id, 'hot', eve, 3).catch((e: unknown) => e);
        await new Promise((r) => setTimeout(r, 400));
        return { id, second };
      });
      const held = await first;
      if (held === 'closed') throw new Error('the case is open');
      const { id, second } = held.value;
      expect(adding).toBe(true);
      const err = await second;
      expect(isArchiverError(err, 'WXA_REVIEW_TAG_EXISTS')).toBe(true);
      const warm = await addCaseTag(db, c.id, 'Warm', eve, 4);
      const renamed = await changeCaseTag(db, c.id, warm.id!, { name: 'HOT' }, eve, 5).catch((e: unknown) => e);
      expect(isArchiverError(renamed, 'WXA_REVIEW_TAG_EXISTS')).toBe(true);
      const own = (await listCaseTags(db, c.id)).filter((x) => !x.builtIn);
      expect(own.map((x) => [x.id, x.name])).toEqual([
        [id, 'Hot'],
        [warm.id, 'Warm'],
      ]);
    } finally {
      await db.destroy();
    }
  });
});
