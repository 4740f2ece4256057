/**
 * A local Microsoft Graph (Exchange Online mail) and Microsoft Entra ID for tests: a real
 * HTTP server on a loopback port that follows the documented behaviour, limits and errors
 * of the services the Graph destination uses, including how they fail.
 *
 * Modelled from Microsoft's documentation:
 * - Entra ID v2.0: OpenID configuration; token endpoint, client credentials grant with a
 *   client secret or a certificate-signed client assertion (PS256/x5t#S256, RS256/x5t);
 *   AADSTS errors (7000215 wrong secret, 700016 unknown app, 90002 unknown tenant,
 *   1002012 scope without /.default, 700027 bad assertion); tokens expire.
 * - Graph: Bearer token required (401 InvalidAuthenticationToken), the token's audience must
 *   be the cloud's Graph resource, Mail.ReadWrite role required (403 ErrorAccessDenied);
 *   unknown mailbox 404 ErrorInvalidUser; every request body at most 4 MB (413).
 * - Mail folders: list with `$filter=displayName eq '...'`, create (409 ErrorFolderExists).
 * - Messages created from JSON in a folder (and deleted by id); PR_MESSAGE_FLAGS (0x0E07) without mfUnsent makes
 *   a sent/received item, without it the item is a draft (isDraft: true); 0x0E06/0x0039 give
 *   receivedDateTime/sentDateTime, 0x1035 internetMessageId; extended properties filterable
 *   with `singleValueExtendedProperties/Any(ep: ep/id eq '...' and ep/value eq '...')`
 *   (values compared without case, as documented) and returned with
 *   `$expand=singleValueExtendedProperties($filter=id eq '...')`.
 * - fileAttachment POST up to 3 MB; createUploadSession from 3 MB to 150 MB
 *   (ErrorAttachmentSizeShouldNotBeLessThanMinimumSize below it); PUT byte ranges in order,
 *   at most 4 MB each, with Content-Range, to the pre-authenticated uploadUrl (no
 *   Authorization header); 200 with nextExpectedRanges, 201 with Location at the end.
 * - Throttling per mailbox: 4 concurrent requests, 10,000 requests per 10 minutes and 150 MB
 *   uploaded per 5 minutes (all configurable; window on the emulator's clock), 429
 *   ApplicationThrottled with Retry-After; the highest concurrency attempted is recorded per
 *   mailbox. Source: https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits
 *   ("10,000 API requests in a 10 minute period, 4 concurrent requests, 150 megabytes (MB)
 *   upload (PATCH, POST, PUT) in a 5 minute period").
 * - Whole-message size: Exchange caps a message at the mailbox's maximum receive size (35 MB
 *   by default, up to 150 MB when the admin raises it; Exchange Online limits,
 *   https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#message-limits).
 *   The body plus every attachment counts; an inline attachment or an upload range that
 *   would cross the cap is refused with 400 and the body users report from Graph
 *   (microsoftgraph/microsoft-graph-docs issue 15579, "Getting ErrorMessageSizeExceeded after
 *   sharing 39 MB of data"): {"error":{"code":"ErrorMessageSizeExceeded","message":"The
 *   message exceeds the maximum supported size."}}. The session is ended with it.
 * - nextExpectedRanges of an Outlook attachment session is a single "{start}" value, the next
 *   byte to send (uploadSession resource, https://learn.microsoft.com/graph/api/resources/uploadsession).
 *   Bytes received per upload (per mailbox and attachment name, over every session; a range
 *   refused by throttling before it is read is not counted) are recorded, so a test can prove
 *   an upload resumed instead of starting again at byte 0.
 * Assumed where Microsoft documents nothing: a GET on an upload URL reports the session's
 * nextExpectedRanges (as OneDrive's sessions do); an out-of-order range gets 416; inline
 * attachments over 3 MB get 413; sizes are MiB (3 MB = 3,145,728 bytes, 4 MB = 4,194,304).
 * Injectable faults: N answers of a status (503, a 429 storm with Retry-After), or the
 * connection dropped after a message, an attachment or a range has been stored.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { EmulatorAuth, type EmulatorClient } from './emulator-auth.js';
import { forwardingFetch, readBody } from './emulator-http.js';
import { Faults, MailboxLimits } from './emulator-limits.js';
import { MailStore, type Answer } from './emulator-mail.js';
import type { MailboxState, StoredMessage } from './emulator-state.js';

const MIB = 1024 * 1024;

export interface GraphEmulatorOptions {
  tenantId?: string;
  clients?: EmulatorClient[];
  mailboxes: string[];
  /** mailboxes the app may not open (RBAC for Applications scope): 403 */
  deniedMailboxes?: string[];
  /** the token audience Graph accepts (default the worldwide Graph resource) */
  graphResource?: string;
  concurrency?: number;
  concurrencyRetryAfterSeconds?: number;
  rate?: { requests: number; windowMs: number };
  maxRequestBytes?: number;
  /** the mailbox's maximum receive size: body plus attachments (default 35 MB = 35 MiB) */
  maxMessageBytes?: number;
  /** bytes uploaded per mailbox in any window (default 150 MB per 5 minutes) */
  uploadVolume?: { bytes: number; windowMs: number };
  /** false: keep only the size and SHA-256 of uploaded attachments (tests with very large files) */
  keepUploadBytes?: boolean;
  /** delay before each Graph answer, so concurrent requests overlap */
  latencyMs?: number;
  tokenTtlSeconds?: number;
  now?: () => number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  mailbox: string | undefined;
  status: number;
  authorization: boolean;
}

export interface GraphEmulator {
  origin: string;
  graphBaseUrl: string;
  auth: EmulatorAuth;
  limits: MailboxLimits;
  faults: Faults;
  store: MailStore;
  log: LoggedRequest[];
  mailbox(upn: string): MailboxState;
  /** messages in the named folder of a mailbox */
  messages(upn: string, folder: string): StoredMessage[];
  /** fetch that sends requests for the given origins (e.g. https://login.microsoftonline.com) here */
  fetchVia(origins: string[]): typeof fetch;
  close(): Promise<void>;
}

const UPLOAD = /^\/outlook\/api\/v2\.0\/Users\('([^']+)'\)\/Messages\('([^']+)'\)\/AttachmentSessions\('([^']+)'\)$/;

export async function startGraphEmulator(opts: GraphEmulatorOptions): Promise<GraphEmulator> {
  const now = opts.now ?? Date.now;
  const tenantId = opts.tenantId ?? 'tenant-1';
  let origin = '';
  const auth = new EmulatorAuth({
    tenantId,
    clients: opts.clients ?? [{ clientId: 'client-1', secret: 'secret-1' }],
    graphResource: opts.graphResource ?? 'https://graph.microsoft.com',
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 3599,
    now,
  });
  const limits = new MailboxLimits({
    concurrency: opts.concurrency ?? 4,
    concurrencyRetryAfterSeconds: opts.concurrencyRetryAfterSeconds ?? 1,
    rate: opts.rate ?? { requests: 10_000, windowMs: 600_000 },
    upload: opts.uploadVolume ?? { bytes: 150 * MIB, windowMs: 5 * 60_000 },
    now,
  });
  const maxBody = opts.maxRequestBytes ?? 4 * MIB;
  const store = new MailStore(() => origin, {
    inlineMaxBytes: 3 * MIB,
    sessionMinBytes: 3 * MIB,
    sessionMaxBytes: 150 * MIB,
    chunkMaxBytes: 4 * MIB,
    maxMessageBytes: opts.maxMessageBytes ?? 35 * MIB,
    keepUploadBytes: opts.keepUploadBytes ?? true,
    now,
  });
  for (const m of opts.mailboxes) store.addMailbox(m);
  const denied = new Set((opts.deniedMailboxes ?? []).map((m) => m.toLowerCase()));
  const faults = new Faults();
  const log: LoggedRequest[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const path = decodeURIComponent(url.pathname);
    const method = req.method ?? 'GET';
    const upload = UPLOAD.exec(path);
    const graph = /^\/v1\.0\/users\/([^/]+)(\/.*)?$/.exec(path);
    const mailbox = upload?.[1] ?? graph?.[1];
    let admitted = false;
    const answer = (a: Answer): void => {
      if (admitted) limits.release(mailbox as string);
      admitted = false;
      log.push({ method, path, mailbox, status: a.status, authorization: req.headers.authorization !== undefined });
      const headers: Record<string, string> = { ...a.headers };
      let payload = '';
      if (a.body !== undefined) {
        payload = JSON.stringify(a.body);
        headers['content-type'] = 'application/json';
      }
      res.writeHead(a.status, headers).end(payload);
    };
    const fail = (status: number, code: string, message: string, retryAfter?: number): void =>
      answer({
        status,
        body: { error: { code, message } },
        headers: retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
      });

    // Entra ID
    const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (oidc && method === 'GET') {
      const fwd = /host=([^;,\s]+);proto=(https?)/.exec(String(req.headers.forwarded ?? ''));
      // The issuer must carry the authority's own host, which msal checks.
      const doc = auth.openidConfiguration(origin, oidc[1] ?? '', fwd ? `${fwd[2]}://${fwd[1]}` : origin);
      return doc ? answer({ status: 200, body: doc }) : fail(400, 'invalid_tenant', `Tenant '${oidc[1]}' not found.`);
    }
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (tokenPath && method === 'POST') {
      const { body } = await readBody(req, maxBody);
      return answer(auth.token(tokenPath[1] ?? '', new URLSearchParams(body.toString('utf8'))));
    }

    // Graph and the upload URLs
    if (mailbox === undefined) {
      req.resume();
      return fail(400, 'BadRequest', `Resource not found for the segment '${path}'.`);
    }
    if (graph) {
      const bearer = auth.checkBearer(req.headers.authorization);
      if (!bearer.ok) {
        req.resume();
        return fail(bearer.status, bearer.code, bearer.message);
      }
    } else if (req.headers.authorization !== undefined) {
      req.resume();
      return fail(
        401,
        'InvalidAuthenticationToken',
        'The upload URL is pre-authenticated: send no Authorization header.',
      );
    }
    const mb = store.get(mailbox);
    if (!mb) {
      req.resume();
      return fail(404, 'ErrorInvalidUser', `The requested user '${mailbox}' is invalid.`);
    }
    if (denied.has(mailbox.toLowerCase())) {
      req.resume();
      return fail(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    const admission = limits.admit(mailbox);
    if (!admission.ok) {
      req.resume();
      return fail(429, admission.code ?? 'ApplicationThrottled', admission.message ?? '', admission.retryAfterSeconds);
    }
    admitted = true;
    const { body, tooLarge } = await readBody(req, maxBody);
    if (tooLarge) return fail(413, 'ErrorRequestEntityTooLarge', 'The request is larger than 4 MB.');
    const fault = faults.match(method, path, mailbox);
    if (fault)
      return fail(
        fault.status,
        fault.code ?? (fault.status === 429 ? 'ApplicationThrottled' : 'ServiceUnavailable'),
        'Injected fault.',
        fault.retryAfterSeconds,
      );
    if (opts.latencyMs) await delay(opts.latencyMs);
    // Upload volume: the bytes of a range PUT or an inline attachment (its base64 decoded).
    const uploading =
      (upload && method === 'PUT') || (method === 'POST' && /\/messages\/[^/]+\/attachments$/.test(graph?.[2] ?? ''));
    if (uploading) {
      const volume = limits.admitBytes(mailbox, upload ? body.length : Math.floor((body.length * 3) / 4));
      if (!volume.ok) return fail(429, volume.code ?? '', volume.message ?? '', volume.retryAfterSeconds);
    }

    let result: Answer;
    if (upload) {
      const s = store.sessions.get(upload[3] ?? '');
      if (!s || s.messageId !== upload[2])
        result = {
          status: 404,
          body: { error: { code: 'ErrorItemNotFound', message: 'The upload session does not exist or has expired.' } },
        };
      else if (url.searchParams.get('authtoken') !== s.token)
        result = {
          status: 401,
          body: { error: { code: 'InvalidAuthenticationToken', message: 'The upload URL token is not valid.' } },
        };
      else result = store.upload(s, method, req.headers, body);
    } else {
      result = route(mb, method, graph?.[2] ?? '', url.searchParams, body);
    }
    if (result.drop && faults.shouldDrop(result.drop)) {
      limits.release(mailbox);
      admitted = false;
      log.push({ method, path, mailbox, status: 0, authorization: false });
      req.socket.destroy();
      return;
    }
    answer(result);
  }

  function route(mb: MailboxState, method: string, rest: string, query: URLSearchParams, body: Buffer): Answer {
    const seg = rest.split('/').filter(Boolean);
    const notFound: Answer = {
      status: 400,
      body: { error: { code: 'BadRequest', message: `Unsupported request ${method} ${rest}` } },
    };
    if (seg[0] === 'mailFolders' && seg.length === 1 && (method === 'GET' || method === 'POST'))
      return store.folders(mb, method, query, body);
    if (
      seg[0] === 'mailFolders' &&
      seg[2] === 'messages' &&
      seg.length === 3 &&
      (method === 'GET' || method === 'POST')
    ) {
      return store.folderMessages(mb, seg[1] ?? '', method, query, body);
    }
    if (seg[0] === 'messages' && seg.length === 2 && method === 'DELETE') return store.deleteMessage(mb, seg[1] ?? '');
    if (seg[0] === 'messages' && seg[2] === 'attachments') {
      if (seg.length === 3 && (method === 'GET' || method === 'POST'))
        return store.attachments(mb, seg[1] ?? '', method, body);
      if (seg.length === 4 && seg[3] === 'createUploadSession' && method === 'POST')
        return store.createUploadSession(mb, seg[1] ?? '', body);
    }
    return notFound;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { code: 'InternalServerError', message: String(e) } }));
    });
  });
  // Graph's front ends keep an idle connection far longer than Node's 5 s default; with 5 s, a
  // loaded machine that stalls this process for seconds lets the server close a kept-alive
  // connection just as the client sends its next request on it (ECONNRESET).
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const mailboxOf = (upn: string): MailboxState => {
    const mb = store.get(upn);
    if (!mb) throw new Error(`no mailbox ${upn} in the emulator`);
    return mb;
  };
  return {
    origin,
    graphBaseUrl: `${origin}/v1.0`,
    auth,
    limits,
    faults,
    store,
    log,
    mailbox: mailboxOf,
    messages(upn, folder) {
      const mb = mailboxOf(upn);
      const f = mb.folders.find((x) => x.displayName === folder);
      return f ? mb.messages.filter((m) => m.folderId === f.id) : [];
    },
    fetchVia: (origins) => forwardingFetch(origin, origins),
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
