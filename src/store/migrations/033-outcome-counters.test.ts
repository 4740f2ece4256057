// The outcome counters of migration 033: an archive made before them gets the counts of its rows,
// and from then on every insert, outcome change and deletion of a record or a delivery moves
// them, on SQLite and on PostgreSQL, so the kept counters always equal a recount of the rows.
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.js';
import { destinationCounters, recordCounters } from '../counters.js';
import { openDatabase, type Db } from '../db.js';
import type { DeliveryStatus, RawStatus } from '../schema.js';
import { migrationProvider } from './index.js';

let seq = 0;

async function addRecord(db: Db, connectorId: string, status: RawStatus, reason: string | null = null) {
  const n = ++seq;
  const row = await db
    .insertInto('raw_records')
    .values({
      connector_id: connectorId,
      seq_key: String(n).padStart(20, '0'),
      msgid: `m${n}`,
      publickey_ver: 1,
      record_json: '{}',
      record_sha256: 'x',
      captured_at: 1_000 + n,
      status,
      hold_reason: reason,
      attempts: 0,
      updated_at: 1,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

async function addDelivery(db: Db, connectorId: string, status: DeliveryStatus, errorCode: string | null = null) {
  const n = ++seq;
  const row = await db
    .insertInto('deliveries')
    .values({
      connector_id: connectorId,
      destination_id: 'imap-1',
      item_key: `k${n}`,
      mailbox: 'a@example.com',
      status,
      attempts: 0,
      next_attempt_at: 0,
      lease_owner: null,
      lease_until: null,
      error_code: errorCode,
      error_detail: null,
      remote_id: null,
      created_at: 1_000 + n,
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The kept counters and a recount of the rows agree, for each connector and for all. */
async function expectAgreement(db: Db): Promise<void> {
  for (const connectorId of ['a', 'b', 'c', 'd', undefined]) {
    const kept = await recordCounters(db, { connectorId });
    const recount = await recordCounters(db, { connectorId }, { recount: true });
    expect(kept, `records of ${connectorId ?? 'all'}`).toEqual(recount);
    expect(await destinationCounters(db, { connectorId }), `deliveries of ${connectorId ?? 'all'}`).toEqual(
      await destinationCounters(db, { connectorId }, { recount: true }),
    );
  }
}

/** Every kind of change the store makes: outcome changes, re-processing, leases, deletions. */
async function exercise(db: Db, a: string, b: string): Promise<void> {
  const held = await addRecord(db, a, 'held', 'unmapped');
  const pending = await addRecord(db, a, 'pending');
  const failed = await addRecord(db, b, 'failed');
  await addRecord(db, b, 'held', 'key-missing');
  await expectAgreement(db);
  expect((await recordCounters(db, { connectorId: a })).held).toEqual({ unmapped: 1 });

  // Processing, re-processing a held record (held -> pending -> done), the same outcome again.
  await db.updateTable('raw_records').set({ status: 'done' }).where('id', '=', pending).execute();
  await db.updateTable('raw_records').set({ status: 'pending', hold_reason: null }).where('id', '=', held).execute();
  await expectAgreement(db);
  await db.updateTable('raw_records').set({ status: 'duplicate' }).where('id', '=', held).execute();
  await db
    .updateTable('raw_records')
    .set((eb) => ({ status: 'failed', attempts: eb('attempts', '+', 1) }))
    .where('id', '=', failed)
    .execute();
  // A record moved between connectors (never done by the store) still counts where it is.
  await db.updateTable('raw_records').set({ connector_id: a }).where('id', '=', failed).execute();
  await expectAgreement(db);
  expect(await recordCounters(db, { connectorId: a })).toMatchObject({
    atSource: 3,
    archived: 2,
    duplicates: 1,
    failed: 1,
    heldTotal: 0,
  });

  // Deliveries: queued, leased (no outcome change), retried with an error, delivered, refused.
  const d1 = await addDelivery(db, a, 'pending');
  const d2 = await addDelivery(db, a, 'pending');
  await addDelivery(db, b, 'delivered');
  await db.updateTable('deliveries').set({ lease_owner: 'w1', lease_until: 9 }).where('id', '=', d1).execute();
  await db
    .updateTable('deliveries')
    .set({ error_code: 'WXA_DEST_TRANSIENT', attempts: 1 })
    .where('id', '=', d1)
    .execute();
  await db.updateTable('deliveries').set({ status: 'delivered', error_code: null }).where('id', '=', d1).execute();
  await db
    .updateTable('deliveries')
    .set({ status: 'held', error_code: 'WXA_DEST_PERMANENT' })
    .where('id', '=', d2)
    .execute();
  await expectAgreement(db);
  const [dest] = await destinationCounters(db, { connectorId: a });
  expect(dest).toMatchObject({ delivered: 1, held: 1, pending: 0, byError: { WXA_DEST_PERMANENT: 1 } });

  // Every deletion path ends in a row deletion: retention, an admin's delete, a purge.
  await db.deleteFrom('raw_records').where('id', '=', pending).execute();
  await db.deleteFrom('deliveries').where('id', '=', d2).execute();
  await db.deleteFrom('raw_records').where('connector_id', '=', b).execute();
  await expectAgreement(db);
  expect((await recordCounters(db, { connectorId: b })).atSource).toBe(0);
}

it('backfills the counts of the rows an archive already has, then keeps them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wxa-m033-'));
  try {
    const file = join(dir, 'archive.db');
    const names = Object.keys(await migrationProvider.getMigrations()).sort();
    const before = names[names.indexOf('033-outcome-counters') - 1]!;
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    expect((await new Migrator({ db: old, provider: migrationProvider }).migrateTo(before)).error).toBeUndefined();
    await old.destroy();
    // Rows written before the counters existed: the triggers are not there yet to count them.
    const sqlite = new SQLite(file);
    const raw = sqlite.prepare(
      `INSERT INTO raw_records (connector_id, seq_key, msgid, publickey_ver, record_json, record_sha256, captured_at,
       status, hold_reason, attempts, updated_at) VALUES (?, ?, ?, 1, '{}', 'x', 1, ?, ?, 1, 1)`,
    );
    const statuses: [string, RawStatus, string | null][] = [
      ['a', 'done', null],
      ['a', 'done', null],
      ['a', 'held', 'unmapped'],
      ['a', 'held', 'unmapped'],
      ['a', 'held', 'expired-media'],
      ['b', 'failed', null],
      ['b', 'duplicate', null],
      ['b', 'pending', null],
    ];
    statuses.forEach(([c, s, r], n) => raw.run(c, String(1e6 + n).padStart(20, '0'), `old${n}`, s, r));
    const delivery = sqlite.prepare(
      `INSERT INTO deliveries (connector_id, destination_id, item_key, mailbox, status, attempts, next_attempt_at,
       error_code, created_at) VALUES (?, 'imap-1', ?, 'a@example.com', ?, 0, 0, ?, 1)`,
    );
    delivery.run('a', 'old-k1', 'delivered', null);
    delivery.run('a', 'old-k2', 'held', 'WXA_DEST_PERMANENT');
    delivery.run('b', 'old-k3', 'pending', 'WXA_DEST_TRANSIENT');
    sqlite.close();

    const db = await openDatabase({ file });
    try {
      const kept = await db
        .selectFrom('outcome_counters')
        .select(['connector_id', 'status', 'reason', 'records'])
        .orderBy('connector_id')
        .orderBy('status')
        .orderBy('reason')
        .execute();
      expect(kept.map((r) => [r.connector_id, r.status, r.reason, Number(r.records)])).toEqual([
        ['a', 'done', '', 2],
        ['a', 'held', 'expired-media', 1],
        ['a', 'held', 'unmapped', 2],
        ['b', 'duplicate', '', 1],
        ['b', 'failed', '', 1],
        ['b', 'pending', '', 1],
      ]);
      await expectAgreement(db);
      await exercise(db, 'c', 'd');
    } finally {
      await db.destroy();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('on PostgreSQL', () => {
  let pg: PostgresCluster;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('the same triggers keep the same counters', async () => {
    const db = await openDatabase({ url: await pg.createDatabase() });
    try {
      await exercise(db, 'a', 'b');
    } finally {
      await db.destroy();
    }
  });
});
