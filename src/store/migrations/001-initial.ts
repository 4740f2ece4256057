/** The first schema: capture, items, blobs, embedded mailboxes, holds, runs, directory cache. */
import type { Kysely } from 'kysely';

// Migrations take Kysely<unknown>: they must not depend on the current table types.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connectors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('config_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cursors')
    .addColumn('connector_id', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('raw_records')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('seq_key', 'text', (c) => c.notNull())
    .addColumn('msgid', 'text', (c) => c.notNull())
    .addColumn('publickey_ver', 'integer', (c) => c.notNull())
    .addColumn('record_json', 'text', (c) => c.notNull())
    .addColumn('record_sha256', 'text', (c) => c.notNull())
    .addColumn('captured_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('hold_reason', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('raw_records_connector_seq', ['connector_id', 'seq_key'])
    .execute();
  await db.schema
    .createIndex('raw_records_status')
    .on('raw_records')
    .columns(['connector_id', 'status', 'seq_key'])
    .execute();
  await db.schema.createIndex('raw_records_msgid').on('raw_records').columns(['connector_id', 'msgid']).execute();

  await db.schema
    .createTable('items')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('raw_id', 'integer', (c) => c.notNull())
    .addColumn('msgid', 'text', (c) => c.notNull())
    .addColumn('seq_key', 'text', (c) => c.notNull())
    .addColumn('msgtype', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('from_id', 'text', (c) => c.notNull())
    .addColumn('msg_time', 'bigint', (c) => c.notNull())
    .addColumn('model_version', 'integer', (c) => c.notNull())
    .addColumn('model_json', 'text', (c) => c.notNull())
    .addColumn('mime_sha256', 'text', (c) => c.notNull())
    .addColumn('mime_size', 'integer', (c) => c.notNull())
    .addColumn('flags', 'text', (c) => c.notNull())
    .addColumn('recalled_by', 'text')
    .addColumn('recalled_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('items_msgid').on('items').columns(['connector_id', 'msgid']).execute();
  await db.schema.createIndex('items_raw').on('items').columns(['raw_id']).execute();
  await db.schema.createIndex('items_conversation').on('items').columns(['conversation_id', 'msg_time']).execute();

  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('data', 'blob')
    .addColumn('encoding', 'text', (c) => c.notNull().defaultTo('raw'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('media')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('sdkfileid', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text')
    .addColumn('size', 'bigint')
    .addColumn('md5_expected', 'text')
    .addColumn('md5_ok', 'integer')
    .addColumn('error_code', 'text')
    .addColumn('fetched_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_pk', ['connector_id', 'sdkfileid'])
    .execute();

  await db.schema
    .createTable('media_progress')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('sdkfileid', 'text', (c) => c.notNull())
    .addColumn('temp_name', 'text', (c) => c.notNull())
    .addColumn('indexbuf', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('media_progress_pk', ['connector_id', 'sdkfileid'])
    .execute();

  await db.schema
    .createTable('mailboxes')
    .addColumn('address', 'text', (c) => c.primaryKey())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('mailbox_entries')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('folder', 'text', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('mime_sha256', 'text', (c) => c.notNull())
    .addColumn('msg_time', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint', (c) => c.notNull())
    .addColumn('run_id', 'integer')
    .addUniqueConstraint('mailbox_entries_once', ['mailbox', 'folder', 'item_key'])
    .execute();
  await db.schema
    .createIndex('mailbox_entries_browse')
    .on('mailbox_entries')
    .columns(['mailbox', 'folder', 'msg_time'])
    .execute();
  await db.schema.createIndex('mailbox_entries_item').on('mailbox_entries').columns(['item_key']).execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('destination_id', 'text', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'bigint')
    .addColumn('error_code', 'text')
    .addColumn('error_detail', 'text')
    .addColumn('remote_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addUniqueConstraint('deliveries_once', ['destination_id', 'item_key', 'mailbox'])
    .execute();
  await db.schema
    .createIndex('deliveries_due')
    .on('deliveries')
    .columns(['destination_id', 'status', 'next_attempt_at'])
    .execute();

  await db.schema
    .createTable('holds')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('item_key', 'text')
    .addColumn('raw_id', 'integer')
    .addColumn('participant', 'text')
    .addColumn('code', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('released_at', 'bigint')
    .execute();
  await db.schema.createIndex('holds_open').on('holds').columns(['connector_id', 'released_at', 'reason']).execute();
  await db.schema.createIndex('holds_item').on('holds').columns(['item_key']).execute();
  await db.schema.createIndex('holds_raw').on('holds').columns(['raw_id']).execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('counters_json', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();

  await db.schema
    .createTable('people')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('mobile', 'text')
    .addColumn('email', 'text')
    .addColumn('corp_name', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('people_pk', ['connector_id', 'id'])
    .execute();

  await db.schema
    .createTable('rooms')
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('members_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rooms_pk', ['connector_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'rooms',
    'people',
    'runs',
    'holds',
    'deliveries',
    'mailbox_entries',
    'mailboxes',
    'media_progress',
    'media',
    'blobs',
    'items',
    'raw_records',
    'cursors',
    'connectors',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
