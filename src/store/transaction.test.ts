// A genuinely full database (SQLite's max_page_count makes SQLite answer SQLITE_FULL exactly as on
// a full disk, rolling the transaction back itself): the cause is reported, with the file, not
// the "cannot rollback" that follows it, and nothing of the batch is kept.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiverError } from '../core/errors.js';
import { commitCapture, countByStatus, getCursor, openStore, type Store } from './index.js';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wxa-full-'));
  store = await openStore(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const rec = (seq: number) => ({
  seq: String(seq),
  msgid: `m${seq}`,
  publickey_ver: 1,
  json: JSON.stringify({ seq, pad: 'x'.repeat(3000) }),
});

describe('a full disk during a store transaction', () => {
  it('says the disk is full and where, and keeps what committed before', async () => {
    await commitCapture(store.db, 'c', [rec(1), rec(2)], '2', 1);
    const pages = await sql<{ page_count: number }>`PRAGMA page_count`.execute(store.db);
    await sql.raw(`PRAGMA max_page_count = ${pages.rows[0]!.page_count + 4}`).execute(store.db);

    const batch = Array.from({ length: 50 }, (_, i) => rec(3 + i));
    const err = await commitCapture(store.db, 'c', batch, '52', 2).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ArchiverError);
    expect((err as ArchiverError).code).toBe('WXA_DISK_FULL');
    expect((err as ArchiverError).message).toContain(
      `the disk holding ${join(dir, 'archive.db')} is full (SQLITE_FULL)`,
    );
    expect((err as ArchiverError).message).not.toContain('cannot rollback');

    // Nothing of the failed batch, everything before it; and the database still works.
    expect(await getCursor(store.db, 'c')).toBe('2');
    expect((await countByStatus(store.db, 'c')).pending).toBe(2);
    await sql.raw('PRAGMA max_page_count = 1073741823').execute(store.db);
    await commitCapture(store.db, 'c', batch, '52', 3);
    expect((await countByStatus(store.db, 'c')).pending).toBe(52);
  });
});
