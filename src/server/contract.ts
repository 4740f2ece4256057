/**
 * The console API's shapes, shared by the server (src/server) and the web console (web/): the
 * console imports these types so that a change on one side fails the other's type check. Times
 * are milliseconds since the epoch; every error body is `ApiError`.
 */
import type { DestinationCounters, RecordCounters, RunOutcome } from '../core/counters.js';
import type { ErrorCode } from '../core/errors.js';
import type { Permission, Role } from '../security/roles.js';
import type {
  ConnectorInput,
  DestinationInput,
  SandboxSourceInput,
  SecretsInput,
  SecretStatus,
  WecomSourceInput,
} from '../connectors/types.js';
import type { SessionUser } from '../security/types.js';

// Domain types the API answers with: their modules own them; the console imports them from here.
export type { AuditEvent, AuditListedEvent, AuditPage } from '../compliance/audit/types.js';
export type { AuditRetentionStatus } from '../compliance/audit/retention-types.js';
export type {
  CaseDetail,
  CaseListEntry,
  CaseTagView,
  CaseView,
  HoldView,
  ReviewItemView,
  ReviewPage,
  ReviewSetDetail,
  ReviewSetSummary,
  ReviewSetView,
  SavedSearchView,
  SearchCounts,
} from '../compliance/cases/types.js';
export type {
  CliExportSource,
  CliExportView,
  ExportJobView,
  ExportProblem,
  ExportProgress,
  ExportSource,
  ExportVerification,
} from '../compliance/export/job-types.js';
export type {
  ConnectorInput,
  DestinationInput,
  SandboxSourceInput,
  SecretsInput,
  SecretStatus,
  WecomSourceInput,
} from '../connectors/types.js';
export type {
  CreateUserRequest,
  SessionUser,
  SetupRequest,
  UpdateUserRequest,
  UserSummary,
} from '../security/types.js';

export type { ErrorCode, Permission, Role };

/** Every non-2xx response. `code` is a registered WXA_ code the console translates; `message` is English. */
export interface ApiError {
  code: ErrorCode;
  message: string;
  /** for validation errors: the field and what is wrong with it */
  fields?: { path: string; message: string }[];
  /** for a search query that does not parse: where (0-based character offset) and what was expected there */
  position?: number;
  expected?: string;
}

// ---- setup, session, accounts ----------------------------------------------------------

export interface SetupStatus {
  /** true until the first administrator exists */
  needed: boolean;
}

export interface LoginRequest {
  username: string;
  password: string;
}

/** POST /api/setup, POST /api/session and GET /api/session answer with this. */
export interface SessionInfo {
  user: SessionUser;
  /** send as `x-csrf-token` on every POST, PUT, PATCH and DELETE */
  csrfToken: string;
}

// ---- connectors ------------------------------------------------------------------------

export type ConnectorState = 'running' | 'idle' | 'paused' | 'paused-credentials' | 'failing';

export interface RunProgressEvent {
  connectorId: string;
  runId: number | null;
  phase: 'capture' | 'process' | 'deliver' | 'done';
  captured: number;
  processed: number;
  total: number;
  /** deliver phase of a worker process: rows it has delivered so far, of `toDeliver` due when it began */
  delivered?: number;
  toDeliver?: number;
  at: number;
}

export interface LagInfo {
  /** time of the newest archived message, null before the first */
  newestMessageAt: number | null;
  /** time of the last successful run */
  lastSuccessAt: number | null;
  /** how far capture is behind now */
  lagMs: number | null;
  /** warning at 24 h, alarm at 72 h: the source keeps data 5 days */
  level: 'ok' | 'warning' | 'alarm' | 'unknown';
  retentionMs: number;
  /** records held now (in no mailbox until fixed): at least a warning while any waits */
  held: number;
  /** age of the oldest held record; it counts against the source's retention like capture lag */
  oldestHeldAgeMs: number | null;
}

/** Counters as `status` and `report` define them (src/core/counters.ts). */
export type RunOutcomeName = RunOutcome;
export type RecordCountersInfo = RecordCounters;
export type DestinationCountersInfo = DestinationCounters;

export interface RunSummary {
  id: number;
  connectorId: string;
  startedAt: number;
  finishedAt: number | null;
  status: string;
  /** new records pulled from the source by this run (a record processed again is not counted again) */
  atSource: number;
  /** records this run processed: its new ones, and earlier ones released from a hold or left pending */
  processed: number;
  /** `held` when the run archived nothing because every record it processed was held */
  outcome: RunOutcomeName;
  /** mailbox entries made from them (one per mapped participant) */
  afterFanOut: number;
  archived: number;
  delivered: number;
  partial: number;
  duplicates: number;
  held: Record<string, number>;
  failed: number;
  failedByReason: Record<string, number>;
  error: string | null;
}

export interface ConnectorSummary {
  id: string;
  name: string;
  sourceKind: 'sandbox' | 'wecom';
  /** defined in the config file (read-only here) or from the console */
  /** config: the configuration file; console: made in the console; demo: the built-in sandbox demo of `serve` */
  origin: 'config' | 'console' | 'demo';
  state: ConnectorState;
  stateDetail: string | null;
  progress: RunProgressEvent | null;
  lastRun: RunSummary | null;
  nextRunAt: number | null;
  intervalSeconds: number;
  lag: LagInfo;
  /** `held`: records held now (by reason in `heldByReason`), as `status` counts them */
  totals: { items: number; held: number; heldByReason: Record<string, number>; failedDeliveries: number };
}

export interface ConnectorDetail extends ConnectorSummary {
  /** every record of the connector by its outcome now: the same numbers as `status --json` */
  counters: RecordCountersInfo;
  /** external destinations' delivery outcomes */
  destinations: DestinationCountersInfo[];
  definition: ConnectorInput;
  secrets: SecretStatus;
  /** the newest runs */
  runs: RunSummary[];
  /** pass as `before` to /runs for older ones; null when these are all */
  runsNext: string | null;
}

export interface CreateConnectorRequest extends ConnectorInput {
  /** the version of the terms and data-processing notice the user accepted */
  termsAccepted: string;
  secrets?: SecretsInput;
}

export interface TermsInfo {
  version: string;
}

export interface CheckLine {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CheckResult {
  ok: boolean;
  lines: CheckLine[];
}

export interface TestSourceRequest {
  source: SandboxSourceInput | WecomSourceInput;
  secrets?: SecretsInput;
  /** when testing an existing connector, its stored secrets fill what is omitted */
  connectorId?: string;
}

export interface TestDestinationRequest {
  destination: DestinationInput;
  secret?: string;
  connectorId?: string;
  /** position of the destination in the connector, to test with its stored secret */
  index?: number;
  /** the mailbox to check (a folder is created there if missing) */
  mailbox: string;
}

export interface MappingPreviewRequest {
  csv: string;
  fileName?: string;
}

export interface MappingPreviewRow {
  line: number;
  key: string;
  keyKind: string;
  mailbox: string;
}

export interface MappingPreviewProblem {
  line: number;
  severity: 'error' | 'warning';
  /** in English: the parser's reason and, when it has one, what to do */
  message: string;
  /** what is wrong (MAPPING_PROBLEM_CODES in src/mapping/types.ts); the console translates `wizard:csvProblem.<code>` */
  code: string;
  /** the values the sentence names (MAPPING_PROBLEM_PARAMS); empty when it names none */
  params: Record<string, string | number>;
}

/**
 * A mapping CSV checked by the server, bounded whatever the file's size: the first rows, the
 * first problems of each code, and every problem counted.
 */
export interface MappingPreview {
  /** the first usable rows (50) */
  rows: MappingPreviewRow[];
  /** at most 20 problems of each code, in line order; `problemCount` says how many there are */
  problems: MappingPreviewProblem[];
  /** usable rows in the whole file */
  totalRows: number;
  /** every problem of the file, listed or not */
  problemCount: number;
  errorCount: number;
  warningCount: number;
  /** every problem counted by code and severity, most frequent first */
  problemCounts: { code: string; severity: 'error' | 'warning'; count: number }[];
}

// ---- problems ----------------------------------------------------------------------------

export type ProblemReason =
  | 'unmapped'
  | 'key-missing'
  | 'malformed'
  | 'render-failed'
  | 'conflicting-duplicate'
  | 'media-expired'
  | 'destination-refused'
  | 'unknown-type';

export interface ProblemExample {
  id: number;
  itemKey: string | null;
  participant: string | null;
  code: string | null;
  detail: string;
  at: number;
  /** the mailbox that refused a delivery, else the mailboxes the item reached (space-separated); null when none */
  targetMailbox?: string | null;
}

export interface ProblemGroup {
  connectorId: string;
  reason: ProblemReason;
  /** records held for this reason (the `held` counter of status and report); refused deliveries for destination-refused */
  count: number;
  /** archived records this hold still concerns (archived for their other participants), not counted as held */
  archivedPartly?: number;
  /** records put back to be processed whose hold closes when the next run processes them */
  waiting?: number;
  /** what to do, in English; the console shows its own translated advice per reason */
  advice: string;
  /** 'reevaluate' puts held records back to pending, 'retry' retries held deliveries */
  action: 'reevaluate' | 'retry' | 'none';
  examples: ProblemExample[];
}

export interface UnmappedPersonInfo {
  connectorId: string;
  participant: string;
  name: string | null;
  kind: string | null;
  heldItems: number;
}

/** Why an attachment was left out of a partial mailbox copy. */
export type OmitReason = 'too-large' | 'blocked-type';

export interface PartialDeliveryInfo {
  connectorId: string;
  destinationId: string;
  itemKey: string;
  /** the source's message id */
  itemId: string;
  mailbox: string;
  /** each attachment left out (the archive keeps it), with why */
  attachments: { name: string; size: number; sha256: string; reason: OmitReason }[];
  at: number;
}

export interface PausedDeliveryInfo {
  connectorId: string;
  destinationId: string;
  /** the mailbox that waits; null when every mailbox of the destination waits */
  mailbox: string | null;
  deliveries: number;
  /** ms UTC when the service's limit clears and delivery resumes */
  until: number;
  /** the service's answer, in English */
  detail: string;
}

export interface ProblemsResponse {
  groups: ProblemGroup[];
  unmapped: UnmappedPersonInfo[];
  /** delivered without some attachments, newest first (at most 200) */
  partial: PartialDeliveryInfo[];
  /** waiting out a mail service's limit: paused, not failed */
  paused: PausedDeliveryInfo[];
}

export interface ProblemActionRequest {
  connectorId: string;
  reason: ProblemReason;
}

export interface ProblemActionResult {
  /** records or deliveries put back to be processed */
  released: number;
}

export interface AddMappingRequest {
  participant: string;
  mailbox: string;
}

// ---- mailboxes -----------------------------------------------------------------------------

export interface MailboxInfo {
  address: string;
  displayName: string;
  items: number;
  newest: number | null;
}

export interface MailboxPage {
  mailboxes: MailboxInfo[];
  /** pass as `after` for the next page; null at the end */
  next: string | null;
}

export interface ItemRow {
  itemKey: string;
  subject: string;
  from: string;
  msgType: string;
  msgTime: number;
  size: number;
  recalled: boolean;
}

export interface ItemPage {
  mailbox: MailboxInfo;
  items: ItemRow[];
  /** pass as `before` for the next page; null at the end */
  next: string | null;
}

export interface AttachmentInfo {
  index: number;
  filename: string;
  contentType: string;
  size: number;
}

export interface ItemView {
  itemKey: string;
  mailbox: string;
  subject: string;
  from: string;
  to: string[];
  date: number;
  msgType: string;
  sha256: string;
  size: number;
  /** where the rendered HTML is served (load it in a sandboxed iframe) */
  htmlUrl: string;
  attachments: (AttachmentInfo & { url: string })[];
}

// ---- search and conversations --------------------------------------------------------------

/**
 * One hit of GET /api/search; `highlights` are [start, end) character offsets into `snippet`.
 * The same shape as SearchHit (compliance/search), restated here because the console cannot
 * import server modules; the search route returns SearchHit values as this type, so the
 * compiler keeps the two in step.
 */
export interface SearchHitInfo {
  itemKey: string;
  msgid: string;
  /** ISO 8601, UTC */
  time: string;
  msgtype: string;
  connectorId: string;
  from: { id: string; name?: string; mailbox?: string };
  conversation: { id: string; name?: string; kind: 'single' | 'group' };
  mailboxes: string[];
  recalled: boolean;
  hasAttachments: boolean;
  snippet: string;
  highlights: [number, number][];
}

export interface SearchPage {
  total: number;
  items: SearchHitInfo[];
  /** pass as `cursor` for the next page; null at the end */
  next: string | null;
}

export interface TranscriptAttachment {
  /** position in the message's own attachments */
  index: number;
  filename: string;
  contentType: string;
  /** bytes, when the file is stored */
  size: number | null;
  /** false when the source could not deliver the file (expired, refused) */
  stored: boolean;
  /** download through a mailbox that holds the item (audited); null when not stored */
  url: string | null;
  /** an inline image preview (png, jpeg, gif, webp, bmp only); null for other files */
  previewUrl: string | null;
}

/** One message of a conversation transcript. */
export interface TranscriptMessage {
  itemKey: string;
  msgid: string;
  time: number;
  msgType: string;
  /** 'recall' is the recall event itself; `recalledMsgid` names what it recalled */
  action: 'send' | 'recall' | 'switch';
  from: { id: string; name: string; external: boolean };
  /** kind of content, in English and Chinese, e.g. `Image (图片)` */
  title: string;
  /** the content as plain text (what the archived body says), never HTML */
  text: string;
  /** this message was recalled by its sender later (it stays archived) */
  recalled: boolean;
  recalledAt: number | null;
  recalledMsgid: string | null;
  attachments: TranscriptAttachment[];
  /** a mailbox of the reader's scope that holds it: open the item there */
  mailbox: string | null;
}

export interface ConversationPage {
  connectorId: string;
  conversation: { id: string; name: string; kind: 'single' | 'group' };
  /** oldest first */
  messages: TranscriptMessage[];
  /** pass as `before` for older messages; null when these reach the start */
  older: string | null;
  /** pass as `after` for newer messages; null when these reach the newest */
  newer: string | null;
  /** the item the page was opened around, when it was */
  anchor: string | null;
}

// ---- live events (GET /api/events, text/event-stream) ----------------------------------------

export type LiveEvent =
  | { type: 'progress'; data: RunProgressEvent }
  | { type: 'state'; data: { connectorId: string; state: ConnectorState; stateDetail: string | null } }
  | { type: 'run'; data: RunSummary };

/** GET /api/integrity and POST /api/integrity/verify (Integrity page); times are ISO 8601 there, as `verify` reports them. */
export type {
  EvidenceReadiness,
  IntegritySummary,
  IntegrityVerifyJob,
  IntegrityVerifyProgress,
  IntegrityVerifyResult,
  PackagedVerification,
} from '../compliance/evidence/integrity-types.js';
export type { Problem as IntegrityProblem } from '../compliance/evidence/problems.js';
