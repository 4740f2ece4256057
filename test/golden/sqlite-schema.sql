-- index audit_events_action
CREATE INDEX "audit_events_action" on "audit_events" ("action", "at");

-- index audit_events_actor
CREATE INDEX "audit_events_actor" on "audit_events" ("actor", "at");

-- index audit_events_at
CREATE INDEX "audit_events_at" on "audit_events" ("at");

-- index case_exports_case
CREATE INDEX "case_exports_case" on "case_exports" ("case_id", "created_at");

-- index case_exports_export_id
CREATE UNIQUE INDEX "case_exports_export_id" on "case_exports" ("export_id");

-- index case_tags_name
CREATE UNIQUE INDEX "case_tags_name" on "case_tags" ("case_id", "name");

-- index deliveries_connector
CREATE INDEX "deliveries_connector" on "deliveries" ("connector_id", "status");

-- index deliveries_due
CREATE INDEX "deliveries_due" on "deliveries" ("destination_id", "status", "next_attempt_at");

-- index deliveries_mailbox_due
CREATE INDEX "deliveries_mailbox_due" on "deliveries" ("destination_id", "mailbox", "status", "next_attempt_at");

-- index disposition_entries_entry
CREATE INDEX "disposition_entries_entry" on "disposition_entries" ("item_key", "mailbox");

-- index export_jobs_case
CREATE INDEX "export_jobs_case" on "export_jobs" ("case_id", "created_at");

-- index holds_item
CREATE INDEX "holds_item" on "holds" ("item_key");

-- index holds_open
CREATE INDEX "holds_open" on "holds" ("connector_id", "released_at", "reason");

-- index holds_participant
CREATE INDEX "holds_participant" on "holds" ("connector_id", "reason", "released_at", "participant");

-- index holds_raw
CREATE INDEX "holds_raw" on "holds" ("raw_id");

-- index items_connector_time
CREATE INDEX "items_connector_time" on "items" ("connector_id", "msg_time");

-- index items_connector_type
CREATE INDEX "items_connector_type" on "items" ("connector_id", "msgtype", "msg_time");

-- index items_conversation
CREATE INDEX "items_conversation" on "items" ("conversation_id", "msg_time");

-- index items_flagged
CREATE INDEX "items_flagged" on "items" ("connector_id", "flags") where "flags" <> '';

-- index items_msgid
CREATE INDEX "items_msgid" on "items" ("connector_id", "msgid");

-- index items_raw
CREATE INDEX "items_raw" on "items" ("raw_id");

-- index legal_holds_active
CREATE INDEX "legal_holds_active" on "legal_holds" ("released_at", "kind");

-- index mailbox_entries_browse
CREATE INDEX "mailbox_entries_browse" on "mailbox_entries" ("mailbox", "folder", "msg_time");

-- index mailbox_entries_item
CREATE INDEX "mailbox_entries_item" on "mailbox_entries" ("item_key");

-- index raw_records_msgid
CREATE INDEX "raw_records_msgid" on "raw_records" ("connector_id", "msgid");

-- index raw_records_outcome
CREATE INDEX "raw_records_outcome" on "raw_records" ("connector_id", "status", "hold_reason", "captured_at");

-- index raw_records_status
CREATE INDEX "raw_records_status" on "raw_records" ("connector_id", "status", "seq_key");

-- index review_comments_key
CREATE INDEX "review_comments_key" on "review_comments" ("item_key");

-- index review_set_items_key
CREATE INDEX "review_set_items_key" on "review_set_items" ("item_key");

-- index review_set_reviewers_user
CREATE INDEX "review_set_reviewers_user" on "review_set_reviewers" ("username");

-- index review_tags_key
CREATE INDEX "review_tags_key" on "review_tags" ("item_key");

-- index runs_connector
CREATE INDEX "runs_connector" on "runs" ("connector_id", "started_at");

-- index runs_connector_id
CREATE INDEX "runs_connector_id" on "runs" ("connector_id", "id");

-- index runs_connector_status
CREATE INDEX "runs_connector_status" on "runs" ("connector_id", "status", "finished_at");

-- index search_facet_rows_row
CREATE INDEX search_facet_rows_row ON search_facet_rows (row_id);

-- index search_items_msgid
CREATE INDEX "search_items_msgid" on "search_items" ("connector_id", "msgid");

-- index search_items_type
CREATE INDEX "search_items_type" on "search_items" ("msgtype", "id");

-- index sessions_user
CREATE INDEX "sessions_user" on "sessions" ("user_id");

-- index sqlite_autoindex_blobs_1
(internal);

-- index sqlite_autoindex_case_members_1
(internal);

-- index sqlite_autoindex_connector_controls_1
(internal);

-- index sqlite_autoindex_connector_counters_1
(internal);

-- index sqlite_autoindex_connector_definitions_1
(internal);

-- index sqlite_autoindex_connectors_1
(internal);

-- index sqlite_autoindex_cursors_1
(internal);

-- index sqlite_autoindex_deliveries_1
(internal);

-- index sqlite_autoindex_delivery_counters_1
(internal);

-- index sqlite_autoindex_disposition_entries_1
(internal);

-- index sqlite_autoindex_export_jobs_1
(internal);

-- index sqlite_autoindex_items_1
(internal);

-- index sqlite_autoindex_kysely_migration_1
(internal);

-- index sqlite_autoindex_kysely_migration_lock_1
(internal);

-- index sqlite_autoindex_leases_1
(internal);

-- index sqlite_autoindex_mailbox_entries_1
(internal);

-- index sqlite_autoindex_mailboxes_1
(internal);

-- index sqlite_autoindex_mapping_overrides_1
(internal);

-- index sqlite_autoindex_media_1
(internal);

-- index sqlite_autoindex_media_progress_1
(internal);

-- index sqlite_autoindex_outcome_counters_1
(internal);

-- index sqlite_autoindex_people_1
(internal);

-- index sqlite_autoindex_raw_records_1
(internal);

-- index sqlite_autoindex_retention_policies_1
(internal);

-- index sqlite_autoindex_review_set_items_1
(internal);

-- index sqlite_autoindex_review_set_reviewers_1
(internal);

-- index sqlite_autoindex_review_tags_1
(internal);

-- index sqlite_autoindex_rooms_1
(internal);

-- index sqlite_autoindex_search_facet_values_1
(internal);

-- index sqlite_autoindex_search_items_1
(internal);

-- index sqlite_autoindex_secrets_1
(internal);

-- index sqlite_autoindex_sessions_1
(internal);

-- index sqlite_autoindex_settings_1
(internal);

-- index sqlite_autoindex_supervision_policies_1
(internal);

-- index sqlite_autoindex_upload_sessions_1
(internal);

-- index sqlite_autoindex_users_1
(internal);

-- index supervision_actions_item
CREATE INDEX "supervision_actions_item" on "supervision_actions" ("policy_id", "item_key", "id");

-- index supervision_flags_assignee
CREATE INDEX supervision_flags_assignee ON supervision_flags (assignee, state);

-- index supervision_flags_state
CREATE INDEX supervision_flags_state ON supervision_flags (policy_id, state, flagged_at);

-- table audit_events
CREATE TABLE "audit_events" ("id" integer primary key autoincrement, "at" bigint not null, "actor" text not null, "action" text not null, "target" text not null, "detail_json" text not null, "ip" text not null, "prev_hash" text not null, "hash" text not null);

-- table blobs
CREATE TABLE "blobs" ("sha256" text primary key, "size" bigint not null, "kind" text not null, "data" blob, "encoding" text default 'raw' not null, "created_at" bigint not null);

-- table case_exports
CREATE TABLE "case_exports" ("id" integer primary key autoincrement, "case_id" integer, "review_set_id" integer, "query" text, "format" text not null, "out_dir" text not null, "status" text not null, "counts_json" text, "manifest_sha256" text, "created_by" text not null, "created_at" bigint not null, "finished_at" bigint, "export_id" text, "tags_json" text, "holder" text, "error" text);

-- table case_members
CREATE TABLE "case_members" ("case_id" integer not null, "username" text not null, "added_by" text not null, "added_at" bigint not null, constraint "case_members_pk" primary key ("case_id", "username"));

-- table case_tags
CREATE TABLE "case_tags" ("id" integer primary key autoincrement, "case_id" integer not null, "name" text not null, "created_by" text not null, "created_at" bigint not null, "retired_by" text, "retired_at" bigint);

-- table cases
CREATE TABLE "cases" ("id" integer primary key autoincrement, "name" text not null, "description" text not null, "status" text not null, "created_by" text not null, "created_at" bigint not null, "closed_at" bigint);

-- table checkpoints
CREATE TABLE "checkpoints" ("id" integer primary key autoincrement, "at" bigint not null, "statement" text not null, "signature" text not null, "key_id" text not null, "public_key" text not null, "tsa_url" text, "tsa_reply" blob);

-- table connector_controls
CREATE TABLE "connector_controls" ("connector_id" text primary key, "paused" integer default 0 not null, "run_requested_at" bigint, "updated_at" bigint not null, "capture_state" text, "capture_detail" text, "worker_state" text, "worker_detail" text, "next_run_at" bigint, "reported_at" bigint);

-- table connector_counters
CREATE TABLE "connector_counters" ("connector_id" text primary key, "items" bigint not null, "entries" bigint default 0 not null);

-- table connector_definitions
CREATE TABLE "connector_definitions" ("id" text primary key, "definition_json" text not null, "paused" integer default 0 not null, "terms_version" text not null, "terms_accepted_by" text not null, "terms_accepted_at" bigint not null, "created_by" text not null, "created_at" bigint not null, "updated_at" bigint not null);

-- table connectors
CREATE TABLE "connectors" ("id" text primary key, "name" text not null, "source_kind" text not null, "config_json" text not null, "created_at" bigint not null);

-- table cursors
CREATE TABLE "cursors" ("connector_id" text primary key, "cursor" text not null, "updated_at" bigint not null);

-- table deliveries
CREATE TABLE "deliveries" ("id" integer primary key autoincrement, "connector_id" text not null, "destination_id" text not null, "item_key" text not null, "mailbox" text not null, "status" text not null, "attempts" integer default 0 not null, "next_attempt_at" bigint not null, "lease_owner" text, "lease_until" bigint, "error_code" text, "error_detail" text, "remote_id" text, "created_at" bigint not null, "finished_at" bigint, "omitted_json" text, "in_doubt" integer default 0 not null, "lease_token" bigint default 0 not null, constraint "deliveries_once" unique ("destination_id", "item_key", "mailbox"));

-- table delivery_counters
CREATE TABLE "delivery_counters" ("connector_id" text not null, "destination_id" text not null, "status" text not null, "error_code" text not null, "deliveries" bigint not null, constraint "delivery_counters_pk" primary key ("connector_id", "destination_id", "status", "error_code"));

-- table disposition_batches
CREATE TABLE "disposition_batches" ("id" integer primary key autoincrement, "policy_id" text not null, "reviewer" text, "status" text not null, "created_at" bigint not null, "decided_by" text, "decided_at" bigint, "postponed_until" bigint, "comment" text);

-- table disposition_entries
CREATE TABLE "disposition_entries" ("batch_id" integer not null, "item_key" text not null, "mailbox" text not null, "msg_time" bigint not null, constraint "disposition_entries_pk" primary key ("batch_id", "item_key", "mailbox"));

-- table export_jobs
CREATE TABLE "export_jobs" ("id" text primary key, "case_id" integer not null, "format" text not null, "source_json" text not null, "status" text not null, "created_by" text not null, "created_at" bigint not null, "finished_at" bigint, "items" integer, "files" integer, "bytes" bigint, "manifest_sha256" text, "error" text, "owner" text, "holder" text, "progress_json" text);

-- table holds
CREATE TABLE "holds" ("id" integer primary key autoincrement, "connector_id" text not null, "reason" text not null, "item_key" text, "raw_id" integer, "participant" text, "code" text, "detail" text not null, "created_at" bigint not null, "released_at" bigint, "participants" text);

-- table ingest_head
CREATE TABLE "ingest_head" ("id" integer primary key, "last_id" bigint not null, "hash" text not null, "updated_at" bigint not null);

-- table ingest_log
CREATE TABLE "ingest_log" ("id" integer primary key, "at" bigint not null, "kind" text not null, "connector_id" text not null, "ref" text not null, "digest" blob not null, "detail_json" text not null, "hash" blob not null);

-- table items
CREATE TABLE "items" ("key" text primary key, "connector_id" text not null, "raw_id" integer not null, "msgid" text not null, "seq_key" text not null, "msgtype" text not null, "action" text not null, "conversation_id" text not null, "room_id" text not null, "from_id" text not null, "msg_time" bigint not null, "model_version" integer not null, "model_json" text not null, "mime_sha256" text not null, "mime_size" integer not null, "flags" text not null, "recalled_by" text, "recalled_at" bigint, "created_at" bigint not null);

-- table leases
CREATE TABLE "leases" ("name" text not null primary key, "owner" text, "token" bigint not null, "expires_at" bigint, "acquired_at" bigint not null, "renewed_at" bigint not null, "holder" text default '' not null);

-- table legal_holds
CREATE TABLE "legal_holds" ("id" integer primary key autoincrement, "case_id" integer not null, "kind" text not null, "custodian" text, "query" text, "cond_json" text, "date_from" bigint, "date_to" bigint, "placed_by" text not null, "placed_at" bigint not null, "released_by" text, "released_at" bigint, "release_reason" text);

-- table mailbox_entries
CREATE TABLE "mailbox_entries" ("id" integer primary key autoincrement, "mailbox" text not null, "folder" text not null, "item_key" text not null, "mime_sha256" text not null, "msg_time" bigint not null, "delivered_at" bigint not null, "run_id" integer, constraint "mailbox_entries_once" unique ("mailbox", "folder", "item_key"));

-- table mailboxes
CREATE TABLE "mailboxes" ("address" text primary key, "display_name" text not null, "created_at" bigint not null);

-- table mapping_overrides
CREATE TABLE "mapping_overrides" ("connector_id" text not null, "person_id" text not null, "mailbox" text not null, "created_by" text not null, "created_at" bigint not null, constraint "mapping_overrides_pk" primary key ("connector_id", "person_id"));

-- table media
CREATE TABLE "media" ("connector_id" text not null, "sdkfileid" text not null, "status" text not null, "sha256" text, "size" bigint, "md5_expected" text, "md5_ok" integer, "error_code" text, "fetched_at" bigint not null, constraint "media_pk" primary key ("connector_id", "sdkfileid"));

-- table media_progress
CREATE TABLE "media_progress" ("connector_id" text not null, "sdkfileid" text not null, "temp_name" text not null, "indexbuf" text not null, "bytes" bigint not null, "updated_at" bigint not null, constraint "media_progress_pk" primary key ("connector_id", "sdkfileid"));

-- table outcome_counters
CREATE TABLE "outcome_counters" ("connector_id" text not null, "status" text not null, "reason" text not null, "records" bigint not null, constraint "outcome_counters_pk" primary key ("connector_id", "status", "reason"));

-- table people
CREATE TABLE "people" ("connector_id" text not null, "id" text not null, "kind" text not null, "name" text, "mobile" text, "email" text, "corp_name" text, "updated_at" bigint not null, constraint "people_pk" primary key ("connector_id", "id"));

-- table raw_records
CREATE TABLE "raw_records" ("id" integer primary key autoincrement, "connector_id" text not null, "seq_key" text not null, "msgid" text not null, "publickey_ver" integer not null, "record_json" text not null, "record_sha256" text not null, "captured_at" bigint not null, "status" text not null, "hold_reason" text, "error_code" text, "error_detail" text, "attempts" integer default 0 not null, "updated_at" bigint not null, "claim_token" bigint default 0 not null, "claim_owner" text, "claim_until" bigint, constraint "raw_records_connector_seq" unique ("connector_id", "seq_key"));

-- table retention_policies
CREATE TABLE "retention_policies" ("id" text primary key, "name" text not null, "period_value" integer not null, "period_unit" text not null, "action" text not null, "scope_json" text not null, "reviewer" text, "enabled" integer not null, "locked" integer not null, "locked_at" bigint, "locked_by" text, "created_by" text not null, "created_at" bigint not null, "updated_at" bigint not null);

-- table review_comments
CREATE TABLE "review_comments" ("id" integer primary key autoincrement, "review_set_id" integer not null, "item_key" text not null, "author" text not null, "body" text not null, "created_at" bigint not null);

-- table review_set_items
CREATE TABLE "review_set_items" ("review_set_id" integer not null, "item_key" text not null, "added_by" text not null, "added_at" bigint not null, constraint "review_set_items_pk" primary key ("review_set_id", "item_key"));

-- table review_set_reviewers
CREATE TABLE "review_set_reviewers" ("review_set_id" integer not null, "username" text not null, constraint "review_set_reviewers_pk" primary key ("review_set_id", "username"));

-- table review_sets
CREATE TABLE "review_sets" ("id" integer primary key autoincrement, "case_id" integer not null, "name" text not null, "created_by" text not null, "created_at" bigint not null);

-- table review_tags
CREATE TABLE "review_tags" ("review_set_id" integer not null, "item_key" text not null, "tag" text not null, "tagged_by" text not null, "tagged_at" bigint not null, constraint "review_tags_pk" primary key ("review_set_id", "item_key", "tag"));

-- table rooms
CREATE TABLE "rooms" ("connector_id" text not null, "id" text not null, "name" text not null, "kind" text not null, "members_json" text not null, "updated_at" bigint not null, constraint "rooms_pk" primary key ("connector_id", "id"));

-- table runs
CREATE TABLE "runs" ("id" integer primary key autoincrement, "connector_id" text not null, "started_at" bigint not null, "finished_at" bigint, "status" text not null, "counters_json" text not null, "error" text, "owner" text, "progress_json" text);

-- table saved_searches
CREATE TABLE "saved_searches" ("id" integer primary key autoincrement, "case_id" integer not null, "name" text not null, "query" text not null, "counts_json" text, "run_at" bigint, "created_by" text not null, "created_at" bigint not null);

-- table search_aliases
CREATE TABLE search_aliases (
      alias TEXT NOT NULL, person_id TEXT NOT NULL,
      PRIMARY KEY (alias, person_id)) WITHOUT ROWID;

-- table search_facet_rows
CREATE TABLE search_facet_rows (
      facet_id INTEGER NOT NULL, row_id INTEGER NOT NULL,
      PRIMARY KEY (facet_id, row_id)) WITHOUT ROWID;

-- table search_facet_values
CREATE TABLE search_facet_values (
      id INTEGER PRIMARY KEY, field TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (field, value));

-- table search_fts
CREATE VIRTUAL TABLE search_fts USING fts5(
      tokens, content='', contentless_delete=1, tokenize='ascii', prefix='1');

-- table search_fts_config
CREATE TABLE 'search_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;

-- table search_fts_data
CREATE TABLE 'search_fts_data'(id INTEGER PRIMARY KEY, block BLOB);

-- table search_fts_docsize
CREATE TABLE 'search_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB, origin INTEGER);

-- table search_fts_idx
CREATE TABLE 'search_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;

-- table search_items
CREATE TABLE "search_items" ("id" integer primary key, "item_key" text not null unique, "connector_id" text not null, "msgid" text not null, "msg_time" bigint not null, "msgtype" text not null, "from_id" text not null, "from_name" text, "from_mailbox" text, "conversation_id" text not null, "conversation_name" text, "conversation_kind" text not null, "mailboxes_json" text not null, "addresses_json" text not null, "recalled" integer not null, "has_attachments" integer not null, "external" integer not null, "body" text not null, "doc_sha256" text not null, "tokenizer_version" integer not null, "unreadable_attachments" integer not null, "indexed_at" bigint not null);

-- table secrets
CREATE TABLE "secrets" ("name" text primary key, "key_id" text not null, "iv" text not null, "tag" text not null, "ciphertext" text not null, "updated_at" bigint not null, "updated_by" text not null, "identity" text);

-- table sessions
CREATE TABLE "sessions" ("id" text primary key, "user_id" integer not null, "csrf_token" text not null, "created_at" bigint not null, "expires_at" bigint not null, "last_seen_at" bigint not null, "ip" text not null, "user_agent" text not null);

-- table settings
CREATE TABLE "settings" ("key" text primary key, "value" text not null, "updated_at" bigint not null);

-- table sqlite_sequence
CREATE TABLE sqlite_sequence(name,seq);

-- table supervision_actions
CREATE TABLE "supervision_actions" ("id" integer primary key, "policy_id" integer not null, "item_key" text not null, "actor" text not null, "action" text not null, "detail" text, "at" bigint not null);

-- table supervision_apply
CREATE TABLE "supervision_apply" ("policy_id" integer primary key, "policy_version" integer not null, "cursor" text not null, "done" integer not null, "flagged" integer not null, "started_at" bigint not null, "finished_at" bigint);

-- table supervision_flags
CREATE TABLE supervision_flags (
      policy_id INTEGER NOT NULL REFERENCES supervision_policies(id),
      item_key TEXT NOT NULL,
      connector_id TEXT NOT NULL,
      msgid TEXT NOT NULL,
      msg_time INTEGER NOT NULL,
      policy_version INTEGER NOT NULL,
      terms_json TEXT NOT NULL,
      reasons_json TEXT NOT NULL,
      state TEXT NOT NULL,
      tag TEXT,
      assignee TEXT,
      flagged_at INTEGER NOT NULL,
      resolved_at INTEGER,
      PRIMARY KEY (policy_id, item_key)) WITHOUT ROWID;

-- table supervision_policies
CREATE TABLE "supervision_policies" ("id" integer primary key, "name" text not null unique, "conditions_json" text not null, "reviewers_json" text not null, "enabled" integer not null, "version" integer not null, "created_by" text not null, "created_at" bigint not null, "updated_at" bigint not null);

-- table upload_sessions
CREATE TABLE "upload_sessions" ("key" text primary key, "upload_url" text not null, "expires_at" bigint not null, "size" bigint not null, "created_at" bigint not null);

-- table users
CREATE TABLE "users" ("id" integer primary key autoincrement, "username" text not null unique, "display_name" text not null, "password_hash" text not null, "roles_json" text not null, "disabled" integer default 0 not null, "failed_logins" integer default 0 not null, "locked_until" bigint, "created_at" bigint not null, "updated_at" bigint not null, "last_login_at" bigint);

-- table verify_runs
CREATE TABLE "verify_runs" ("id" integer primary key autoincrement, "checked_at" bigint not null, "since" bigint, "ok" integer not null, "duration_ms" integer not null, "problem_count" integer not null, "first_broken" text, "actor" text not null, "via" text not null, "report_json" text);

-- trigger deliveries_count_delete
CREATE TRIGGER deliveries_count_delete AFTER DELETE ON deliveries BEGIN UPDATE delivery_counters SET deliveries = deliveries - 1 WHERE connector_id = COALESCE(OLD.connector_id, '') AND destination_id = COALESCE(OLD.destination_id, '') AND status = COALESCE(OLD.status, '') AND error_code = COALESCE(OLD.error_code, ''); END;

-- trigger deliveries_count_insert
CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries BEGIN INSERT INTO delivery_counters (connector_id, destination_id, status, error_code, deliveries) VALUES (COALESCE(NEW.connector_id, ''), COALESCE(NEW.destination_id, ''), COALESCE(NEW.status, ''), COALESCE(NEW.error_code, ''), 1)
      ON CONFLICT (connector_id, destination_id, status, error_code) DO UPDATE SET deliveries = delivery_counters.deliveries + 1; END;

-- trigger deliveries_count_update
CREATE TRIGGER deliveries_count_update AFTER UPDATE OF connector_id, destination_id, status, error_code ON deliveries
      WHEN OLD.connector_id IS NOT NEW.connector_id OR OLD.destination_id IS NOT NEW.destination_id OR OLD.status IS NOT NEW.status OR OLD.error_code IS NOT NEW.error_code BEGIN UPDATE delivery_counters SET deliveries = deliveries - 1 WHERE connector_id = COALESCE(OLD.connector_id, '') AND destination_id = COALESCE(OLD.destination_id, '') AND status = COALESCE(OLD.status, '') AND error_code = COALESCE(OLD.error_code, ''); INSERT INTO delivery_counters (connector_id, destination_id, status, error_code, deliveries) VALUES (COALESCE(NEW.connector_id, ''), COALESCE(NEW.destination_id, ''), COALESCE(NEW.status, ''), COALESCE(NEW.error_code, ''), 1)
      ON CONFLICT (connector_id, destination_id, status, error_code) DO UPDATE SET deliveries = delivery_counters.deliveries + 1; END;

-- trigger raw_records_count_delete
CREATE TRIGGER raw_records_count_delete AFTER DELETE ON raw_records BEGIN UPDATE outcome_counters SET records = records - 1 WHERE connector_id = COALESCE(OLD.connector_id, '') AND status = COALESCE(OLD.status, '') AND reason = COALESCE(OLD.hold_reason, ''); END;

-- trigger raw_records_count_insert
CREATE TRIGGER raw_records_count_insert AFTER INSERT ON raw_records BEGIN INSERT INTO outcome_counters (connector_id, status, reason, records) VALUES (COALESCE(NEW.connector_id, ''), COALESCE(NEW.status, ''), COALESCE(NEW.hold_reason, ''), 1)
      ON CONFLICT (connector_id, status, reason) DO UPDATE SET records = outcome_counters.records + 1; END;

-- trigger raw_records_count_update
CREATE TRIGGER raw_records_count_update AFTER UPDATE OF connector_id, status, hold_reason ON raw_records
      WHEN OLD.connector_id IS NOT NEW.connector_id OR OLD.status IS NOT NEW.status OR OLD.hold_reason IS NOT NEW.hold_reason BEGIN UPDATE outcome_counters SET records = records - 1 WHERE connector_id = COALESCE(OLD.connector_id, '') AND status = COALESCE(OLD.status, '') AND reason = COALESCE(OLD.hold_reason, ''); INSERT INTO outcome_counters (connector_id, status, reason, records) VALUES (COALESCE(NEW.connector_id, ''), COALESCE(NEW.status, ''), COALESCE(NEW.hold_reason, ''), 1)
      ON CONFLICT (connector_id, status, reason) DO UPDATE SET records = outcome_counters.records + 1; END;

-- trigger retention_policies_lock_delete
CREATE TRIGGER retention_policies_lock_delete
    BEFORE DELETE ON retention_policies
    WHEN OLD.locked = 1
    BEGIN
      SELECT RAISE(ABORT, 'WXA_RETENTION_LOCKED: a locked retention policy cannot be removed');
    END;

-- trigger retention_policies_lock_update
CREATE TRIGGER retention_policies_lock_update
    BEFORE UPDATE ON retention_policies
    WHEN OLD.locked = 1 AND (
      NEW.locked <> 1 OR NEW.enabled <> OLD.enabled OR NEW.period_unit <> OLD.period_unit
      OR NEW.period_value < OLD.period_value OR NEW.scope_json <> OLD.scope_json
      OR NEW.action <> OLD.action OR NEW.id <> OLD.id
      OR NEW.reviewer IS NOT OLD.reviewer OR NEW.locked_at IS NOT OLD.locked_at
    )
    BEGIN
      SELECT RAISE(ABORT, 'WXA_RETENTION_LOCKED: a locked retention policy can only be extended');
    END;
