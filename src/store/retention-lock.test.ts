// The preservation lock holds in the database itself, on both dialects: once a policy is locked,
// even a write that bypasses the store functions cannot shorten, disable or remove it (SQLite
// triggers; a PL/pgSQL trigger on PostgreSQL), while extending it stays possible.
import { beforeEach, expect, it } from 'vitest';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { getPolicy, insertPolicy, lockPolicy, updatePolicy } from './retention-policies.js';

describeDialects('retention preservation lock', (t) => {
  const store = storeEachTest(t, 'retention-lock');

  beforeEach(async () => {
    await insertPolicy(
      store().db,
      {
        id: 'p1',
        name: 'Seven years',
        period_value: 7,
        period_unit: 'years',
        action: 'delete',
        scope_json: '{}',
        reviewer: null,
        enabled: 1,
        locked: 0,
        locked_at: null,
        locked_by: null,
        created_by: 'mia',
        created_at: 1,
        updated_at: 1,
      },
      'mia',
      1,
    );
    await lockPolicy(store().db, 'p1', 'mia', 2);
  });

  it('refuses a shorter period, a disable and a removal written past the store', async () => {
    const db = store().db;
    const upd = (set: { period_value?: number; enabled?: number }) =>
      db.updateTable('retention_policies').set(set).where('id', '=', 'p1').execute();
    await expect(upd({ period_value: 6 })).rejects.toThrow(/WXA_RETENTION_LOCKED/);
    await expect(upd({ enabled: 0 })).rejects.toThrow(/WXA_RETENTION_LOCKED/);
    await expect(db.deleteFrom('retention_policies').where('id', '=', 'p1').execute()).rejects.toThrow(
      /WXA_RETENTION_LOCKED/,
    );
    expect(await getPolicy(db, 'p1')).toMatchObject({ period_value: 7, enabled: 1, locked: 1 });
  });

  it('lets a locked policy be extended, through the store', async () => {
    const row = await updatePolicy(store().db, 'p1', { period_value: 10 }, 'mia', 3);
    expect(row).toMatchObject({ period_value: 10, locked: 1, locked_at: 2 });
    await expect(updatePolicy(store().db, 'p1', { period_value: 9 }, 'mia', 4)).rejects.toMatchObject({
      code: 'WXA_RETENTION_LOCKED',
    });
  });
});
