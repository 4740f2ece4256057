// The rows of an export's batch: each item with its mailboxes (each once, sorted, whatever the
// folders an entry is filed in) and its review tags, the same on both dialects.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { itemRow } from '../../test/helpers/item-rows.js';
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
});
