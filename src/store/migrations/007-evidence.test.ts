// An archive made before the ingest log: after the migration every row it held is covered by a
// backfilled event, and the archive verifies.
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { verifyArchive } from '../../compliance/evidence/index.js';
import { openStore } from '../index.js';
import { migrationProvider } from './index.js';

it('backfills the ingest log for rows stored before it existed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wxa-m007-'));
  try {
    const file = join(dir, 'archive.db');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    const m = await new Migrator({ db: old, provider: migrationProvider }).migrateTo('004-connector-counters');
    expect(m.error).toBeUndefined();
    const sqlite = new SQLite(file);
    const sha = 'a'.repeat(64);
    sqlite
      .prepare(
        `INSERT INTO raw_records (connector_id, seq_key, msgid, publickey_ver, record_json, record_sha256, captured_at, status, attempts, updated_at)
         VALUES ('c', '00000000000000000001', 'm1', 1, '{}', '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', 1, 'done', 1, 1)`,
      )
      .run();
    sqlite
      .prepare(
        `INSERT INTO items (key, connector_id, raw_id, msgid, seq_key, msgtype, action, conversation_id, room_id, from_id, msg_time, model_version, model_json, mime_sha256, mime_size, flags, created_at)
         VALUES ('k1', 'c', 1, 'm1', '00000000000000000001', 'text', 'send', 'conv', '', 'u', 1, 1, '{}', ?, 1, '', 1)`,
      )
      .run(sha);
    sqlite
      .prepare(
        `INSERT INTO blobs (sha256, size, kind, data, encoding, created_at) VALUES (?, 1, 'mime', NULL, 'raw', 1)`,
      )
      .run(sha);
    sqlite
      .prepare(
        `INSERT INTO mailbox_entries (mailbox, folder, item_key, mime_sha256, msg_time, delivered_at, run_id) VALUES ('a@x', 'WeChat Archiver', 'k1', ?, 1, 1, NULL)`,
      )
      .run(sha);
    sqlite.close();
    await old.destroy();

    const store = await openStore(dir);
    try {
      const events = await store.db.selectFrom('ingest_log').select(['kind', 'detail_json']).orderBy('id').execute();
      expect(events.map((e) => e.kind)).toEqual(['raw', 'item', 'entry']);
      expect(events.every((e) => JSON.parse(e.detail_json).backfilled === true)).toBe(true);
      const report = await verifyArchive(store);
      // the one blob file was never written: that, and only that, is reported
      expect(report.problems.map((p) => p.kind)).toEqual(['blob']);
      expect(report.ingest).toMatchObject({ rawRecords: 1, items: 1, entries: 1 });
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
