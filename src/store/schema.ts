/**
 * Table types for Kysely. Column types stay portable between SQLite and PostgreSQL: text,
 * integers (ms since epoch for times), no SQLite-only affinities. A uint64 WeCom seq is kept as
 * text padded to 20 digits (`seq_key`) so that it sorts correctly in both databases.
 */
import type { Generated } from 'kysely';

export interface ConnectorTable {
  id: string;
  name: string;
  source_kind: string;
  config_json: string;
  created_at: number;
}

export interface CursorTable {
  connector_id: string;
  cursor: string;
  updated_at: number;
}

export type RawStatus = 'pending' | 'done' | 'held' | 'failed' | 'duplicate';

export interface RawRecordTable {
  id: Generated<number>;
  connector_id: string;
  seq_key: string;
  msgid: string;
  publickey_ver: number;
  record_json: string;
  record_sha256: string;
  captured_at: number;
  status: RawStatus;
  hold_reason: string | null;
  error_code: string | null;
  error_detail: string | null;
  attempts: number;
  updated_at: number;
  /** the worker that claimed the record to process it (null: unclaimed) */
  claim_owner: Generated<string | null>;
  /** ms; past it another worker may claim the record */
  claim_until: Generated<number | null>;
  /** fencing token, one higher for every claim */
  claim_token: Generated<number>;
}

export interface ItemTable {
  key: string;
  connector_id: string;
  raw_id: number;
  msgid: string;
  seq_key: string;
  msgtype: string;
  action: string;
  conversation_id: string;
  room_id: string;
  from_id: string;
  msg_time: number;
  model_version: number;
  model_json: string;
  mime_sha256: string;
  mime_size: number;
  flags: string;
  recalled_by: string | null;
  recalled_at: number | null;
  created_at: number;
}

/** A content-addressed blob; `data` holds small blobs inline, null means the bytes are on disk. */
export interface BlobTable {
  sha256: string;
  size: number;
  kind: string;
  data: Buffer | null;
  /** 'raw', or 'skeleton': a message whose attachment bodies are references to media blobs */
  encoding: string;
  created_at: number;
}

export interface MediaTable {
  connector_id: string;
  sdkfileid: string;
  status: string;
  sha256: string | null;
  size: number | null;
  md5_expected: string | null;
  md5_ok: number | null;
  error_code: string | null;
  fetched_at: number;
}

/** A large media download in progress: where it stands, so a crash resumes at the last good chunk. */
export interface MediaProgressTable {
  connector_id: string;
  sdkfileid: string;
  temp_name: string;
  /** the outindexbuf of the last chunk written and synced */
  indexbuf: string;
  bytes: number;
  updated_at: number;
}

export interface MailboxTable {
  address: string;
  display_name: string;
  created_at: number;
}

export interface MailboxEntryTable {
  id: Generated<number>;
  mailbox: string;
  folder: string;
  item_key: string;
  mime_sha256: string;
  msg_time: number;
  delivered_at: number;
  run_id: number | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'duplicate' | 'partial' | 'held';

/** One row per (item, mailbox, destination): the ledger that makes delivery exactly-once. */
export interface DeliveryTable {
  id: Generated<number>;
  connector_id: string;
  destination_id: string;
  item_key: string;
  mailbox: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  error_code: string | null;
  error_detail: string | null;
  remote_id: string | null;
  created_at: number;
  finished_at: number | null;
  /** partial deliveries: JSON list of the attachments left out, each with name, size, sha256, reason */
  omitted_json: Generated<string | null>;
  /** 1 while an earlier attempt may have stored the item without its outcome being recorded */
  in_doubt: Generated<number>;
  /** fencing token: grows by one on every lease; writes after a lease name the token they hold */
  lease_token: Generated<number>;
}

/** Open Graph upload sessions, kept until their file is complete so a restart resumes them. */
export interface UploadSessionTable {
  key: string;
  upload_url: string;
  expires_at: number;
  size: number;
  created_at: number;
}

export interface HoldTable {
  id: Generated<number>;
  connector_id: string;
  reason: string;
  item_key: string | null;
  raw_id: number | null;
  participant: string | null;
  /** JSON list of every participant the hold concerns (the unmapped ones of a record), one hold per record */
  participants: string | null;
  code: string | null;
  detail: string;
  created_at: number;
  released_at: number | null;
}

export interface RunTable {
  id: Generated<number>;
  connector_id: string;
  started_at: number;
  finished_at: number | null;
  status: string;
  counters_json: string;
  error: string | null;
  /** the process running it (its heartbeat lease is `process:<owner>`); null for a run of a single writer */
  owner: Generated<string | null>;
  /** while it runs in a role process: its latest progress (JSON: phase, counts, at), for consoles of other processes */
  progress_json: Generated<string | null>;
}

export interface PersonTable {
  connector_id: string;
  id: string;
  kind: string;
  name: string | null;
  mobile: string | null;
  email: string | null;
  corp_name: string | null;
  updated_at: number;
}

export interface RoomTable {
  connector_id: string;
  id: string;
  name: string;
  kind: string;
  members_json: string;
  updated_at: number;
}

/** A local console account; roles are a JSON array of role ids (see security/roles.ts). */
export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  /** scrypt, in the self-describing form `scrypt$N$r$p$salt$hash` */
  password_hash: string;
  roles_json: string;
  disabled: number;
  failed_logins: number;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
  last_login_at: number | null;
}

/** A console session; `id` is the SHA-256 of the cookie's token, so a database leak gives no session. */
export interface SessionTable {
  id: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  ip: string;
  user_agent: string;
}

/** A secret encrypted with AES-256-GCM under the master key `key_id`, which is never in the database. */
export interface SecretTable {
  name: string;
  key_id: string;
  iv: string;
  tag: string;
  ciphertext: string;
  updated_at: number;
  updated_by: string;
  /** canonical JSON of the identity the secret is bound to (also in the AAD); null: saved before binding */
  identity: string | null;
}

/** One audit event; `hash` = SHA-256 over the previous hash and this event's canonical fields. */
export interface AuditEventTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target: string;
  detail_json: string;
  ip: string;
  prev_hash: string;
  hash: string;
}

/** A connector defined from the console: its configuration with secrets replaced by secret names. */
export interface ConnectorDefinitionTable {
  id: string;
  definition_json: string;
  paused: number;
  terms_version: string;
  terms_accepted_by: string;
  terms_accepted_at: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/**
 * The console's requests to a connector's processes and their reports back, for a console that
 * is a process of its own (`serve --role`); one row per connector, made on first use.
 */
export interface ConnectorControlTable {
  connector_id: string;
  /** 1: no process captures, processes or delivers for it until resumed */
  paused: Generated<number>;
  /** when the console asked for a run now, ms; cleared by the capture process that starts it */
  run_requested_at: number | null;
  updated_at: number;
  /** as the capture process that last ran it said: idle | failing (then the detail says why) */
  capture_state: string | null;
  capture_detail: string | null;
  /** as the worker process that last ran it said: idle | failing | paused-credentials */
  worker_state: string | null;
  worker_detail: string | null;
  /** when the capture process holding it captures next, ms */
  next_run_at: number | null;
  reported_at: number | null;
}

/** A person -> mailbox row added from the console; it wins over the CSV and the rules. */
export interface MappingOverrideTable {
  connector_id: string;
  person_id: string;
  mailbox: string;
  created_by: string;
  created_at: number;
}

/** Items and mailbox entries per connector, updated in the transactions that write and delete them. */
export interface ConnectorCounterTable {
  connector_id: string;
  items: number;
  /** mailbox entries of this connector's items (the "after fan-out" counter) */
  entries: number;
}

/** Raw records per outcome, kept by triggers (migration 033): `reason` is '' when there is none. */
export interface OutcomeCounterTable {
  connector_id: string;
  status: RawStatus;
  reason: string;
  records: number;
}

/** Deliveries per outcome, kept by triggers (migration 033): `error_code` is '' when there is none. */
export interface DeliveryCounterTable {
  connector_id: string;
  destination_id: string;
  status: DeliveryStatus;
  error_code: string;
  deliveries: number;
}

export interface SettingTable {
  key: string;
  value: string;
  updated_at: number;
}

/** One indexed item: what a search result shows and filters on (see migrations/006-search.ts). */
export interface SearchItemTable {
  id: number;
  item_key: string;
  connector_id: string;
  msgid: string;
  msg_time: number;
  msgtype: string;
  from_id: string;
  from_name: string | null;
  from_mailbox: string | null;
  conversation_id: string;
  conversation_name: string | null;
  conversation_kind: string;
  mailboxes_json: string;
  addresses_json: string;
  recalled: number;
  has_attachments: number;
  external: number;
  body: string;
  doc_sha256: string;
  tokenizer_version: number;
  unreadable_attachments: number;
  indexed_at: number;
}

/** One facet value, stored once: a person id, mailbox, or conversation id or name. */
export interface SearchFacetValueTable {
  id: Generated<number>;
  field: string;
  value: string;
}

/** An item's facet: (facet value id, search row id). */
export interface SearchFacetRowTable {
  facet_id: number;
  row_id: number;
}

export interface SearchAliasTable {
  alias: string;
  person_id: string;
}

export interface SupervisionPolicyTable {
  id: Generated<number>;
  name: string;
  conditions_json: string;
  reviewers_json: string;
  enabled: number;
  version: number;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface SupervisionFlagTable {
  policy_id: number;
  item_key: string;
  connector_id: string;
  msgid: string;
  msg_time: number;
  policy_version: number;
  terms_json: string;
  reasons_json: string;
  /** open | claimed | escalated | resolved */
  state: string;
  /** compliant | non-compliant | questionable */
  tag: string | null;
  assignee: string | null;
  flagged_at: number;
  resolved_at: number | null;
}

export interface SupervisionActionTable {
  id: Generated<number>;
  policy_id: number;
  item_key: string;
  actor: string;
  action: string;
  detail: string | null;
  at: number;
}

export interface SupervisionApplyTable {
  policy_id: number;
  policy_version: number;
  cursor: string;
  done: number;
  flagged: number;
  started_at: number;
  finished_at: number | null;
}

export interface Database {
  connectors: ConnectorTable;
  cursors: CursorTable;
  raw_records: RawRecordTable;
  items: ItemTable;
  blobs: BlobTable;
  media: MediaTable;
  media_progress: MediaProgressTable;
  mailboxes: MailboxTable;
  mailbox_entries: MailboxEntryTable;
  deliveries: DeliveryTable;
  holds: HoldTable;
  runs: RunTable;
  people: PersonTable;
  rooms: RoomTable;
  users: UserTable;
  sessions: SessionTable;
  secrets: SecretTable;
  audit_events: AuditEventTable;
  connector_definitions: ConnectorDefinitionTable;
  mapping_overrides: MappingOverrideTable;
  settings: SettingTable;
  connector_counters: ConnectorCounterTable;
  outcome_counters: OutcomeCounterTable;
  delivery_counters: DeliveryCounterTable;
  upload_sessions: UploadSessionTable;
  search_items: SearchItemTable;
  search_facet_values: SearchFacetValueTable;
  search_facet_rows: SearchFacetRowTable;
  search_aliases: SearchAliasTable;
  supervision_policies: SupervisionPolicyTable;
  supervision_flags: SupervisionFlagTable;
  supervision_actions: SupervisionActionTable;
  supervision_apply: SupervisionApplyTable;
  ingest_log: IngestLogTable;
  ingest_head: IngestHeadTable;
  checkpoints: CheckpointTable;
  retention_policies: RetentionPolicyTable;
  disposition_batches: DispositionBatchTable;
  disposition_entries: DispositionEntryTable;
  cases: CaseTable;
  case_members: CaseMemberTable;
  legal_holds: LegalHoldTable;
  saved_searches: SavedSearchTable;
  review_sets: ReviewSetTable;
  review_set_items: ReviewSetItemTable;
  review_set_reviewers: ReviewSetReviewerTable;
  review_tags: ReviewTagTable;
  review_comments: ReviewCommentTable;
  case_tags: CaseTagTable;
  case_exports: CaseExportTable;
  verify_runs: VerifyRunTable;
  export_jobs: ExportJobTable;
  leases: LeaseTable;
  connector_controls: ConnectorControlTable;
}

/** One event of the ingest log: what was stored, its digest, and the chain link. */
export interface IngestLogTable {
  id: number;
  at: number;
  /** raw | item | entry | tombstone | policy */
  kind: string;
  connector_id: string;
  /** what the event is about: a seq_key, an item key, a policy id */
  ref: string;
  /** SHA-256 (32 bytes; empty for tombstones and policy changes) of the row's immutable fields (see store/ingest-digest.ts) */
  digest: Buffer;
  detail_json: string;
  /** SHA-256 (32 bytes) chaining this event to the one before: see store/ingest-log.ts */
  hash: Buffer;
}

export interface IngestHeadTable {
  id: number;
  last_id: number;
  hash: string;
  updated_at: number;
}

/** A signed statement of both chains' heads and the archive's counts at one moment. */
export interface CheckpointTable {
  id: Generated<number>;
  at: number;
  /** the canonical JSON that was signed, byte for byte */
  statement: string;
  /** Ed25519 signature of `statement`, base64 */
  signature: string;
  key_id: string;
  /** the signing key's public half, PEM (SPKI) */
  public_key: string;
  tsa_url: string | null;
  /** the RFC 3161 TimeStampResp (DER) over SHA-256(statement), when a TSA is configured */
  tsa_reply: Buffer | null;
}

/** The outcome of one `verify` run (see migrations/013-verify-runs.ts). */
export interface VerifyRunTable {
  id: Generated<number>;
  checked_at: number;
  /** ms since epoch of `--since`, null for a full run */
  since: number | null;
  ok: number;
  duration_ms: number;
  problem_count: number;
  /** the first broken thing as JSON, null when none */
  first_broken: string | null;
  /** the console user, or the OS user of the CLI */
  actor: string;
  /** 'cli' | 'console' */
  via: string;
  /** the whole report as JSON (what an evidence package carries); null for runs before migration 025 */
  report_json: string | null;
}

/** A retention policy (see migrations/011-retention.ts); scope is JSON (compliance/retention/scope.ts). */
export interface RetentionPolicyTable {
  id: string;
  name: string;
  period_value: number;
  /** 'days' | 'years' */
  period_unit: string;
  /** 'delete' | 'review' */
  action: string;
  scope_json: string;
  reviewer: string | null;
  enabled: number;
  locked: number;
  locked_at: number | null;
  locked_by: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** Expired entries waiting for a reviewer's decision: 'pending' | 'approved' | 'postponed' | 'done'. */
export interface DispositionBatchTable {
  id: Generated<number>;
  policy_id: string;
  reviewer: string | null;
  status: string;
  created_at: number;
  decided_by: string | null;
  decided_at: number | null;
  postponed_until: number | null;
  comment: string | null;
}

export interface DispositionEntryTable {
  batch_id: number;
  item_key: string;
  mailbox: string;
  msg_time: number;
}

/** An eDiscovery case (see migrations/010-cases.ts). */
export interface CaseTable {
  id: Generated<number>;
  name: string;
  description: string;
  /** active | closed */
  status: string;
  created_by: string;
  created_at: number;
  closed_at: number | null;
}

export interface CaseMemberTable {
  case_id: number;
  username: string;
  added_by: string;
  added_at: number;
}

/** A legal hold: a custodian's mailbox, or a query (its compiled condition) over every mailbox. */
export interface LegalHoldTable {
  id: Generated<number>;
  case_id: number;
  /** custodian | query */
  kind: string;
  custodian: string | null;
  query: string | null;
  /** the query compiled to a SearchCond (JSON) */
  cond_json: string | null;
  /** ms UTC, inclusive */
  date_from: number | null;
  /** ms UTC, exclusive */
  date_to: number | null;
  placed_by: string;
  placed_at: number;
  released_by: string | null;
  released_at: number | null;
  release_reason: string | null;
}

export interface SavedSearchTable {
  id: Generated<number>;
  case_id: number;
  name: string;
  query: string;
  counts_json: string | null;
  run_at: number | null;
  created_by: string;
  created_at: number;
}

export interface ReviewSetTable {
  id: Generated<number>;
  case_id: number;
  name: string;
  created_by: string;
  created_at: number;
}

export interface ReviewSetItemTable {
  review_set_id: number;
  item_key: string;
  added_by: string;
  added_at: number;
}

export interface ReviewSetReviewerTable {
  review_set_id: number;
  username: string;
}

export interface ReviewTagTable {
  review_set_id: number;
  item_key: string;
  tag: string;
  tagged_by: string;
  tagged_at: number;
}

export interface ReviewCommentTable {
  id: Generated<number>;
  review_set_id: number;
  item_key: string;
  author: string;
  body: string;
  created_at: number;
}

/** A case's custom review tag (see migrations/015-case-tags.ts); retired ones stay on tagged items. */
export interface CaseTagTable {
  id: Generated<number>;
  case_id: number;
  name: string;
  created_by: string;
  created_at: number;
  retired_by: string | null;
  retired_at: number | null;
}

/** An export made with the `export` command (the console's are export_jobs). */
export interface CaseExportTable {
  id: Generated<number>;
  case_id: number | null;
  review_set_id: number | null;
  query: string | null;
  format: string;
  out_dir: string;
  /** running | done | failed */
  status: string;
  counts_json: string | null;
  manifest_sha256: string | null;
  created_by: string;
  created_at: number;
  finished_at: number | null;
  /** the export's id, as its journal and manifest carry it (migration 041) */
  export_id: string | null;
  /** the tags the export was limited to, a JSON array */
  tags_json: string | null;
  /** the process writing it: host:pid */
  holder: string | null;
  error: string | null;
}

/** An export started from the console (see migration 014). */
export interface ExportJobTable {
  id: string;
  case_id: number;
  format: string;
  /** JSON: { savedSearchId, query } or { reviewSetId, tags } */
  source_json: string;
  /** running | done | failed */
  status: string;
  created_by: string;
  created_at: number;
  finished_at: number | null;
  items: number | null;
  files: number | null;
  bytes: number | null;
  manifest_sha256: string | null;
  error: string | null;
  /** the process writing it (its heartbeat lease is `process:<owner>`); null for the single process */
  owner: string | null;
  /** that process described for people (host, pid), where its files are */
  holder: string | null;
  /** JSON: the running export's last reported progress, for consoles in other processes */
  progress_json: string | null;
}

/** A named lease (one capture per connector): its holder, until when, and its fencing token. */
export interface LeaseTable {
  name: string;
  /** null once released */
  owner: string | null;
  /** grows by one on every take-over */
  token: number;
  /** ms; null once released */
  expires_at: number | null;
  acquired_at: number;
  renewed_at: number;
  /** who holds it, for the operator: host, pid and role */
  holder: string;
}
