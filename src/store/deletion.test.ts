// The one deletion function on both dialects: a custodian hold refuses its mailbox's entries,
// unheld entries go with a tombstone each, an item whose last entry went goes with its raw record
// and counters, and blobs nothing references any more leave the database and the blob store,
// while a media blob another stored message still references stays.
import { expect, it } from 'vitest';
import { sql } from 'kysely';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { archived, captureRecords, CONNECTOR, inlineBlob, skeletonBlob } from '../../test/helpers/processed-batch.js';
import { insertCase } from './cases.js';
import { dialectOf } from './db.js';
import { insertLegalHold, LEGAL_HOLDS_LOCK } from './holds.js';
import { commitProcessed, deleteEntries, sha256Hex, type PreparedBlob } from './index.js';

describeDialects('deletion', (t) => {
  const store = storeEachTest(t, 'deletion');

  it('deletes unheld entries with tombstones, then unreferenced items and blobs; a hold refuses its own', async () => {
    const { db, blobs } = store();
    const [r1, r2, r3] = await captureRecords(db, 3);
    // A media file kept in the blob store (no inline bytes), referenced by two message skeletons.
    const mediaBytes = Buffer.alloc(300 * 1024, 7);
    const media = await blobs.objects.put(mediaBytes);
    const mediaRow: PreparedBlob = {
      sha256: media.sha256,
      size: media.size,
      kind: 'media',
      data: null,
      encoding: 'raw',
    };
    const m1 = skeletonBlob('message one', media.sha256);
    const m2 = skeletonBlob('message two', media.sha256);
    const plain = inlineBlob('message three');
    const first = archived(r1!, 1, m1, ['held@x.cn', 'free@x.cn']);
    first.blobs.push(mediaRow);
    await commitProcessed(
      db,
      CONNECTOR,
      [first, archived(r2!, 2, m2, ['free@x.cn']), archived(r3!, 3, plain, ['free@x.cn'])],
      { now: 2000, runId: null },
    );
    const caseId = await insertCase(db, { name: 'Matter', description: '', createdBy: 'admin' }, 2100);
    await insertLegalHold(db, { caseId, kind: 'custodian', custodian: 'held@x.cn', placedBy: 'admin' }, 2100);

    const cause = { kind: 'retention', actor: 'retention:p1', policyId: 'p1' } as const;
    const res = await deleteEntries(
      db,
      [
        { itemKey: 'k1', mailbox: 'held@x.cn' },
        { itemKey: 'k1', mailbox: 'FREE@x.cn' },
        { itemKey: 'k3', mailbox: 'free@x.cn' },
        { itemKey: 'k9', mailbox: 'free@x.cn' },
      ],
      cause,
      { now: 3000, blobs: blobs.objects },
    );
    expect(res.refused).toEqual([{ itemKey: 'k1', mailbox: 'held@x.cn' }]);
    expect(res.deleted.map((e) => e.itemKey)).toEqual(['k1', 'k3']);
    expect(res.missing).toEqual([{ itemKey: 'k9', mailbox: 'free@x.cn' }]);
    // k1 keeps its held entry, so only k3 went as an item, with its raw record and inline blob.
    expect(res.itemsDeleted).toEqual(['k3']);
    expect(res.blobsDeleted).toBe(0);
    const keys = (await db.selectFrom('items').select('key').orderBy('key').execute()).map((r) => r.key);
    expect(keys).toEqual(['k1', 'k2']);
    expect(await db.selectFrom('raw_records').select('id').where('id', '=', r3!).execute()).toEqual([]);
    expect(await db.selectFrom('blobs').select('sha256').where('sha256', '=', plain.sha256).execute()).toEqual([]);
    expect(await db.selectFrom('connector_counters').select(['items', 'entries']).execute()).toEqual([
      { items: 2, entries: 2 },
    ]);
    const tombs = await db
      .selectFrom('ingest_log')
      .select(['ref'])
      .where('kind', '=', 'tombstone')
      .orderBy('id')
      .execute();
    expect(tombs.length).toBeGreaterThanOrEqual(3);

    // k2 goes: its skeleton goes, the media stays while k1's skeleton still references it.
    const second = await deleteEntries(db, [{ itemKey: 'k2', mailbox: 'free@x.cn' }], cause, {
      now: 4000,
      blobs: blobs.objects,
    });
    expect(second.itemsDeleted).toEqual(['k2']);
    expect(second.blobsDeleted).toBe(0);
    expect(await blobs.objects.exists(media.sha256)).toBe(true);
    expect(await db.selectFrom('blobs').select('sha256').where('sha256', '=', media.sha256).execute()).toHaveLength(1);

    // Once released, k1's last entry goes, and with it the media: row and bytes.
    await db.updateTable('legal_holds').set({ released_at: 5000, released_by: 'admin' }).execute();
    const last = await deleteEntries(db, [{ itemKey: 'k1', mailbox: 'held@x.cn' }], cause, {
      now: 5000,
      blobs: blobs.objects,
    });
    expect(last.itemsDeleted).toEqual(['k1']);
    expect(last.blobsDeleted).toBe(1);
    expect(await blobs.objects.exists(media.sha256)).toBe(false);
    expect(await db.selectFrom('blobs').select('sha256').execute()).toEqual([]);
    expect(await db.selectFrom('connector_counters').select(['items', 'entries']).execute()).toEqual([
      { items: 0, entries: 0 },
    ]);
    expect(sha256Hex(mediaBytes)).toBe(media.sha256);
  });

  // SQLite's single writer orders them by itself; on PostgreSQL both take one advisory lock.
  if (t.kind === 'postgres')
    it('makes a legal hold placed during a deletion wait until the deletion has committed', async () => {
      const { db } = store();
      const caseId = await insertCase(db, { name: 'Matter', description: '', createdBy: 'admin' }, 1);
      const deletion = await db.startTransaction().execute();
      await dialectOf(deletion).lockInTransaction(deletion, LEGAL_HOLDS_LOCK);
      let placed = false;
      const hold = insertLegalHold(db, { caseId, kind: 'custodian', custodian: 'a@x.cn', placedBy: 'admin' }, 2).then(
        () => (placed = true),
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(placed).toBe(false);
      await deletion.commit().execute();
      await hold;
      expect(placed).toBe(true);
    });

  // On SQLite the pipeline indexes every item and deletion removes its row (test/legal-hold.test.ts).
  if (t.kind === 'postgres')
    it('indexes an archived item in its transaction and removes its search row with it on PostgreSQL', async () => {
      const { db, blobs } = store();
      const [r1] = await captureRecords(db, 1);
      await commitProcessed(db, CONNECTOR, [archived(r1!, 1, inlineBlob('one'), ['a@x.cn'])], {
        now: 2000,
        runId: null,
      });
      const indexed = () => db.selectFrom('search_items').select('item_key').execute();
      expect(await indexed()).toEqual([{ item_key: 'k1' }]);
      const cause = { kind: 'admin', actor: 'admin' } as const;
      // Without a blob store named, a PostgreSQL archive cannot guess where the bytes are: nothing goes.
      await expect(deleteEntries(db, [{ itemKey: 'k1', mailbox: 'a@x.cn' }], cause)).rejects.toMatchObject({
        code: 'WXA_CONFIG_INVALID',
      });
      expect(await indexed()).toEqual([{ item_key: 'k1' }]);
      await deleteEntries(db, [{ itemKey: 'k1', mailbox: 'a@x.cn' }], cause, { now: 3000, blobs: blobs.objects });
      expect(await db.selectFrom('mailbox_entries').select('item_key').execute()).toEqual([]);
      expect(await indexed()).toEqual([]);
      const fts = await sql<{ n: string }>`SELECT count(*) AS n FROM search_fts`.execute(db);
      expect(Number(fts.rows[0]!.n)).toBe(0);
    });
});
