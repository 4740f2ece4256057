/**
 * Turns what ImapFlow, Node's sockets and TLS, and the IMAP server report into the four
 * delivery failure kinds. Classified by where the failure came from: the response code the
 * server put in brackets (RFC 5530) first, then ImapFlow's flags, then Node's error codes;
 * the free text of a response is only a last resort. Messages name the server, mailbox and
 * what to do, and never carry message content.
 */
import { DestinationError } from '../types.js';

/** The fields of an ImapFlow error this module reads (all optional, see ImapFlowError). */
export interface ImapErrorLike {
  message?: string;
  code?: string;
  serverResponseCode?: string;
  responseStatus?: string;
  responseText?: string;
  authenticationFailed?: boolean;
  tlsFailed?: boolean;
  throttleReset?: number;
}

export interface FailureContext {
  /** what was being done, e.g. `APPEND to "WeChat Archiver"` */
  op: string;
  mailbox: string;
  /** `host:port` */
  server: string;
  /** bytes of the message, for APPEND */
  size?: number;
  /** the size limit we know of (APPENDLIMIT or configured), bytes */
  limit?: number;
}

/** Response codes (RFC 5530 and vendors) that mean "credentials refused". */
const AUTH_CODES = new Set(['AUTHENTICATIONFAILED', 'AUTHORIZATIONFAILED', 'EXPIRED', 'PRIVACYREQUIRED']);
/** A passing condition on the server side: try again later. */
const TRANSIENT_CODES = new Set(['UNAVAILABLE', 'INUSE', 'SERVERBUG', 'CONTACTADMIN', 'EXPUNGEISSUED']);
/** The message is larger than the server takes (RFC 7889 APPENDLIMIT, RFC 4469 TOOBIG, Dovecot LIMIT). */
const SIZE_CODES = new Set(['TOOBIG', 'LIMIT', 'APPENDLIMIT']);

/** Node's codes for a socket that could not be opened or was lost. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'NoConnection',
  'EConnectionClosed',
  'ClosedAfterConnectText',
  'ClosedAfterConnectTLS',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'LockTimeout',
]);

/** Default wait for a throttled response that names no delay: one minute. */
const DEFAULT_THROTTLE_MS = 60_000;

function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} bytes`;
}

function serverSays(e: ImapErrorLike): string {
  const code = e.serverResponseCode ? `[${e.serverResponseCode}] ` : '';
  const text = e.responseText ?? e.message ?? 'no reason given';
  return `${code}${text}`;
}

/** A TLS certificate problem (Node codes like SELF_SIGNED_CERT_IN_CHAIN, ERR_TLS_CERT_ALTNAME_INVALID). */
function isCertificateError(e: ImapErrorLike): boolean {
  const code = e.code ?? '';
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/.test(code);
}

/** The failure for a message larger than the server accepts. */
export function tooLarge(ctx: FailureContext, detail: string): DestinationError {
  const size = ctx.size === undefined ? 'the message' : `the message (${bytes(ctx.size)})`;
  const limit = ctx.limit === undefined ? "the server's limit" : `the limit of ${bytes(ctx.limit)}`;
  return new DestinationError(
    'permanent',
    `${ctx.server}: ${size} for ${ctx.mailbox} is larger than ${limit} (${detail}); raise the mailbox's size limit, then retry the held item`,
    ctx.size === undefined
      ? undefined
      : { tooLarge: { size: ctx.size, ...(ctx.limit === undefined ? {} : { limit: ctx.limit }) } },
  );
}

export function classifyImapError(err: unknown, ctx: FailureContext): DestinationError {
  if (err instanceof DestinationError) return err;
  const e: ImapErrorLike = typeof err === 'object' && err !== null ? (err as ImapErrorLike) : { message: String(err) };
  const rc = (e.serverResponseCode ?? '').toUpperCase();
  const at = `${ctx.server}: ${ctx.op} for ${ctx.mailbox}`;
  const options = { cause: err };

  if (e.authenticationFailed || AUTH_CODES.has(rc)) {
    return new DestinationError(
      'auth',
      `${at}: the server refused the login (${serverSays(e)}); check the imap destination's credentials`,
      options,
    );
  }
  if (isCertificateError(e)) {
    // Like refused credentials, a certificate that does not verify fails every mailbox the
    // same way until the configuration changes: pause rather than retry or hold each item.
    return new DestinationError(
      'auth',
      `${at}: the server's TLS certificate was not accepted (${e.code}: ${e.message}); install a certificate that verifies, or set tls.ca to the CA that signed it`,
      options,
    );
  }
  if (e.tlsFailed) {
    return new DestinationError(
      'auth',
      `${at}: TLS could not be set up (${e.message}); check secure/starttls and the server's TLS settings`,
      options,
    );
  }
  if (SIZE_CODES.has(rc)) return tooLarge(ctx, `server says ${serverSays(e)}`);
  if (rc === 'OVERQUOTA') {
    return new DestinationError(
      'permanent',
      `${at}: the mailbox is over its quota (${serverSays(e)}); free space or raise the quota, then retry the held item`,
      options,
    );
  }
  if (e.code === 'ETHROTTLE' || rc === 'THROTTLED' || /throttl/i.test(e.responseText ?? '')) {
    const waited = e.throttleReset ?? DEFAULT_THROTTLE_MS;
    return new DestinationError('throttled', `${at}: the server asked to slow down (${serverSays(e)})`, {
      cause: err,
      retryAfterMs: waited,
    });
  }
  if (TRANSIENT_CODES.has(rc)) {
    return new DestinationError('transient', `${at}: the server is busy or unavailable (${serverSays(e)})`, options);
  }
  if (NETWORK_CODES.has(e.code ?? '')) {
    return new DestinationError('transient', `${at}: the connection failed (${e.code}: ${e.message})`, options);
  }
  if (rc === 'NOPERM' || rc === 'CANNOT' || rc === 'NONEXISTENT' || rc === 'READ-ONLY') {
    return new DestinationError(
      'permanent',
      `${at}: the server refused (${serverSays(e)}); give the login the right to create and write the folder`,
      options,
    );
  }
  if (/unavailable|try again|temporar|busy/i.test(e.responseText ?? '')) {
    // Uncoded but plainly passing, e.g. Exchange's "NO Server Unavailable. 15".
    return new DestinationError('transient', `${at}: the server is busy or unavailable (${serverSays(e)})`, options);
  }
  if (e.responseStatus === 'NO' || e.responseStatus === 'BAD') {
    // A refusal without a known code: most are lasting (a message the server will not take),
    // and a held item with the server's words is better than retrying it forever.
    return new DestinationError('permanent', `${at}: the server refused (${serverSays(e)})`, options);
  }
  return new DestinationError('transient', `${at}: ${e.message ?? 'unexpected failure'}`, options);
}
