// The item transaction on both dialects: one batch writes its items, entries, blobs, media,
// holds, deliveries, counters, record statuses and one ingest event per new row; a replay of the
// same batch creates nothing twice; re-processing keeps only the holds that still apply.
import { expect, it } from 'vitest';
import { describeDialects, storeEachTest } from '../../test/helpers/dialects.js';
import { archived, captureRecords, CONNECTOR, inlineBlob } from '../../test/helpers/processed-batch.js';
import { commitProcessed, countByStatus, type ProcessedRecord } from './index.js';
import type { Db } from './db.js';

async function events(db: Db): Promise<{ kind: string; ref: string }[]> {
  return db.selectFrom('ingest_log').select(['kind', 'ref']).where('kind', '!=', 'raw').orderBy('id').execute();
}

describeDialects('the item transaction', (t) => {
  const store = storeEachTest(t, 'process');

  it('writes a batch in one transaction, and a replay of it creates nothing twice', async () => {
    const db = store().db;
    const [r1, r2, r3] = await captureRecords(db, 3);
    const shared = inlineBlob('same message body');
    const batch: ProcessedRecord[] = [
      {
        ...archived(r1!, 1, shared, ['a@x.cn', 'b@x.cn']),
        media: [
          { sdkfileid: 'f1', status: 'failed', errorCode: 'WXA_MEDIA_FAILED' },
          { sdkfileid: 'f1', status: 'ok', sha256: 'ab'.repeat(32), size: 5, md5Expected: 'm' },
        ],
      },
      archived(r2!, 2, shared, ['a@x.cn']),
      {
        rawId: r3!,
        status: 'held',
        holdReason: 'unmapped',
        blobs: [],
        media: [],
        entries: [],
        holds: [{ reason: 'unmapped', participants: ['zoe', 'yan'], detail: 'no mailbox for zoe, yan' }],
      },
    ];
    const ctx = { now: 2000, runId: null, destinations: ['imap1'] };
    expect(await commitProcessed(db, CONNECTOR, batch, ctx)).toEqual({ entriesCreated: 3 });

    const items = await db.selectFrom('items').select(['key', 'raw_id', 'mime_sha256']).orderBy('key').execute();
    expect(items).toEqual([
      { key: 'k1', raw_id: r1, mime_sha256: shared.sha256 },
      { key: 'k2', raw_id: r2, mime_sha256: shared.sha256 },
    ]);
    const blobs = await db.selectFrom('blobs').select(['sha256', 'data']).execute();
    expect(blobs).toHaveLength(1);
    expect(Buffer.from(blobs[0]!.data!).toString()).toBe('same message body');
    // the last write of a file in a batch wins, as row-by-row statements leave it
    expect(await db.selectFrom('media').select(['sdkfileid', 'status', 'md5_ok', 'error_code']).execute()).toEqual([
      { sdkfileid: 'f1', status: 'ok', md5_ok: 1, error_code: null },
    ]);
    const entries = await db.selectFrom('mailbox_entries').select(['mailbox', 'item_key']).orderBy('id').execute();
    expect(entries).toEqual([
      { mailbox: 'a@x.cn', item_key: 'k1' },
      { mailbox: 'b@x.cn', item_key: 'k1' },
      { mailbox: 'a@x.cn', item_key: 'k2' },
    ]);
    expect(await db.selectFrom('mailboxes').select('address').orderBy('address').execute()).toHaveLength(2);
    const deliveries = await db
      .selectFrom('deliveries')
      .select(['destination_id', 'item_key', 'mailbox', 'status'])
      .execute();
    expect(deliveries).toHaveLength(3);
    expect(deliveries.every((d) => d.destination_id === 'imap1' && d.status === 'pending')).toBe(true);
    const holds = await db.selectFrom('holds').select(['reason', 'raw_id', 'participants', 'released_at']).execute();
    expect(holds).toEqual([{ reason: 'unmapped', raw_id: r3, participants: '["zoe","yan"]', released_at: null }]);
    expect(await countByStatus(db, CONNECTOR)).toMatchObject({ done: 2, held: 1, pending: 0 });
    const raw = await db.selectFrom('raw_records').select(['id', 'attempts', 'hold_reason']).orderBy('id').execute();
    expect(raw).toEqual([
      { id: r1, attempts: 1, hold_reason: null },
      { id: r2, attempts: 1, hold_reason: null },
      { id: r3, attempts: 1, hold_reason: 'unmapped' },
    ]);
    expect(await db.selectFrom('connector_counters').selectAll().execute()).toEqual([
      { connector_id: CONNECTOR, items: 2, entries: 3 },
    ]);
    const logged = await events(db);
    expect(logged.map((e) => e.kind)).toEqual(['item', 'item', 'entry', 'entry', 'entry']);
    expect(logged.slice(0, 2).map((e) => e.ref)).toEqual(['k1', 'k2']);

    // The same batch again (a replay): statuses move, nothing is created or counted twice.
    expect(await commitProcessed(db, CONNECTOR, batch, { ...ctx, now: 3000 })).toEqual({ entriesCreated: 0 });
    expect(await events(db)).toEqual(logged);
    expect(await db.selectFrom('deliveries').select('id').execute()).toHaveLength(3);
    expect(await db.selectFrom('connector_counters').select(['items', 'entries']).execute()).toEqual([
      { items: 2, entries: 3 },
    ]);
    expect((await db.selectFrom('raw_records').select('attempts').execute()).map((r) => r.attempts)).toEqual([2, 2, 2]);
    // the record's earlier hold was released and the one that still applies placed anew
    const after = await db.selectFrom('holds').select(['released_at']).orderBy('id').execute();
    expect(after).toEqual([{ released_at: 3000 }, { released_at: null }]);
  });

  it('marks a recalled item, and leaves the whole batch out when one row fails', async () => {
    const db = store().db;
    const [r1, r2, r3] = await captureRecords(db, 3);
    await commitProcessed(db, CONNECTOR, [archived(r1!, 1, inlineBlob('one'), ['a@x.cn'])], { now: 2000, runId: null });
    const recall: ProcessedRecord = {
      ...archived(r2!, 2, inlineBlob('two'), ['a@x.cn']),
      recall: { preMsgid: 'm1', byMsgid: 'm2', at: 1234 },
    };
    await commitProcessed(db, CONNECTOR, [recall], { now: 2100, runId: null });
    expect(
      await db.selectFrom('items').select(['key', 'recalled_by', 'recalled_at']).where('key', '=', 'k1').execute(),
    ).toEqual([{ key: 'k1', recalled_by: 'm2', recalled_at: 1234 }]);

    const before = await events(db);
    // A hold without its detail violates NOT NULL after the item was written: nothing of the batch stays.
    const bad: ProcessedRecord = {
      ...archived(r3!, 3, inlineBlob('three'), ['c@x.cn']),
      holds: [{ reason: 'x', detail: null as unknown as string }],
    };
    await expect(commitProcessed(db, CONNECTOR, [bad], { now: 2200, runId: null })).rejects.toThrow();
    expect(await db.selectFrom('items').select('key').where('key', '=', 'k3').execute()).toEqual([]);
    expect(await events(db)).toEqual(before);
    expect((await countByStatus(db, CONNECTOR)).pending).toBe(1);
  });

  it('writes an item two records of one batch both produce once, by the first of them', async () => {
    const db = store().db;
    const [r1, r2] = await captureRecords(db, 2);
    const blob = inlineBlob('same');
    const twin = { ...archived(r2!, 1, blob, ['a@x.cn', 'a@x.cn', 'b@x.cn']) };
    const out = await commitProcessed(db, CONNECTOR, [archived(r1!, 1, blob, ['a@x.cn']), twin], {
      now: 2000,
      runId: null,
      destinations: ['d1'],
    });
    expect(out).toEqual({ entriesCreated: 2 });
    expect(await db.selectFrom('items').select(['key', 'raw_id']).execute()).toEqual([{ key: 'k1', raw_id: r1 }]);
    expect((await events(db)).map((e) => e.kind)).toEqual(['item', 'entry', 'entry']);
    expect(await db.selectFrom('deliveries').select('mailbox').orderBy('mailbox').execute()).toEqual([
      { mailbox: 'a@x.cn' },
      { mailbox: 'b@x.cn' },
    ]);
    expect(await db.selectFrom('connector_counters').select(['items', 'entries']).execute()).toEqual([
      { items: 1, entries: 2 },
    ]);
  });
});
