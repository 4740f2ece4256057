/**
 * The row writes of the item transaction (see process.ts), as statements prepared once per
 * connection and run row by row inside the caller's transaction. Building SQL text per batch
 * through the query builder (and SQLite compiling it again each time) cost more of a run's main
 * thread than the writes themselves; a prepared statement binds and steps, nothing else.
 */
import type SQLite from 'better-sqlite3';
import { preparedPerConnection } from './db.js';

export interface ProcessStatements {
  insertBlob: SQLite.Statement<unknown[]>;
  upsertMedia: SQLite.Statement<unknown[]>;
  insertItem: SQLite.Statement<unknown[]>;
  countRows: SQLite.Statement<[string, number, number]>;
  insertMailbox: SQLite.Statement<[string, string, number]>;
  insertEntry: SQLite.Statement<unknown[]>;
  insertDelivery: SQLite.Statement<unknown[]>;
  releaseHolds: SQLite.Statement<[number, number]>;
  insertHold: SQLite.Statement<unknown[]>;
  markRecalled: SQLite.Statement<[string, number, string, string]>;
  setStatus: SQLite.Statement<unknown[]>;
}

const values = (n: number) => `VALUES (${Array(n).fill('?').join(', ')})`;

export const processStatements = preparedPerConnection((c): ProcessStatements => ({
  insertBlob: c.prepare(
    `INSERT INTO blobs (sha256, size, kind, data, encoding, created_at) ${values(6)} ON CONFLICT (sha256) DO NOTHING`,
  ),
  upsertMedia: c.prepare(
    `INSERT INTO media (connector_id, sdkfileid, status, sha256, size, md5_expected, md5_ok, error_code, fetched_at)
       ${values(9)} ON CONFLICT (connector_id, sdkfileid) DO UPDATE SET status = excluded.status,
       sha256 = excluded.sha256, size = excluded.size, md5_expected = excluded.md5_expected,
       md5_ok = excluded.md5_ok, error_code = excluded.error_code, fetched_at = excluded.fetched_at`,
  ),
  insertItem: c.prepare(
    `INSERT INTO items (key, connector_id, raw_id, msgid, seq_key, msgtype, action, conversation_id, room_id,
       from_id, msg_time, model_version, model_json, mime_sha256, mime_size, flags, recalled_by, recalled_at,
       created_at) ${values(19)} ON CONFLICT (key) DO NOTHING`,
  ),
  countRows: c.prepare(
    `INSERT INTO connector_counters (connector_id, items, entries) VALUES (?, ?, ?)
       ON CONFLICT (connector_id) DO UPDATE SET items = connector_counters.items + excluded.items,
       entries = connector_counters.entries + excluded.entries`,
  ),
  insertMailbox: c.prepare(
    'INSERT INTO mailboxes (address, display_name, created_at) VALUES (?, ?, ?) ON CONFLICT (address) DO NOTHING',
  ),
  insertEntry: c.prepare(
    `INSERT INTO mailbox_entries (mailbox, folder, item_key, mime_sha256, msg_time, delivered_at, run_id)
       ${values(7)} ON CONFLICT (mailbox, folder, item_key) DO NOTHING`,
  ),
  insertDelivery: c.prepare(
    `INSERT INTO deliveries (connector_id, destination_id, item_key, mailbox, status, attempts, next_attempt_at,
       lease_owner, lease_until, error_code, error_detail, remote_id, created_at, finished_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, NULL, NULL, NULL, NULL, NULL, ?, NULL)
       ON CONFLICT (destination_id, item_key, mailbox) DO NOTHING`,
  ),
  releaseHolds: c.prepare('UPDATE holds SET released_at = ? WHERE raw_id = ? AND released_at IS NULL'),
  insertHold: c.prepare(
    `INSERT INTO holds (connector_id, reason, item_key, raw_id, participant, participants, code, detail,
       created_at, released_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
  ),
  markRecalled: c.prepare('UPDATE items SET recalled_by = ?, recalled_at = ? WHERE connector_id = ? AND msgid = ?'),
  setStatus: c.prepare(
    `UPDATE raw_records SET status = ?, hold_reason = ?, error_code = ?, error_detail = ?,
       attempts = attempts + 1, updated_at = ? WHERE id = ?`,
  ),
}));
