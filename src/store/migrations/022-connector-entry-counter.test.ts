// An archive made before the per-connector entry counter: the migration counts each connector's
// existing mailbox entries, and `recordCounters` then answers the same fan-out as the join.
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { recordCounters } from '../counters.js';
import { openStore } from '../index.js';
import { migrationProvider } from './index.js';

it('backfills the entries of every connector from the rows already stored', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wxa-m022-'));
  try {
    const file = join(dir, 'archive.db');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    const m = await new Migrator({ db: old, provider: migrationProvider }).migrateTo('021-search-fts-tuning');
    expect(m.error).toBeUndefined();
    await old.destroy();
    const sqlite = new SQLite(file);
    // Connector a: two items, one in three mailboxes and one in one; b: one item in two; c: none.
    const fanOut: [string, number][] = [
      ['a', 3],
      ['a', 1],
      ['b', 2],
    ];
    const raw = sqlite.prepare(
      `INSERT INTO raw_records (connector_id, seq_key, msgid, publickey_ver, record_json, record_sha256, captured_at, status, attempts, updated_at)
       VALUES (?, ?, ?, 1, '{}', 'x', 1, 'done', 1, 1)`,
    );
    const item = sqlite.prepare(
      `INSERT INTO items (key, connector_id, raw_id, msgid, seq_key, msgtype, action, conversation_id, room_id, from_id, msg_time, model_version, model_json, mime_sha256, mime_size, flags, created_at)
       VALUES (?, ?, ?, ?, ?, 'text', 'send', 'conv', '', 'u', 1, 1, '{}', 's', 1, '', 1)`,
    );
    const entry = sqlite.prepare(
      `INSERT INTO mailbox_entries (mailbox, folder, item_key, mime_sha256, msg_time, delivered_at, run_id)
       VALUES (?, 'WeChat Archiver', ?, 's', 1, 1, NULL)`,
    );
    fanOut.forEach(([connector, boxes], n) => {
      const seq = String(n + 1).padStart(20, '0');
      const rawId = Number(raw.run(connector, seq, `m${n}`).lastInsertRowid);
      item.run(`k${n}`, connector, rawId, `m${n}`, seq);
      for (let b = 0; b < boxes; b++) entry.run(`p${b}@example.com`, `k${n}`);
    });
    sqlite.exec(`INSERT INTO connector_counters (connector_id, items) VALUES ('a', 2), ('b', 1), ('c', 0)`);
    sqlite.close();

    const store = await openStore(dir);
    try {
      const rows = await store.db
        .selectFrom('connector_counters')
        .select(['connector_id', 'items', 'entries'])
        .orderBy('connector_id')
        .execute();
      expect(rows.map((r) => [r.connector_id, Number(r.items), Number(r.entries)])).toEqual([
        ['a', 2, 4],
        ['b', 1, 2],
        ['c', 0, 0],
      ]);
      // The kept counter and the join over the same rows (a window from the epoch) agree.
      for (const connectorId of ['a', 'b']) {
        const kept = await recordCounters(store.db, { connectorId });
        const joined = await recordCounters(store.db, { connectorId, since: 1 });
        expect(kept.afterFanOut).toBe(joined.afterFanOut);
      }
      expect((await recordCounters(store.db, {})).afterFanOut).toBe(6);
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
