/**
 * The one registry of error codes. Every failure that reaches an operator carries a stable
 * `WXA_...` code, a kind that decides what the pipeline does with it, and the native cause.
 */

/** What the pipeline does with a failure of this kind. */
export type ErrorKind =
  /** bad configuration: stop and tell the operator what to fix */
  | 'config'
  /** credentials refused: pause the connector until they change */
  | 'auth'
  /** a passing fault (network, server busy): retry with backoff */
  | 'transient'
  /** the other side asked us to wait: obey its delay */
  | 'throttled'
  /** will fail the same way again: hold the item with the reason */
  | 'permanent'
  /** bad input data: hold the record with the reason, let the rest flow on */
  | 'data';

interface CodeInfo {
  kind: ErrorKind;
  retryable: boolean;
  meaning: string;
  /** the HTTP status the console API answers with when this error ends a request */
  status: number;
}

export const ERROR_CODES = {
  WXA_CONFIG_INVALID: { kind: 'config', retryable: false, status: 400, meaning: 'the configuration does not validate' },
  WXA_CONFIG_NOT_FOUND: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'a configured file or directory does not exist',
  },
  WXA_KEY_MISSING: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: "no private key for the record's publickey_ver (held until the key is added)",
  },
  WXA_KEY_INVALID: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'a configured private key cannot be read',
  },
  WXA_RSA_PADDING: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'the RSA block is not valid PKCS#1 v1.5 type 2 (wrong key or corrupt record)',
  },
  WXA_RECORD_MALFORMED: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a raw archive record lacks a required field or is not valid JSON',
  },
  WXA_DECRYPT_FAILED: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'DecryptData could not decrypt the message body',
  },
  WXA_MESSAGE_MALFORMED: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'the decrypted message is not a valid WeCom message',
  },
  WXA_MEDIA_FAILED: {
    kind: 'transient',
    retryable: true,
    status: 502,
    meaning: 'a media download failed and will be retried',
  },
  WXA_MEDIA_EXPIRED: {
    kind: 'permanent',
    retryable: false,
    status: 502,
    meaning: 'the source no longer holds this media file (older than its retention)',
  },
  WXA_MEDIA_NOT_FOUND: {
    kind: 'permanent',
    retryable: false,
    status: 502,
    meaning: 'the source does not know this sdkfileid',
  },
  WXA_SOURCE_FAILED: {
    kind: 'transient',
    retryable: true,
    status: 502,
    meaning: 'the source could not be read this time',
  },
  WXA_SOURCE_AUTH: {
    kind: 'auth',
    retryable: false,
    status: 403,
    meaning: 'the source refused the credentials (e.g. the archive secret); the connector pauses until they change',
  },
  WXA_SOURCE_FORBIDDEN: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: "the source refused this server (e.g. its IP is not on the archive's allow-list)",
  },
  WXA_SOURCE_SUBSCRIPTION: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: "the organisation's archive subscription has expired or is not enabled",
  },
  WXA_SOURCE_REFUSED: {
    kind: 'permanent',
    retryable: false,
    status: 502,
    meaning: 'the source refused one request for a reason that will not pass by itself (its error code says why)',
  },
  WXA_SDK_UNAVAILABLE: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'the vendor SDK library cannot be loaded or initialised',
  },
  WXA_SDK_CRASHED: {
    kind: 'transient',
    retryable: true,
    status: 502,
    meaning: 'the vendor SDK kept crashing or hanging on a call; the next run retries it',
  },
  WXA_BLOB_CORRUPT: {
    kind: 'permanent',
    retryable: false,
    status: 502,
    meaning: 'a stored blob does not match its SHA-256 name',
  },
  WXA_BLOB_MISSING: {
    kind: 'permanent',
    retryable: false,
    status: 502,
    meaning: 'a blob referenced by the database is not on disk',
  },
  WXA_BLOB_STORE_UNAVAILABLE: {
    kind: 'transient',
    retryable: true,
    status: 503,
    meaning: 'the object store did not answer or answered with a server error; the next attempt retries',
  },
  WXA_BLOB_STORE_AUTH: {
    kind: 'auth',
    retryable: false,
    status: 502,
    meaning: 'the object store refused the configured credentials or their permissions',
  },
  WXA_BLOB_STORE_CONFIG: {
    kind: 'config',
    retryable: false,
    status: 500,
    meaning: 'the object store configuration does not match the bucket (missing bucket, no Object Lock)',
  },
  WXA_BLOB_LOCKED: {
    kind: 'permanent',
    retryable: false,
    status: 409,
    meaning: 'the object store refuses to delete a blob still under Object Lock retention',
  },
  WXA_MAPPING_INVALID: { kind: 'data', retryable: false, status: 400, meaning: 'a mapping row cannot be used' },
  WXA_UNMAPPED: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a participant maps to no mailbox (held until the mapping changes)',
  },
  WXA_RENDER_FAILED: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a message cannot be rendered as mail (invalid time or mailbox)',
  },
  WXA_DEST_TRANSIENT: {
    kind: 'transient',
    retryable: true,
    status: 502,
    meaning: 'a destination failed for a passing reason; the delivery is retried with backoff',
  },
  WXA_DEST_PERMANENT: {
    kind: 'permanent',
    retryable: false,
    status: 502,
    meaning: 'a destination refused the item for good; the delivery is held with the reason',
  },
  WXA_DEST_AUTH: {
    kind: 'auth',
    retryable: false,
    status: 403,
    meaning: 'a destination refused the credentials; the connector pauses until they change',
  },
  WXA_DEST_THROTTLED: {
    kind: 'throttled',
    retryable: true,
    status: 502,
    meaning: 'a destination asked us to slow down; the delivery waits as long as it said',
  },
  WXA_DEST_PAUSED_MAILBOX: {
    kind: 'throttled',
    retryable: true,
    status: 502,
    meaning:
      "a mailbox's limit at the destination (e.g. Gmail's daily upload volume) pauses its deliveries until it clears",
  },
  WXA_DEST_PAUSED_DESTINATION: {
    kind: 'throttled',
    retryable: true,
    status: 502,
    meaning: "a destination-wide limit (e.g. the Gmail project's quota) pauses every delivery to it until it clears",
  },
  WXA_PROCESS_FAILED: {
    kind: 'transient',
    retryable: true,
    status: 502,
    meaning: 'processing a record failed unexpectedly; the next run retries it',
  },
  WXA_INTERNAL: {
    kind: 'transient',
    retryable: true,
    status: 500,
    meaning: 'an unexpected error; report it with the log',
  },
  WXA_NOT_FOUND: { kind: 'permanent', retryable: false, status: 404, meaning: 'the requested object does not exist' },
  WXA_INPUT_INVALID: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a request field is not valid; the message names the field and what is wrong with it',
  },
  WXA_USER_EXISTS: {
    kind: 'data',
    retryable: false,
    status: 409,
    meaning: 'a console account with this username already exists',
  },
  WXA_PASSWORD_WEAK: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'the password does not meet the policy (at least 12 characters, not one character repeated)',
  },
  WXA_LAST_ADMIN: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'the change would leave no enabled organisation administrator, so nobody could manage accounts',
  },
  WXA_MASTER_KEY_INVALID: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'the master key (WXA_MASTER_KEY or master.key) is malformed, or its file is readable by others',
  },
  WXA_SECRET_UNREADABLE: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'a stored secret cannot be decrypted: the master key differs from the one that encrypted it',
  },
  WXA_SECRET_REENTRY_REQUIRED: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning:
      'a stored secret is bound to the server, account and endpoint it was saved for; one of them changed, so the secret must be entered again',
  },
  WXA_BODY_TOO_LARGE: {
    kind: 'data',
    retryable: false,
    status: 413,
    meaning: 'the request body is larger than this route accepts (HTTP 413)',
  },
  WXA_SERVER_BUSY: {
    kind: 'transient',
    retryable: true,
    status: 503,
    meaning: 'the server is already doing as much of this work as it takes at once; try again shortly (HTTP 503)',
  },
  // Codes the console API answers with (and the ledger and problems page use): the status is
  // the contract with the console, which translates each code.
  WXA_UNAUTHENTICATED: {
    kind: 'auth',
    retryable: false,
    status: 401,
    meaning: 'the request has no valid session: log in first',
  },
  WXA_LOGIN_FAILED: { kind: 'auth', retryable: false, status: 401, meaning: 'wrong user name or password' },
  WXA_ACCOUNT_LOCKED: {
    kind: 'auth',
    retryable: true,
    status: 423,
    meaning: 'the account is locked for a while after repeated failed logins',
  },
  WXA_CSRF: {
    kind: 'auth',
    retryable: false,
    status: 403,
    meaning: "a changing request lacks the session's CSRF token (reload the page)",
  },
  WXA_FORBIDDEN: { kind: 'auth', retryable: false, status: 403, meaning: "the user's roles do not allow this" },
  WXA_SETUP_TOKEN: {
    kind: 'auth',
    retryable: false,
    status: 403,
    meaning: 'the one-time setup token is wrong, used or expired (restart serve for a new one)',
  },
  WXA_SELF_LOCKOUT: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'the change would lock the signed-in administrator out of account management',
  },
  WXA_TERMS_NOT_ACCEPTED: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a connector needs the current terms and data-processing notice accepted',
  },
  WXA_CONNECTOR_EXISTS: { kind: 'data', retryable: false, status: 409, meaning: 'a connector with this id exists' },
  WXA_CONNECTOR_READONLY: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'the connector is defined in the configuration file (or is the built-in demo) and cannot be changed here',
  },
  WXA_CONNECTOR_PAUSED: {
    kind: 'data',
    retryable: false,
    status: 409,
    meaning: 'the connector is paused; resume it before starting a run',
  },
  WXA_NOT_RUNNING: {
    kind: 'config',
    retryable: false,
    status: 409,
    meaning: 'connectors run only inside `serve`; this process does not run them',
  },
  WXA_BAD_REQUEST: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'the HTTP request itself is malformed (body, content type or size)',
  },
  WXA_HTTP: {
    kind: 'transient',
    retryable: true,
    status: 502,
    meaning: 'the console got an error answer without an error body (a proxy or a server that is not ours)',
  },
  WXA_DEST_PARTIAL: {
    kind: 'permanent',
    retryable: false,
    status: 502,
    meaning:
      'the destination refused the whole item as too large, so a copy without the largest attachments (each replaced by a note) was delivered; the full item stays in the embedded archive',
  },
  WXA_UNKNOWN_TYPE: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a message type this version does not know: kept as received and flagged for review',
  },
  WXA_SEARCH_QUERY_INVALID: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a search query cannot be parsed; details give the position and what was expected there',
  },
  // ---- conversation view and previews
  WXA_PREVIEW_UNSUPPORTED: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning:
      'the attachment is not an image a browser may show inline (PNG, JPEG, GIF, WebP, BMP): download it instead',
  },
  // Data integrity of the data directory: one writer at a time, a full disk said as such, and
  // a msgid the source sent again with different content.
  WXA_CONFLICTING_DUPLICATE: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'the source sent an archived msgid again with different content; the new version is held',
  },
  WXA_DATA_DIR_LOCKED: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'another process is writing to this data directory or archive database; wait for it or stop it',
  },
  WXA_DISK_FULL: {
    kind: 'permanent',
    retryable: false,
    status: 502,
    meaning: 'the disk holding the data directory is full; free space, then run again',
  },
  // Tamper evidence
  WXA_EVIDENCE_KEY_INVALID: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'the evidence signing key (evidence.key) is malformed, missing, or its file is readable by others',
  },
  WXA_EVIDENCE_NOT_VERIFIED: {
    kind: 'permanent',
    retryable: false,
    status: 409,
    meaning:
      'the evidence package carries the latest completed verification, and there is none it can carry (none yet, or a checkpoint is newer): run verify, then ask again',
  },
  WXA_TSA_FAILED: {
    kind: 'transient',
    retryable: true,
    status: 502,
    meaning: 'the time-stamping authority did not answer with a valid RFC 3161 time-stamp',
  },
  WXA_BACKUP_INVALID: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a backup directory is incomplete or does not match its manifest',
  },
  // The audit log's own retention
  WXA_AUDIT_RETENTION_SHORT: {
    kind: 'config',
    retryable: false,
    status: 409,
    meaning:
      'audit.retentionDays is shorter than the longest retention policy; the audit log must outlive what it records',
  },
  // Retention and disposition
  WXA_RETENTION_LOCKED: {
    kind: 'permanent',
    retryable: false,
    status: 409,
    meaning: 'a locked retention policy can only be extended: it cannot be shortened, narrowed, disabled or removed',
  },
  WXA_RETENTION_INVALID: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a retention policy or disposition decision is malformed; the message names the field and what it takes',
  },
  // eDiscovery
  WXA_LEGAL_HOLD: {
    kind: 'permanent',
    retryable: false,
    status: 409,
    meaning: 'the item is under a legal hold: nothing may delete it until every hold covering it is released',
  },
  WXA_CASE_CLOSED: {
    kind: 'data',
    retryable: false,
    status: 409,
    meaning:
      'the case is closed and read-only: reopen it before adding holds, searches, review sets, reviewers, tags or comments, or exporting from it',
  },
  WXA_CASE_HOLDS_ACTIVE: {
    kind: 'data',
    retryable: false,
    status: 409,
    meaning:
      'a case cannot be closed while any of its legal holds is active: release them first (as in Microsoft Purview)',
  },
  WXA_REVIEW_TAG_EXISTS: {
    kind: 'data',
    retryable: false,
    status: 409,
    meaning:
      'the case already has a tag of that name (built-in, custom or retired): choose another or restore the retired one',
  },
  WXA_REVIEW_TAG_RETIRED: {
    kind: 'data',
    retryable: false,
    status: 409,
    meaning: 'the tag is retired: it stays on the items already tagged but cannot be applied again until restored',
  },
  WXA_EXPORT_FAILED: {
    kind: 'transient',
    retryable: true,
    status: 500,
    meaning: 'an export stopped part-way; run the same export into the same directory again to resume it',
  },
  WXA_FONT_MISSING: {
    kind: 'config',
    retryable: false,
    status: 500,
    meaning: 'no CJK font was found for PDF transcripts: install fonts-noto-cjk (Debian) or a Noto Sans CJK font',
  },
  // Supervision
  WXA_SUPERVISION_LEXICON_INVALID: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a lexicon line cannot be used; the message names the file, the line and what to change',
  },
  WXA_SUPERVISION_POLICY_INVALID: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a supervision policy field is not valid; the message names the field',
  },
  WXA_SUPERVISION_STATE: {
    kind: 'data',
    retryable: false,
    status: 409,
    meaning: 'the review action does not fit the flagged item as it stands (claimed by another, already resolved)',
  },
  // Database dialects
  WXA_DATABASE_URL_INVALID: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'the database URL (--database or WXA_DATABASE_URL) is not a postgres:// or postgresql:// URL',
  },
  WXA_DATABASE_UNAVAILABLE: {
    kind: 'transient',
    retryable: true,
    status: 503,
    meaning: 'the PostgreSQL server did not accept a connection; check that it runs and the URL is right',
  },
  WXA_STORE_SQLITE_ONLY: {
    kind: 'config',
    retryable: false,
    status: 501,
    meaning: 'this command or store function works only on the embedded SQLite database for now',
  },
  // Leases of several processes sharing one database
  WXA_LEASE_HELD: {
    kind: 'transient',
    retryable: true,
    status: 409,
    meaning: 'another process holds this lease (e.g. the capture of this connector); wait for it or stop it',
  },
  WXA_LEASE_LOST: {
    kind: 'transient',
    retryable: true,
    status: 409,
    meaning: 'this process stalled past its lease and another took it over; its later writes are refused',
  },
  // serve --role: capture, worker and console processes sharing one PostgreSQL database
  WXA_RECORD_CLAIM_LOST: {
    kind: 'transient',
    retryable: true,
    status: 409,
    meaning: 'a worker stalled past its claim on raw records and another worker claimed them; its result is dropped',
  },
  WXA_SERVE_ROLE_SQLITE: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: 'serve --role other than all needs a PostgreSQL database; the embedded SQLite archive has one writer',
  },
  // migrate-store: copying an embedded archive into PostgreSQL (and S3)
  WXA_MIGRATE_DESTINATION_IN_USE: {
    kind: 'config',
    retryable: false,
    status: 409,
    meaning: 'the destination database already holds an archive that is not a copy of this one in progress',
  },
  WXA_MIGRATE_SNAPSHOT_GONE: {
    kind: 'config',
    retryable: false,
    status: 409,
    meaning: 'a copy in progress was reading a snapshot that is no longer there; start again with --restart',
  },
  WXA_MIGRATE_SCHEMA_MISMATCH: {
    kind: 'config',
    retryable: false,
    status: 409,
    meaning: 'the archive and the destination do not have the same tables and columns',
  },
  WXA_MIGRATE_VALUE: {
    kind: 'data',
    retryable: false,
    status: 400,
    meaning: 'a value in the archive does not fit its destination column (table, row and column named)',
  },
  WXA_MIGRATE_BLOBS_URL: {
    kind: 'config',
    retryable: false,
    status: 400,
    meaning: '--blobs is not an s3://BUCKET/PREFIX/ URL, or its settings are incomplete',
  },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ArchiverError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  /** machine-readable facts for the caller (e.g. a query error's position); never secrets */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.details) this.details = options.details;
    this.name = 'ArchiverError';
    this.code = code;
    const info: CodeInfo = ERROR_CODES[code];
    this.kind = info.kind;
    this.retryable = info.retryable;
  }
}

/** The HTTP status of a code, from the registry. */
export function statusOf(code: ErrorCode): number {
  return (ERROR_CODES[code] as CodeInfo).status;
}

/** True for a string that is a registered code (e.g. one read back from the ledger or an API body). */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

export function isArchiverError(err: unknown, code?: ErrorCode): err is ArchiverError {
  return err instanceof ArchiverError && (code === undefined || err.code === code);
}

/** A short, log-safe description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof ArchiverError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
