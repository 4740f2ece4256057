// Keyset pages of mailboxes and entries: ties on msg_time split across pages without a gap or a
// repeat, prefixes, and query plans that read mailbox_entries through its index only.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { itemRow } from '../../test/helpers/item-rows.js';
import type { Store } from './index.js';
import {
  findMailboxItem,
  findPeople,
  findRoomNames,
  getMailboxStats,
  listMailboxEntries,
  listMailboxPage,
  type EntryPosition,
} from './mailbox-pages.js';
import { ARCHIVE_FOLDER } from './process.js';
import type { Database } from './schema.js';

describeDialects('mailbox pages', (t) => {
  let dir: string;
  let store: Store;
  const BOXES = ['ann@x.cn', 'anna@x.cn', 'bob@x.cn', 'bo@y.cn', 'carl@x.cn'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wxa-mailbox-pages-'));
    store = await t.openStore(dir);
    const db = store.db;
    await db
      .insertInto('mailboxes')
      .values(BOXES.map((address) => ({ address, display_name: address.split('@')[0]!, created_at: 0 })))
      .execute();
    const items = [];
    const entries = [];
    for (let i = 0; i < 40; i++) {
      const key = `wecom:c:m${i}`;
      // Groups of four share a time, so page edges fall inside ties.
      const time = 1_000 + Math.floor(i / 4);
      items.push(itemRow(i, { msg_time: time, recalled_by: i === 3 ? 'm9' : null }));
      for (const mailbox of i % 2 ? ['ann@x.cn', 'bob@x.cn'] : ['ann@x.cn']) {
        entries.push({
          mailbox,
          folder: ARCHIVE_FOLDER,
          item_key: key,
          mime_sha256: mailbox === 'bob@x.cn' ? `sha-bob-${i}` : `sha-${i}`,
          msg_time: time,
          delivered_at: 0,
          run_id: null,
        });
      }
    }
    await db.insertInto('items').values(items).execute();
    await db.insertInto('mailbox_entries').values(entries).execute();
    await db
      .insertInto('people')
      .values([
        {
          connector_id: 'c',
          id: 'a',
          kind: 'internal',
          name: 'A',
          mobile: null,
          email: null,
          corp_name: null,
          updated_at: 0,
        },
        {
          connector_id: 'd',
          id: 'a',
          kind: 'internal',
          name: 'Other',
          mobile: null,
          email: null,
          corp_name: null,
          updated_at: 0,
        },
      ])
      .execute();
    await db
      .insertInto('rooms')
      .values({ connector_id: 'c', id: 'r1', name: 'Room', kind: 'internal', members_json: '[]', updated_at: 0 })
      .execute();
  });

  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('listMailboxPage', () => {
    it('pages by address with counts and newest', async () => {
      const first = await listMailboxPage(store.db, { limit: 2 });
      expect(first.mailboxes.map((m) => m.address)).toEqual(['ann@x.cn', 'anna@x.cn']);
      expect(first.mailboxes[0]).toEqual({ address: 'ann@x.cn', displayName: 'ann', items: 40, newest: 1_009 });
      expect(first.mailboxes[1]).toMatchObject({ items: 0, newest: null });
      expect(first.next).toBe('anna@x.cn');
      const second = await listMailboxPage(store.db, { limit: 2, after: first.next! });
      expect(second.mailboxes.map((m) => m.address)).toEqual(['bo@y.cn', 'bob@x.cn']);
      const last = await listMailboxPage(store.db, { limit: 2, after: second.next! });
      expect(last).toEqual({ mailboxes: [expect.objectContaining({ address: 'carl@x.cn' })], next: null });
    });

    it('filters by prefix, case-insensitively', async () => {
      const page = await listMailboxPage(store.db, { prefix: 'AN', limit: 10 });
      expect(page.mailboxes.map((m) => m.address)).toEqual(['ann@x.cn', 'anna@x.cn']);
      expect((await listMailboxPage(store.db, { prefix: 'bo', limit: 10 })).mailboxes).toHaveLength(2);
      expect((await listMailboxPage(store.db, { prefix: 'zz', limit: 10 })).mailboxes).toEqual([]);
    });

    it('gives one mailbox, or undefined', async () => {
      expect(await getMailboxStats(store.db, 'BOB@x.cn')).toMatchObject({ address: 'bob@x.cn', items: 20 });
      expect(await getMailboxStats(store.db, 'nobody@x.cn')).toBeUndefined();
    });
  });

  describe('listMailboxEntries', () => {
    it.each([1, 3, 4, 5, 7, 40, 200])('pages of %i cover every entry once, newest first', async (limit) => {
      const keys: string[] = [];
      let before: EntryPosition | undefined;
      let pages = 0;
      for (;;) {
        const page = await listMailboxEntries(store.db, 'ann@x.cn', { limit, ...(before ? { before } : {}) });
        keys.push(...page.rows.map((r) => r.itemKey));
        pages++;
        if (!page.next) break;
        before = page.next;
      }
      expect(new Set(keys).size).toBe(40);
      expect(keys).toHaveLength(40);
      expect(pages).toBe(Math.max(1, Math.ceil(40 / limit)));
      // newest time first; within a time, the later entry first
      expect(keys.slice(0, 4)).toEqual(['wecom:c:m39', 'wecom:c:m38', 'wecom:c:m37', 'wecom:c:m36']);
    });

    it('gives each row its item fields and the size of the message the mailbox holds', async () => {
      const { rows } = await listMailboxEntries(store.db, 'ann@x.cn', { limit: 40 });
      const m3 = rows.find((r) => r.itemKey === 'wecom:c:m3')!;
      expect(m3).toMatchObject({ connectorId: 'c', msgtype: 'text', msgTime: 1_000, size: 103, recalled: true });
      expect(rows.filter((r) => r.recalled)).toHaveLength(1);
    });

    it('finds an item only through a mailbox that holds it, with that mailbox message', async () => {
      expect(await findMailboxItem(store.db, 'bob@x.cn', 'wecom:c:m1')).toMatchObject({
        mailbox: 'bob@x.cn',
        mimeSha256: 'sha-bob-1',
        msgTime: 1_000,
      });
      expect(await findMailboxItem(store.db, 'bob@x.cn', 'wecom:c:m2')).toBeUndefined();
      expect(await findMailboxItem(store.db, 'ann@x.cn', 'wecom:c:m2')).toMatchObject({ mimeSha256: 'sha-2' });
    });

    // Query plans are SQLite's; PostgreSQL chooses its own (not asserted here).
    it.runIf(t.kind === 'sqlite')(
      'reads mailbox_entries through its indexes, never by scanning it or sorting it',
      async () => {
        // The same file through a second connection that records each statement it runs.
        const sqlite = new SQLite(join(dir, 'archive.db'));
        const seen: { sql: string; parameters: readonly unknown[] }[] = [];
        const db = new Kysely<Database>({
          dialect: new SqliteDialect({ database: sqlite }),
          log: (e) => {
            if (e.level === 'query') seen.push({ sql: e.query.sql, parameters: e.query.parameters });
          },
        });
        try {
          await listMailboxPage(db, { prefix: 'a', after: 'a', limit: 10 });
          await listMailboxEntries(db, 'ann@x.cn', { limit: 5, before: { msgTime: 1_005, id: 30 } });
          await findMailboxItem(db, 'ann@x.cn', 'wecom:c:m1');
          expect(seen).toHaveLength(3);
          const plans = seen.map((q) =>
            (sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.parameters) as { detail: string }[])
              .map((r) => r.detail)
              .join('\n'),
          );
          for (const plan of plans) {
            expect(plan).not.toMatch(/SCAN (e|mailbox_entries)\b/);
            expect(plan).not.toMatch(/TEMP B-TREE/);
          }
          expect(plans[0]).toMatch(/SEARCH m USING INDEX sqlite_autoindex_mailboxes_1 \(address>\? AND address<\?\)/);
          expect(plans[0]).toMatch(/SEARCH e USING COVERING INDEX mailbox_entries_browse \(mailbox=\? AND folder=\?\)/);
          expect(plans[1]).toMatch(
            /SEARCH e USING INDEX mailbox_entries_browse \(mailbox=\? AND folder=\? AND msg_time<\?\)/,
          );
          expect(plans[2]).toMatch(/SEARCH e USING INDEX (mailbox_entries_once|sqlite_autoindex_mailbox_entries_1)/);
        } finally {
          await db.destroy();
        }
      },
    );

    it('loads only the directory entries asked for, per connector', async () => {
      expect(await findPeople(store.db, 'c', ['a', 'zz'])).toEqual([{ id: 'a', kind: 'internal', name: 'A' }]);
      expect(await findPeople(store.db, 'c', [])).toEqual([]);
      expect(await findRoomNames(store.db, 'c', ['r1', 'r2'])).toEqual(new Map([['r1', 'Room']]));
    });
  });
});
