// The ingest log's portable path (`appendIngest`, Kysely) on both databases: rows stored with
// 32-byte digests and hashes, each hash recomputable by `ingestHash` from the row before; a
// rolled-back transaction leaves the chain as it was; and writers appending at once still make
// one chain without gaps or forks. On PostgreSQL they are two handles with their own pools, as
// two processes have, and really run at the same time (the advisory lock orders them); SQLite
// has one writing process (the data directory's writer lock), whose transactions interleave on
// its one connection.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { describeDialects } from '../../test/helpers/dialects.js';
import { openDatabase, type Db } from './db.js';
import { CHAIN_GENESIS } from './hash-chain.js';
import { appendIngest, hexOf, ingestHash, ingestHead, type IngestEventInput } from './ingest-log.js';
import { transact } from './transaction.js';

function events(n: number, writer: string): IngestEventInput[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: (['raw', 'item', 'entry'] as const)[i % 3]!,
    connectorId: writer,
    ref: `${writer}-${i}\n客户`,
    digest: (i * 7919).toString(16).padStart(64, 'a'),
    ...(i % 2 ? { detail: { msgid: `m${i}`, seqKey: String(i) } } : {}),
  }));
}

/** Every row, checked link by link; returns how many events each connector (writer) added. */
async function checkChain(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom('ingest_log').selectAll().orderBy('id').execute();
  let prev = CHAIN_GENESIS;
  const per = new Map<string, number>();
  for (const [i, r] of rows.entries()) {
    expect(r.id).toBe(i + 1);
    expect(r.hash).toHaveLength(32);
    expect([0, 32]).toContain(r.digest.length);
    expect(hexOf(r.hash)).toBe(ingestHash(prev, { ...r, digest: hexOf(r.digest) }));
    prev = hexOf(r.hash);
    per.set(r.connector_id, (per.get(r.connector_id) ?? 0) + 1);
  }
  expect(await ingestHead(db)).toEqual({ lastId: rows.length, hash: prev, events: rows.length });
  return per;
}

describeDialects('ingest log, portable path', (t) => {
  const open: Db[] = [];
  let dir: string | undefined;
  afterEach(async () => {
    for (const db of open.splice(0)) await db.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** Two handles on one new database, each with its own connections, as two processes have. */
  async function twoWriters(): Promise<[Db, Db]> {
    let target: Parameters<typeof openDatabase>[0];
    if (t.kind === 'postgres') target = { url: await t.newDatabaseUrl() };
    else {
      dir = await mkdtemp(join(tmpdir(), 'wxa-ingest-dialects-'));
      target = { file: join(dir, 'archive.db') };
    }
    const a = await openDatabase(target);
    const b = await openDatabase(target);
    open.push(a, b);
    return [a, b];
  }

  it('stores a chain that recomputes, and a rollback leaves it as it was', async () => {
    const [db] = await twoWriters();
    await transact(db, (tx) => appendIngest(tx, events(3, 'a'), 1));
    await transact(db, (tx) => appendIngest(tx, events(600, 'b'), 2));
    const before = await ingestHead(db);
    await expect(
      transact(db, async (tx) => {
        await appendIngest(tx, events(5, 'c'), 3);
        throw new Error('the batch failed after its events were appended');
      }),
    ).rejects.toThrow('the batch failed');
    expect(await ingestHead(db)).toEqual(before);
    expect(Object.fromEntries(await checkChain(db))).toEqual({ a: 3, b: 600 });
  });

  it('refuses a digest that is not lower-case hex before anything is written', async () => {
    const [db] = await twoWriters();
    const bad = { kind: 'raw' as const, connectorId: 'a', ref: 'r', digest: 'ABCD' };
    await expect(transact(db, (tx) => appendIngest(tx, [bad], 1))).rejects.toThrow('not lower-case hex');
    expect(await ingestHead(db)).toEqual({ lastId: 0, hash: CHAIN_GENESIS, events: 0 });
  });

  it('keeps one chain when writers append at once', async () => {
    const [a, other] = await twoWriters();
    // Two better-sqlite3 connections in one thread would wait on each other's lock forever.
    const b = t.kind === 'postgres' ? other : a;
    const writer = async (db: Db, name: string) => {
      for (let n = 0; n < 15; n++) await transact(db, (tx) => appendIngest(tx, events(1 + (n % 4) * 20, name), n));
    };
    await Promise.all([writer(a, 'w1'), writer(b, 'w2'), writer(a, 'w3'), writer(b, 'w4')]);
    const per = await checkChain(a);
    const each = Array.from({ length: 15 }, (_, n) => 1 + (n % 4) * 20).reduce((s, x) => s + x, 0);
    expect(Object.fromEntries(per)).toEqual({ w1: each, w2: each, w3: each, w4: each });
  });
});
