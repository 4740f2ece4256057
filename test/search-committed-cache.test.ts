// The search index caches the aliases and facet value ids it has written, so that a batch does
// not look every person and mailbox up again. A value written in a transaction that rolls back
// must not be believed afterwards: the alias would never be written again (a person no longer
// found by name) and a facet id would be given to another value (items found under the wrong
// mailbox). These tests roll back, then write again, and ask the index.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { embeddedSearchIndex, parseQuery, searchRowOf, type SearchDocument } from '../src/compliance/search/index.js';
import { committedCache, trackedTransactionSync } from '../src/store/committed-cache.js';
import { openDatabase, type Db } from '../src/store/db.js';
import { writeSearchRows } from '../src/store/search-index.js';
import { transact } from '../src/store/transaction.js';

let db: Db;
beforeEach(async () => {
  db = await openDatabase({ file: ':memory:' });
});
afterEach(async () => {
  await db.destroy();
});

function doc(i: number, person: { id: string; name: string }, mailbox: string): SearchDocument {
  return {
    itemKey: `wecom:corp:${i}`,
    msgid: `m${i}`,
    connectorId: 'c1',
    time: Date.UTC(2025, 0, 1) + i,
    msgtype: 'text',
    from: person,
    to: [],
    conversation: { id: `single:${person.id}`, kind: 'single' },
    mailboxes: [mailbox],
    recalled: false,
    hasAttachments: false,
    external: false,
    texts: [`message ${i}`],
    fileNames: [],
    attachmentTexts: [],
    unreadableAttachments: 0,
  };
}

async function keys(q: string): Promise<string[]> {
  const r = await embeddedSearchIndex(db).query(parseQuery(q), { limit: 50, sort: 'newest' });
  return r.rows.map((row) => row.item_key).sort();
}

describe('search index caches after a rollback', () => {
  it('writes again the aliases and facet values a rolled-back transaction wrote, and gives no id twice', async () => {
    const alice = { id: 'alice', name: '王小明' };
    const bob = { id: 'bob', name: '李四' };
    await expect(
      transact(db, async () => {
        writeSearchRows(db, [searchRowOf(doc(1, alice, 'alice@example.com'))], Date.now());
        throw new Error('the batch failed');
      }),
    ).rejects.toThrow('the batch failed');
    // A new value takes the next free id: the one alice's mailbox had before the rollback.
    await embeddedSearchIndex(db).index([doc(2, bob, 'bob@example.com')]);
    await embeddedSearchIndex(db).index([doc(1, alice, 'alice@example.com')]);
    expect(await keys('mailbox:alice@example.com')).toEqual(['wecom:corp:1']);
    expect(await keys('mailbox:bob@example.com')).toEqual(['wecom:corp:2']);
    expect(await keys('from:王小明')).toEqual(['wecom:corp:1']);
    expect(await keys('from:李四')).toEqual(['wecom:corp:2']);
  });

  it('keeps what committed transactions wrote, across batches', async () => {
    const alice = { id: 'alice', name: '王小明' };
    await embeddedSearchIndex(db).index([doc(1, alice, 'alice@example.com')]);
    await embeddedSearchIndex(db).index([doc(2, alice, 'alice@example.com')]);
    expect(await keys('from:王小明 mailbox:alice@example.com')).toEqual(['wecom:corp:1', 'wecom:corp:2']);
  });
});

describe('committedCache', () => {
  it('stages only inside a tracked transaction, and keeps a value only when the outermost one commits', () => {
    const handle = {};
    const cache = committedCache<number>(handle);
    cache.stage('outside', 1);
    expect(cache.get('outside')).toBeUndefined();
    trackedTransactionSync(handle, () => cache.stage('a', 1));
    expect(cache.get('a')).toBe(1);
    expect(() =>
      trackedTransactionSync(handle, () => {
        cache.stage('b', 2);
        expect(cache.get('b')).toBe(2);
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(cache.get('b')).toBeUndefined();
    // An inner transaction (a savepoint) that rolled back: the outer one's values are not trusted.
    trackedTransactionSync(handle, () => {
      cache.stage('c', 3);
      try {
        trackedTransactionSync(handle, () => {
          throw new Error('inner');
        });
      } catch {
        // the outer transaction goes on
      }
    });
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
  });
});
