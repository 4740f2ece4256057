// The index writes the pipeline calls inside its own transaction, on both dialects: given the
// transaction (`writeSearchRows(tx, ...)`, `markSearchRecalled(tx, ...)`, `removeSearchRows(tx,
// ...)`) they commit with it and vanish with its rollback, so an item and its index row are
// never one without the other.
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { searchArchive, searchRowOf, type SearchDocument } from '../src/compliance/search/index.js';
import type { Db } from '../src/store/db.js';
import {
  ArchiveBlobs,
  markSearchRecalled,
  removeSearchRows,
  searchFingerprints,
  transact,
  writeSearchRows,
  type Store,
} from '../src/store/index.js';
import { describeDialects } from './helpers/dialects.js';

function doc(i: number, text: string): SearchDocument {
  return {
    itemKey: `wecom:corp:tx${i}`,
    msgid: `tx${i}`,
    connectorId: 'c1',
    time: Date.UTC(2025, 0, 1) + i,
    msgtype: 'text',
    from: { id: 'zhangsan', name: '张三' },
    to: [],
    conversation: { id: 'single:zhangsan', kind: 'single' },
    mailboxes: ['zhang.san@example.com'],
    recalled: false,
    hasAttachments: false,
    external: false,
    texts: [text],
    fileNames: [],
    attachmentTexts: [],
    unreadableAttachments: 0,
  };
}

describeDialects('index writes in the caller’s transaction', (t) => {
  let db: Db;
  let store: Store;
  beforeAll(async () => {
    db = await t.openDb();
    store = { db, blobs: new ArchiveBlobs(tmpdir()), close: () => db.destroy() };
  });
  afterAll(async () => {
    await store?.close();
  });
  const keys = async () => (await searchFingerprints(db)).map((r) => r.itemKey);

  it('commit with the transaction and roll back with it', async () => {
    await transact(db, async (tx) => {
      await writeSearchRows(tx, [searchRowOf(doc(1, '保本理财')), searchRowOf(doc(2, '基金'))], 1);
    });
    expect(await keys()).toEqual(['wecom:corp:tx1', 'wecom:corp:tx2']);
    await expect(
      transact(db, async (tx) => {
        await writeSearchRows(tx, [searchRowOf(doc(3, '保本'))], 2);
        expect(await removeSearchRows(tx, ['wecom:corp:tx1'])).toBe(1);
        throw new Error('the item failed');
      }),
    ).rejects.toThrow('the item failed');
    expect(await keys()).toEqual(['wecom:corp:tx1', 'wecom:corp:tx2']);
    expect((await searchArchive(store, { query: '保本' })).items.map((h) => h.itemKey)).toEqual(['wecom:corp:tx1']);
  });

  it('mark a recall and remove items in it', async () => {
    await transact(db, async (tx) => {
      await markSearchRecalled(tx, 'c1', 'tx2');
      expect(await removeSearchRows(tx, ['wecom:corp:tx1', 'wecom:corp:none'])).toBe(1);
    });
    expect(await keys()).toEqual(['wecom:corp:tx2']);
    expect((await searchArchive(store, { query: 'is:recalled' })).items.map((h) => h.itemKey)).toEqual([
      'wecom:corp:tx2',
    ]);
  });
});
