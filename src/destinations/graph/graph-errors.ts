/**
 * Turns a refused Graph request into the delivery stage's vocabulary (transient, permanent,
 * auth, throttled), keeping Graph's own code and message, and saying what to do about it.
 * Classified by Graph's error code where the status alone is ambiguous (a 404 can mean the
 * mailbox does not exist, or only that the folder was deleted meanwhile).
 */
import { DestinationError } from '../types.js';

export interface GraphErrorInfo {
  code: string;
  message: string;
}

/** `{"error":{"code","message"}}` from a Graph body, or the OAuth `error`/`error_description` pair. */
export function graphErrorOf(body: unknown): GraphErrorInfo {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const e = b.error;
    if (e && typeof e === 'object') {
      const o = e as Record<string, unknown>;
      return { code: String(o.code ?? ''), message: String(o.message ?? '') };
    }
    if (typeof e === 'string') return { code: e, message: String(b.error_description ?? '') };
  }
  return { code: '', message: typeof body === 'string' ? body.slice(0, 300) : '' };
}

/** Graph codes meaning the mailbox itself is not there (or has no Exchange Online mailbox). */
const NO_MAILBOX = new Set([
  'ErrorInvalidUser',
  'MailboxNotEnabledForRESTAPI',
  'MailboxNotFound',
  'ErrorNonExistentMailbox',
]);

export function isMailboxMissing(status: number, info: GraphErrorInfo): boolean {
  return status === 404 && NO_MAILBOX.has(info.code);
}

/** A DestinationError that remembers the HTTP status Graph answered with. */
export class GraphRequestError extends DestinationError {
  readonly status: number;
  /** Graph's own error code, e.g. ErrorMessageSizeExceeded ('' when it sent none) */
  readonly graphCode: string;

  constructor(
    status: number,
    failure: DestinationError['failure'],
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number; graphCode?: string },
  ) {
    super(failure, message, options);
    this.status = status;
    this.graphCode = options?.graphCode ?? '';
  }
}

/**
 * Exchange refused an attachment because the message would grow past the mailbox's maximum
 * receive size (400 ErrorMessageSizeExceeded, sent part-way through an upload session).
 */
export function isMessageSizeExceeded(err: unknown): err is GraphRequestError {
  return err instanceof GraphRequestError && err.graphCode === 'ErrorMessageSizeExceeded';
}

function said(status: number, info: GraphErrorInfo): string {
  const detail = [info.code, info.message].filter(Boolean).join(': ');
  return detail ? `${status} ${detail}` : String(status);
}

/**
 * The error for a final, non-retried Graph answer. `what` names the operation and mailbox,
 * e.g. `creating item wecom:c:1 in zhang.wei@example.com`.
 */
export function destinationErrorFor(status: number, body: unknown, what: string, mailbox: string): GraphRequestError {
  const info = graphErrorOf(body);
  const text = said(status, info);
  if (status === 401) {
    return new GraphRequestError(
      status,
      'auth',
      `${what}: Graph refused the access token (${text}); check the tenant, client id and credential of the Graph destination`,
    );
  }
  if (status === 403) {
    return new GraphRequestError(
      status,
      'auth',
      `${what}: access denied (${text}); grant the app the Mail.ReadWrite application permission with admin consent, ` +
        `and if Exchange RBAC for Applications scopes the app, include ${mailbox} in its scope`,
    );
  }
  if (isMailboxMissing(status, info)) {
    return new GraphRequestError(
      status,
      'permanent',
      `${what}: mailbox ${mailbox} not found in Exchange Online (${text}); check the mapping of this participant`,
    );
  }
  if (status === 413) {
    return new GraphRequestError(status, 'permanent', `${what}: the request is larger than Graph accepts (${text})`);
  }
  if (status === 429) {
    return new GraphRequestError(status, 'throttled', `${what}: throttled by Graph (${text})`);
  }
  if (status === 404) {
    // The folder or message went away meanwhile (a user deleted it): worth another try,
    // which looks the folder up again.
    return new GraphRequestError(
      status,
      'transient',
      `${what}: not found (${text}); the folder or item was removed meanwhile`,
    );
  }
  if (status >= 500 || status === 408) {
    return new GraphRequestError(status, 'transient', `${what}: Graph failed for now (${text})`);
  }
  if (info.code === 'ErrorMessageSizeExceeded') {
    return new GraphRequestError(
      status,
      'permanent',
      `${what}: the message exceeds the mailbox's maximum receive size (${text}); lower maxMessageBytes of the ` +
        "destination to the tenant's limit, or raise the mailbox's MaxReceiveSize",
      { graphCode: info.code },
    );
  }
  return new GraphRequestError(status, 'permanent', `${what}: Graph refused the request (${text})`, {
    graphCode: info.code,
  });
}
