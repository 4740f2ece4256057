/**
 * Turns a refused Google request into the delivery stage's vocabulary (transient, permanent,
 * auth, throttled), keeping Google's reason and message. Google reports quota both as 429
 * and as 403 with a rate-limit reason, so the status alone does not decide.
 */
import { DestinationError } from '../types.js';

export interface GoogleErrorInfo {
  /** `errors[0].reason` (e.g. rateLimitExceeded), or the OAuth `error` code (e.g. invalid_grant) */
  reason: string;
  /** the canonical status name, e.g. RESOURCE_EXHAUSTED, FAILED_PRECONDITION */
  status: string;
  message: string;
}

/** Reads `{"error":{"code","message","errors":[{reason}],"status"}}` or the OAuth `{error, error_description}`. */
export function googleErrorOf(body: unknown): GoogleErrorInfo {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const e = b.error;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      const first = Array.isArray(o.errors) ? (o.errors[0] as Record<string, unknown> | undefined) : undefined;
      return {
        reason: String(first?.reason ?? ''),
        status: String(o.status ?? ''),
        message: String(o.message ?? first?.message ?? ''),
      };
    }
    if (typeof e === 'string') return { reason: e, status: '', message: String(b.error_description ?? '') };
  }
  return { reason: '', status: '', message: typeof body === 'string' ? body.slice(0, 300) : '' };
}

/**
 * Per-user and per-project rate limits (Gmail usage limits page) and the daily limit. Google
 * answers them with 429, or with 403 and one of these reasons.
 */
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'dailyLimitExceeded', 'quotaExceeded']);

export function isRateLimited(status: number, info: GoogleErrorInfo): boolean {
  return status === 429 || (status === 403 && (RATE_REASONS.has(info.reason) || info.status === 'RESOURCE_EXHAUSTED'));
}

/**
 * What a rate limit applies to. rateLimitExceeded is the project's limit (every mailbox of
 * the destination waits), unless Google's message names a per-user quota metric;
 * userRateLimitExceeded and the daily limits are one user's.
 */
export function rateLimitScope(info: GoogleErrorInfo): 'project' | 'user' {
  if (info.reason === 'rateLimitExceeded' && !/per user|user-rate/i.test(info.message)) return 'project';
  return 'user';
}

/**
 * Gmail refused the message for a blocked attachment type: 400 "Invalid attachment" (reason
 * invalidArgument; some clients report badfile_checker in the message).
 */
export function isBlockedAttachmentRefusal(status: number, info: GoogleErrorInfo): boolean {
  return status === 400 && /invalid attachment|badfile/i.test(info.message);
}

/**
 * How long Google asked us to wait, in ms: the Retry-After header (delta-seconds or an
 * HTTP-date, RFC 9110 section 10.2.3), else the time Gmail writes into its rate-limit message
 * ("User-rate limit exceeded.  Retry after 2024-03-05T14:03:07.123Z").
 */
export function googleWaitMs(retryAfter: string | null, info: GoogleErrorInfo, now: number): number | undefined {
  const header = retryAfter?.trim();
  if (header) {
    if (/^\d+$/.test(header)) return Number(header) * 1000;
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const m = /Retry after (\d{4}-\d\d-\d\dT[\d:.]+Z)/i.exec(info.message);
  if (m?.[1]) {
    const at = Date.parse(m[1]);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return undefined;
}

/** A DestinationError that remembers the HTTP status Google answered with. */
export class GoogleRequestError extends DestinationError {
  readonly status: number;
  /** Google's own reason and message, when it sent them */
  readonly google: GoogleErrorInfo | undefined;

  constructor(
    status: number,
    failure: DestinationError['failure'],
    message: string,
    options?: {
      cause?: unknown;
      retryAfterMs?: number;
      google?: GoogleErrorInfo;
      pause?: 'mailbox' | 'destination';
    },
  ) {
    super(failure, message, options);
    this.name = 'GoogleRequestError';
    this.status = status;
    this.google = options?.google;
  }
}

export function said(status: number, info: GoogleErrorInfo): string {
  const detail = [info.reason || info.status, info.message].filter(Boolean).join(': ');
  return detail ? `${status} ${detail}` : String(status);
}

/**
 * The error for a final Gmail API answer. `what` names the operation and the mailbox, e.g.
 * `importing item wecom:c:1 into zhang.wei@example.com`.
 */
export function apiErrorFor(status: number, body: unknown, what: string, mailbox: string): GoogleRequestError {
  const info = googleErrorOf(body);
  const text = said(status, info);
  const err = (failure: DestinationError['failure'], message: string) =>
    new GoogleRequestError(status, failure, message, { google: info });
  if (status === 401) {
    return err('auth', `${what}: Google refused the access token (${text}); check the service account key`);
  }
  if (isRateLimited(status, info)) return err('throttled', `${what}: Gmail rate limit reached (${text})`);
  if (
    status === 403 &&
    (info.reason === 'insufficientPermissions' || /insufficient authentication scopes/i.test(text))
  ) {
    return err(
      'auth',
      `${what}: the token lacks a scope this call needs (${text}); authorize the service account's client id for ` +
        'gmail.insert, gmail.labels and gmail.readonly in the Admin console (Domain-wide delegation)',
    );
  }
  if (status === 403 && (info.reason === 'accessNotConfigured' || /SERVICE_DISABLED|has not been used/i.test(text))) {
    return err('auth', `${what}: the Gmail API is not enabled for the service account's project (${text})`);
  }
  if (status === 403) {
    return err(
      'permanent',
      `${what}: Google refused access to ${mailbox} (${text}); check the mapping of this mailbox`,
    );
  }
  if (status === 400 && (info.reason === 'failedPrecondition' || info.status === 'FAILED_PRECONDITION')) {
    // "Mail service not enabled", or "Precondition check failed" for an address the service
    // account cannot act as: a fact about this mailbox, not about our credentials.
    return err('permanent', `${what}: ${mailbox} cannot receive items through the Gmail API (${text})`);
  }
  if (status === 413) {
    return err('permanent', `${what}: the message is larger than Gmail accepts (${text})`);
  }
  if (status === 408 || status >= 500) return err('transient', `${what}: Gmail failed for now (${text})`);
  return err('permanent', `${what}: Gmail refused the request (${text})`);
}
