/**
 * A local Gmail API and Google OAuth 2.0 token endpoint for tests: a real HTTP server on a
 * loopback port that follows the documented behaviour, limits and errors of the calls the
 * Gmail destination makes, including how they fail.
 *
 * Modelled from Google's documentation:
 * - Token endpoint, JWT bearer grant for service accounts: RS256 signature checked with the
 *   account's public key, `aud` = token URI, `exp - iat` at most an hour, known scopes only
 *   (invalid_scope), `sub` impersonation through domain-wide delegation: unknown user 400
 *   invalid_grant "Invalid email or User ID"; scopes not authorized for the client, or a user
 *   outside the Workspace domain, 401 unauthorized_client; bad signature 400 invalid_grant
 *   "Invalid JWT Signature."; unknown issuer 401 invalid_client. Tokens expire.
 * - Gmail API: Bearer token required (401 UNAUTHENTICATED); `userId` is `me` or the token's
 *   user (else 403 "Delegation denied for ..."); a token without `sub` gets 400 "Precondition
 *   check failed."; a user without Gmail 400 "Mail service not enabled"; each method needs
 *   one of its documented scopes (403 insufficientPermissions); `q` is refused with only
 *   gmail.metadata.
 * - users.labels.list / users.labels.create (409 "Label name exists or conflicts", names
 *   compared without case).
 * - users.messages.list with `q=rfc822msgid:<id>` (and `label:`), `labelIds`,
 *   `includeSpamTrash`, `maxResults`; `messages` omitted when nothing matches.
 * - users.messages.import on /upload: uploadType media, multipart (multipart/related:
 *   JSON metadata with labelIds, then message/rfc822) and resumable (initiating POST with
 *   X-Upload-Content-Length answered with the session URI in Location; PUT with Content-Range
 *   `bytes a-b/total`, 308 with `Range: bytes=0-n` until complete, `bytes *\/total` asks for
 *   the state, chunks other than the last in multiples of 256 KiB); 150 MB limit (413);
 *   raw bytes, labelIds and the query parameters stored; internalDate from the Date header
 *   when internalDateSource=dateHeader (the default) and the header is valid.
 * - Quota (Gmail API usage limits, https://developers.google.com/workspace/gmail/api/reference/quota):
 *   labels.list 1, labels.create 5, messages.list 5, import 25 units; per project 1,200,000
 *   units per minute, exceeded reason rateLimitExceeded; per user 6,000 units per minute,
 *   exceeded reason userRateLimitExceeded. The per-user figure is the one our reference notes
 *   record as current; a stored copy of Google's page we could consult reads 15,000, and older
 *   copies 250 per second: the emulator defaults to the strictest, 6,000, and takes any.
 *   Both answered 429 (or 403, configurable: Gmail's error guide lists both) RESOURCE_EXHAUSTED, domain usageLimits, with "... Retry after <time>"
 *   and a Retry-After header (the shape Gmail users report, e.g. postalsys/emailengine issue 426).
 * - Daily upload volume per user (Workspace "Gmail sending/receiving limits"; about 500 MB a
 *   day for imports, as our reference notes record): an import that would cross it gets 429
 *   userRateLimitExceeded with a Retry-After of hours, until the daily window ends.
 * - Blocked attachment types (https://support.google.com/mail/answer/6590, also inside ZIP
 *   archives): 400 "Invalid attachment" (see emulator-blocked.ts), nothing stored.
 * Assumed where Google documents nothing: the quota window is fixed (one minute from its
 * first request); a resumable import is charged when its session starts, its PUTs are free;
 * the session URI is its own credential (PUTs need no token); a dropped PUT keeps the bytes
 * received up to the last whole 256 KiB; a range that skips bytes is 400; an unknown label id
 * is 400 "Invalid label: <id>"; an over-size upload is 413 "Request Entity Too Large"; the
 * search finds a message as soon as it is stored (real Gmail may lag).
 * Injectable faults: N answers of a status on a route (5xx, a 429/403 storm), the connection
 * dropped part-way through an upload PUT, or after an import was stored; sessions expired.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorAuth, SCOPE, type Answer, type EmulatorServiceAccount } from './emulator-auth.js';
import { gerr, MailStore, MIB, type MailboxState, type Route, type StoredMessage } from './emulator-mail.js';
import { handleImport, handlePut, readBody } from './emulator-upload.js';

export interface GmailEmulatorOptions {
  /** the Workspace domain the delegation covers */
  domain: string;
  serviceAccounts: EmulatorServiceAccount[];
  /** users with Gmail */
  users: string[];
  /** Workspace users without the Gmail service */
  usersWithoutGmail?: string[];
  /** per-user units per window (default 6,000 a minute) */
  quota?: { units: number; windowMs: number };
  /** units per window for the whole project (default 1,200,000 a minute) */
  projectUnits?: number;
  /** bytes each user may import per window (default 500 MB a day) */
  dailyUpload?: { bytes: number; windowMs: number };
  /** status of per-minute rate-limit answers: 429 (default) or 403, both of which Gmail sends */
  rateLimitStatus?: 403 | 429;
  maxMessageBytes?: number;
  tokenTtlSeconds?: number;
  now?: () => number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  route: Route | 'token' | 'unknown';
  user: string | undefined;
  /** 0 when the connection was dropped without an answer */
  status: number;
  bytesIn: number;
  contentRange?: string;
  retryAfter?: string;
}

interface Failure {
  route: Route | 'token';
  answer: Answer;
  times: number;
}

export class Faults {
  private failures: Failure[] = [];
  /** drop the connection after this many body bytes of the next upload PUT(s) */
  dropUpload: { afterBytes: number; times: number } | undefined;
  /** store the next import(s), then drop the connection without answering */
  dropAfterImport = 0;

  /** The next `times` requests on the route get `status` (a Google-shaped body; Retry-After when given). */
  fail(route: Route | 'token', status: number, times = 1, opts: { reason?: string; retryAfterSeconds?: number } = {}) {
    const reason = opts.reason ?? (status === 429 ? 'rateLimitExceeded' : status >= 500 ? 'backendError' : 'failed');
    const canonical = status === 429 || reason.includes('RateLimit') ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE';
    const base = gerr(status, status >= 500 ? 'Backend Error' : 'User-rate limit exceeded.', reason, canonical);
    const answer =
      opts.retryAfterSeconds === undefined
        ? base
        : { ...base, headers: { 'retry-after': String(opts.retryAfterSeconds) } };
    this.failures.push({ route, answer, times });
  }

  take(route: Route | 'token'): Answer | undefined {
    const f = this.failures.find((x) => x.route === route && x.times > 0);
    if (!f) return undefined;
    f.times--;
    return f.answer;
  }
}

export interface GmailEmulator {
  origin: string;
  tokenUri: string;
  auth: EmulatorAuth;
  store: MailStore;
  faults: Faults;
  log: LoggedRequest[];
  mailbox(user: string): MailboxState;
  /** the messages of a mailbox under the label with this name */
  labelled(user: string, labelName: string): StoredMessage[];
  close(): Promise<void>;
}

const SCOPES: Record<Route, string[]> = {
  'labels.list': [SCOPE.mail, SCOPE.modify, SCOPE.readonly, SCOPE.labels, SCOPE.metadata],
  'labels.create': [SCOPE.mail, SCOPE.modify, SCOPE.labels],
  'messages.list': [SCOPE.mail, SCOPE.modify, SCOPE.readonly, SCOPE.metadata],
  import: [SCOPE.mail, SCOPE.modify, SCOPE.insert],
  'upload.put': [],
};

const PATH = /^\/(?:(?:resumable\/)?upload\/)?gmail\/v1\/users\/([^/]+)\/(labels|messages|messages\/import)$/;

function routeOf(method: string, pathname: string, upload: boolean): Route | undefined {
  const m = PATH.exec(pathname);
  if (!m) return undefined;
  const what = `${method} ${m[2]}`;
  if (!upload && what === 'GET labels') return 'labels.list';
  if (!upload && what === 'POST labels') return 'labels.create';
  if (!upload && what === 'GET messages') return 'messages.list';
  if (upload && what === 'POST messages/import') return 'import';
  if (upload && what === 'PUT messages/import') return 'upload.put';
  return undefined;
}

export async function startGmailEmulator(opts: GmailEmulatorOptions): Promise<GmailEmulator> {
  const now = opts.now ?? Date.now;
  let origin = '';
  const withoutGmail = new Set((opts.usersWithoutGmail ?? []).map((u) => u.toLowerCase()));
  const store = new MailStore(opts.users, {
    now,
    quota: {
      units: opts.quota?.units ?? 6_000,
      windowMs: opts.quota?.windowMs ?? 60_000,
      projectUnits: opts.projectUnits ?? 1_200_000,
      dailyUploadBytes: opts.dailyUpload?.bytes ?? 500 * MIB,
      dailyWindowMs: opts.dailyUpload?.windowMs ?? 24 * 3600_000,
      status: opts.rateLimitStatus ?? 429,
    },
    maxMessageBytes: opts.maxMessageBytes ?? 150 * MIB,
  });
  const auth = new EmulatorAuth({
    tokenUri: () => `${origin}/token`,
    domain: opts.domain.toLowerCase(),
    serviceAccounts: opts.serviceAccounts,
    isUser: (u) => store.boxes.has(u) || withoutGmail.has(u),
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 3600,
    now,
  });
  const faults = new Faults();
  const log: LoggedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse, entry: LoggedRequest): Promise<Answer | 'dropped'> {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname === '/token') {
      entry.route = 'token';
      const body = await readBody(req);
      entry.bytesIn = body.length;
      return faults.take('token') ?? auth.token(new URLSearchParams(body.toString('utf8')));
    }
    const upload = /^\/(resumable\/)?upload\//.test(url.pathname);
    const route = routeOf(req.method ?? '', url.pathname, upload);
    if (!route) return gerr(404, 'Not Found', 'notFound', 'NOT_FOUND');
    entry.route = route;
    if (route === 'upload.put') return handlePut({ req, res, url, store, faults, entry });
    const token = auth.bearer(req.headers.authorization);
    if (!token) {
      return gerr(
        401,
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        'authError',
        'UNAUTHENTICATED',
      );
    }
    if (!token.user) return gerr(400, 'Precondition check failed.', 'failedPrecondition', 'FAILED_PRECONDITION');
    const userId = decodeURIComponent(PATH.exec(url.pathname)?.[1] ?? '');
    if (userId !== 'me' && userId.toLowerCase() !== token.user) {
      return gerr(403, `Delegation denied for ${token.user}`, 'forbidden', 'PERMISSION_DENIED');
    }
    entry.user = token.user;
    if (!store.boxes.has(token.user)) {
      return gerr(400, 'Mail service not enabled', 'failedPrecondition', 'FAILED_PRECONDITION');
    }
    if (!token.scopes.some((s) => SCOPES[route].includes(s))) {
      return gerr(
        403,
        'Request had insufficient authentication scopes.',
        'insufficientPermissions',
        'PERMISSION_DENIED',
      );
    }
    if (route === 'messages.list' && url.searchParams.has('q') && token.scopes.every((s) => s === SCOPE.metadata)) {
      return gerr(403, "Metadata scope does not support 'q' parameter", 'forbidden', 'PERMISSION_DENIED');
    }
    const injected = faults.take(route);
    if (injected) {
      entry.bytesIn = (await readBody(req)).length;
      return injected;
    }
    const refused = store.charge(token.user, route);
    const body = await readBody(req);
    entry.bytesIn = body.length;
    if (refused) return refused;
    switch (route) {
      case 'labels.list':
        return store.labelsList(token.user);
      case 'labels.create':
        return store.labelsCreate(token.user, JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>);
      case 'messages.list':
        return store.messagesList(token.user, url.searchParams);
      default:
        return handleImport({ req, res, url, store, faults, entry, user: token.user, body, origin });
    }
  }

  const server = createServer((req, res) => {
    const entry: LoggedRequest = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0] ?? '',
      query: new URL(req.url ?? '/', 'http://x').search,
      route: 'unknown',
      user: undefined,
      status: 0,
      bytesIn: 0,
      ...(req.headers['content-range'] ? { contentRange: String(req.headers['content-range']) } : {}),
    };
    log.push(entry);
    handle(req, res, entry).then(
      (a) => {
        if (a === 'dropped') return;
        entry.status = a.status;
        if (a.headers?.['retry-after']) entry.retryAfter = a.headers['retry-after'];
        const text = a.body === undefined ? '' : JSON.stringify(a.body);
        res.writeHead(a.status, {
          ...(text ? { 'content-type': 'application/json; charset=UTF-8' } : {}),
          ...a.headers,
        });
        res.end(text);
      },
      (err: unknown) => {
        entry.status = 500;
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    tokenUri: `${origin}/token`,
    auth,
    store,
    faults,
    log,
    mailbox: (user) => store.box(user),
    labelled(user, labelName) {
      const b = store.box(user);
      const label = b.labels.find((l) => l.name === labelName);
      return label ? b.messages.filter((m) => m.labelIds.includes(label.id)) : [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
