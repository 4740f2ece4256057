/**
 * Access tokens for the Gmail API from a service account with domain-wide delegation: a JWT
 * signed with the account's key (RS256) names the mailbox in `sub` and is exchanged at the
 * token endpoint (grant type jwt-bearer, RFC 7523). One token per mailbox, reused until five
 * minutes before it expires; concurrent callers for a mailbox share one request.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { DestinationError } from '../types.js';
import type { GmailDestinationConfig } from './config.js';
import { googleErrorOf, said } from './google-errors.js';

const REFRESH_BEFORE_MS = 5 * 60_000;
/** Google refuses assertions valid for more than an hour. */
const ASSERTION_TTL_S = 3600;
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

type ServiceAccount = GmailDestinationConfig['serviceAccount'];

export interface AssertionClaims {
  iss: string;
  sub?: string;
  scope: string;
  aud: string;
  iat: number;
  exp: number;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** A compact JWS (RS256) of the claims: what Google's token endpoint takes as `assertion`. */
export function signAssertion(claims: AssertionClaims, key: KeyObject, keyId?: string): string {
  const header = keyId ? { alg: 'RS256', typ: 'JWT', kid: keyId } : { alg: 'RS256', typ: 'JWT' };
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input, 'ascii'), key).toString('base64url')}`;
}

/** invalid_grant descriptions that mean "this user does not exist" (Google's JWT error table). */
const UNKNOWN_USER = /Invalid email or User ID|Not a valid email|account has been deleted|Invalid impersonation/i;
/** Refusals of the delegation itself, which may concern only some mailboxes (another domain). */
const DELEGATION_REFUSED = new Set(['unauthorized_client', 'access_denied', 'admin_policy_enforced']);

function hint(reason: string, message: string, sa: ServiceAccount, scopes: readonly string[]): string {
  if (DELEGATION_REFUSED.has(reason)) {
    return (
      `in the Admin console (Security > API controls > Domain-wide delegation) authorize the client id of ` +
      `${sa.client_email} for ${scopes.join(',')}; a new grant can take up to 24 h to reach every user`
    );
  }
  if (/JWT Signature/i.test(message))
    return `the key is not (or no longer) a key of ${sa.client_email}; create a new JSON key`;
  if (/short-lived|timeframe/i.test(message)) return "check this server's clock (the JWT iat/exp are out of range)";
  if (reason === 'invalid_client' || reason === 'deleted_client' || reason === 'disabled_client') {
    return `check that ${sa.client_email} exists and is enabled`;
  }
  return 'check the service account key';
}

/**
 * What a refused token request means for the delivery stage. A refusal that names this
 * mailbox (unknown user) is permanent for that delivery only. A refused delegation pauses the
 * connector, unless the same credentials already worked for another mailbox: then the fault
 * is this mailbox's (e.g. outside the authorized domain) and must not stop everyone else.
 */
export function tokenErrorFor(
  status: number,
  body: unknown,
  sa: ServiceAccount,
  mailbox: string | undefined,
  provenElsewhere: boolean,
  scopes: readonly string[],
): DestinationError {
  const info = googleErrorOf(body);
  const text = said(status, info);
  const who = mailbox
    ? `service account ${sa.client_email} acting as ${mailbox}`
    : `service account ${sa.client_email}`;
  if (status >= 500 || status === 429 || status === 408) {
    return new DestinationError('transient', `Google could not issue a token for ${who} (${text})`);
  }
  if (mailbox && info.reason === 'invalid_grant' && UNKNOWN_USER.test(info.message)) {
    return new DestinationError(
      'permanent',
      `Google does not know ${mailbox} as a Workspace user (${text}); check the mapping of this mailbox`,
    );
  }
  if (mailbox && provenElsewhere && DELEGATION_REFUSED.has(info.reason)) {
    return new DestinationError(
      'permanent',
      `Google refused to let ${who} (${text}) although the delegation works for other mailboxes; ` +
        `${mailbox} is probably outside the authorized Workspace domain (fix the mapping), or the grant has not reached it yet`,
    );
  }
  return new DestinationError(
    'auth',
    `Google refused the credentials of ${who} (${text}); ${hint(info.reason, info.message, sa, scopes)}`,
  );
}

export interface TokenSourceOptions {
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  scopes: readonly string[];
}

export interface GmailTokens {
  /** a bearer token acting as `mailbox` (undefined: as the service account itself); `fresh` skips the cache */
  token(mailbox: string | undefined, fresh?: boolean): Promise<string>;
  clear(): void;
}

export function serviceAccountTokens(sa: ServiceAccount, o: TokenSourceOptions): GmailTokens {
  let key: KeyObject | undefined;
  const cache = new Map<string, { token: string; refreshAt: number }>();
  const pending = new Map<string, Promise<string>>();
  /** mailboxes the delegation has worked for */
  const proven = new Set<string>();

  function privateKey(): KeyObject {
    if (key) return key;
    try {
      key = createPrivateKey(sa.private_key);
      return key;
    } catch (err) {
      throw new DestinationError(
        'auth',
        `the private_key of service account ${sa.client_email} cannot be read (${(err as Error).message}); ` +
          'paste private_key from the JSON key file with its line breaks',
        { cause: err },
      );
    }
  }

  async function request(mailbox: string | undefined): Promise<string> {
    const iat = Math.floor(o.now() / 1000);
    const claims: AssertionClaims = {
      iss: sa.client_email,
      ...(mailbox ? { sub: mailbox } : {}),
      scope: o.scopes.join(' '),
      aud: sa.token_uri,
      iat,
      exp: iat + ASSERTION_TTL_S,
    };
    const assertion = signAssertion(claims, privateKey(), sa.private_key_id);
    let res: Response;
    let text: string;
    try {
      res = await o.fetch(sa.token_uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      throw new DestinationError(
        'transient',
        `could not reach Google's token endpoint ${sa.token_uri} (${describe(err)})`,
        {
          cause: err,
        },
      );
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the message
    }
    const provenElsewhere = [...proven].some((m) => m !== mailbox);
    if (!res.ok) throw tokenErrorFor(res.status, body, sa, mailbox, provenElsewhere, o.scopes);
    const b = body as { access_token?: unknown; expires_in?: unknown };
    if (typeof b.access_token !== 'string') {
      throw new DestinationError(
        'transient',
        `Google's token endpoint answered without an access_token (${res.status})`,
      );
    }
    const ttlMs = (typeof b.expires_in === 'number' ? b.expires_in : 3600) * 1000;
    cache.set(mailbox ?? '', { token: b.access_token, refreshAt: o.now() + ttlMs - REFRESH_BEFORE_MS });
    if (mailbox) proven.add(mailbox);
    return b.access_token;
  }

  return {
    token(mailbox, fresh = false) {
      const slot = mailbox ?? '';
      const hit = cache.get(slot);
      if (!fresh && hit && o.now() < hit.refreshAt) return Promise.resolve(hit.token);
      if (fresh) cache.delete(slot);
      let p = pending.get(slot);
      if (!p) {
        p = request(mailbox).finally(() => pending.delete(slot));
        pending.set(slot, p);
      }
      return p;
    },
    clear() {
      cache.clear();
    },
  };
}

export function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.name === 'TimeoutError' ? 'timed out' : err.message}${cause}`;
  }
  return String(err);
}
