/**
 * What WeCom's `errcode` values mean to a connector: retry, refresh the token, stop the
 * connector, or give up on this one lookup. Codes and meanings from the vendor's global error
 * code table (developer.work.weixin.qq.com/document/path/90313) and the archive API pages.
 */
import { ArchiverError } from '../../../core/errors.js';
import type { ErrorCode } from '../../../core/errors.js';

/** The answer to one call was not errcode 0: keeps the vendor's code for callers and logs. */
export class WecomApiError extends ArchiverError {
  readonly errcode: number;
  /** the API path, e.g. `msgaudit/groupchat/get` */
  readonly api: string;

  constructor(code: ErrorCode, api: string, errcode: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'WecomApiError';
    this.errcode = errcode;
    this.api = api;
  }
}

/** system busy: the vendor asks for a retry (at most three, it says) */
export const ERR_BUSY = -1;

/** The access token is unusable: fetch a new one once and repeat the call. */
export const TOKEN_ERRORS: ReadonlySet<number> = new Set([
  /** invalid credential (a token from a reset secret) */
  40001 /** invalid access_token */, 40014 /** access_token expired */, 42001,
]);

/** Passing faults worth a retry with backoff. */
export const RETRYABLE_ERRORS: ReadonlySet<number> = new Set([
  ERR_BUSY,
  /** call frequency over the limit; lifted after the limit's own period */
  45009,
  /** too many concurrent calls to one API */
  45033,
]);

/** The object does not exist (or is not visible to this secret's app). */
const NOT_FOUND_ERRORS: ReadonlySet<number> = new Set([
  /** invalid UserID */
  40003 /** chatid does not exist */, 40050 /** invalid external contact userid */,
  40096 /** the user does not exist */, 46004 /** UserID does not exist */,
  60111 /** no external-contact relation for this id */, 84061,
]);

/** Why gettoken refused: all mean the corp id or the secret is wrong. */
const CREDENTIAL_ERRORS: ReadonlySet<number> = new Set([
  /** invalid secret */
  40001 /** invalid corpid */, 40013 /** secret of another corp */, 40091 /** corpid missing */,
  41002 /** secret missing */, 41004,
]);

/** The typed error for a non-zero errcode of `api` (after any retries and token refresh). */
export function wecomError(api: string, errcode: number, errmsg: string, corpId: string): WecomApiError {
  const said = `WeCom ${api} answered errcode ${errcode} (${errmsg || 'no message'})`;
  const make = (code: ErrorCode, advice: string): WecomApiError =>
    new WecomApiError(code, api, errcode, `${said}: ${advice}`);

  if (api === 'gettoken' && CREDENTIAL_ERRORS.has(errcode)) {
    return make(
      'WXA_SOURCE_AUTH',
      `corp ${corpId} refused the secret; check the corp id and the secret in the admin console`,
    );
  }
  if (errcode === 301052) {
    return make(
      'WXA_SOURCE_SUBSCRIPTION',
      `the archive subscription of corp ${corpId} has expired; renew it, then restart the connector`,
    );
  }
  if (errcode === 48002) {
    return make(
      'WXA_SOURCE_AUTH',
      'this secret may not call this API (msgaudit/* needs the archive secret, user/get a contacts-capable app secret, externalcontact/* the customer-contact secret)',
    );
  }
  if (errcode === 60020) {
    return make(
      'WXA_SOURCE_FORBIDDEN',
      "this server's IP is not on the app's trusted IP list; add it in the admin console",
    );
  }
  if (TOKEN_ERRORS.has(errcode)) {
    return make('WXA_SOURCE_AUTH', 'a freshly fetched access token was refused too; check the secret');
  }
  if (NOT_FOUND_ERRORS.has(errcode)) return make('WXA_NOT_FOUND', 'no such object for this corp');
  if (RETRYABLE_ERRORS.has(errcode))
    return make('WXA_SOURCE_FAILED', 'still failing after retries; the next run tries again');
  return make('WXA_SOURCE_REFUSED', 'the request was refused');
}
