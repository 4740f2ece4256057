// The rows of an export's batch: each item with its mailboxes (each once, sorted, whatever the
// folders an entry is filed in) and its review tags, the same on both dialects.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { itemRow } from '../../test/helpers/item-rows.js';
import { sql } from 'kysely';
import { exportItemRows } from './export-queries.js';
import type { Store } from './index.js';

describeDialects('export item rows', (t) => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wxa-export-rows-'));
    store = await t.openStore(dir);
    await store.db
      .insertInto('items')
      .values([0, 1, 2].map((i) => itemRow(i, { conversation_id: `conv-${i}`, recalled_by: i === 1 ? 'm9' : null })))
      .execute();
    const entry = (i: number, mailbox: string, folder: string) => ({
      mailbox,
      folder,
      item_key: `wecom:c:m${i}`,
      mime_sha256: `sha-${i}`,
      msg_time: 1_000 + i,
      delivered_at: 0,
      run_id: null,
    });
    await store.db
      .insertInto('mailbox_entries')
      .values([
        // item 0: two mailboxes, one of them filed in two folders
        entry(0, 'zoe@x.cn', 'WeChat Archiver'),
        entry(0, 'ann@x.cn', 'WeChat Archiver'),
        entry(0, 'zoe@x.cn', 'Recalled'),
        entry(1, '李@x.cn', 'WeChat Archiver'),
        // item 2: in no mailbox
      ])
      .execute();
  });

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each item its mailboxes once each, sorted, and an item in none an empty list', async () => {
    const rows = await exportItemRows(store.db, ['wecom:c:m2', 'wecom:c:m0', 'wecom:c:m1', 'wecom:c:missing']);
    expect([...rows.keys()].sort()).toEqual(['wecom:c:m0', 'wecom:c:m1', 'wecom:c:m2']);
    expect(rows.get('wecom:c:m0')).toEqual({
      key: 'wecom:c:m0',
      msgid: 'm0',
      msgtype: 'text',
      conversationId: 'conv-0',
      msgTime: 1_000,
      mimeSha256: 'sha-0',
      mimeSize: 100,
      recalledBy: null,
      mailboxes: ['ann@x.cn', 'zoe@x.cn'],
      tags: [],
    });
    expect(rows.get('wecom:c:m1')?.mailboxes).toEqual(['李@x.cn']);
    expect(rows.get('wecom:c:m1')?.recalledBy).toBe('m9');
    expect(rows.get('wecom:c:m2')?.mailboxes).toEqual([]);
  });

  it('reads the rows by the rowids the selection gave, and by key where a rowid names another item or none', async () => {
    const keys = ['wecom:c:m0', 'wecom:c:m1', 'wecom:c:m2'];
    const byKey = await exportItemRows(store.db, keys);
    // SQLite's rowids; PostgreSQL has none, and a batch's rowids are not read there
    const rowid = new Map(
      t.kind === 'sqlite'
        ? (await sql<{ rowid: number; key: string }>`SELECT rowid, key FROM items`.execute(store.db)).rows.map(
            (r) => [r.key, Number(r.rowid)] as const,
          )
        : keys.map((k, i) => [k, i + 1] as const),
    );
    const r = (k: string) => rowid.get(k)!;
    // right
    expect(await exportItemRows(store.db, keys, undefined, keys.map(r))).toEqual(byKey);
    // numbered anew (as after VACUUM): m0's rowid names m1 and m1's names m2 (both asked for),
    // m2's names nothing
    expect(await exportItemRows(store.db, keys, undefined, [r(keys[1]!), r(keys[2]!), 999_999])).toEqual(byKey);
    // a rowid that names an item not asked for gives no row of it; 0 is no rowid at all
    const two = await exportItemRows(store.db, keys.slice(0, 2), undefined, [r(keys[2]!), 0]);
    expect([...two.keys()].sort()).toEqual(keys.slice(0, 2));
    expect(two.get('wecom:c:m0')).toEqual(byKey.get('wecom:c:m0'));
  });
});
