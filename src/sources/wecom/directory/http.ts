/**
 * One WeCom HTTP API call done the way the vendor asks: a cached access token per secret
 * (fetched again once when the server calls it invalid or expired), retries with backoff and
 * jitter on network errors, HTTP 5xx and "system busy" (errcode -1), calls spaced by a rate
 * limit, and a typed error at the end. The secret never appears in an error or a log line.
 */
import { wellFormedDeep } from '../../../core/well-formed.js';
import { ArchiverError } from '../../../core/errors.js';
import type { RateLimiter } from './rate-limit.js';
import { createTokenCache } from './token-cache.js';
import { RETRYABLE_ERRORS, TOKEN_ERRORS, wecomError } from './wecom-errors.js';

/** Every WeCom answer carries these; 0 is success. */
export interface WecomReply {
  errcode: number;
  errmsg: string;
}

export interface ApiRequest {
  /** path below the base URL, e.g. `msgaudit/groupchat/get` */
  api: string;
  method: 'GET' | 'POST';
  /** whose access token to use */
  secret: string;
  query?: Record<string, string>;
  body?: unknown;
}

export interface RetryLogger {
  warn(obj: object, msg: string): void;
}

export interface ApiCallerOptions {
  corpId: string;
  baseUrl: string;
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  limiter: RateLimiter;
  /** retries after the first attempt of a passing fault */
  maxRetries: number;
  /** per HTTP request, ms */
  timeoutMs: number;
  logger?: RetryLogger;
}

/** A successful answer: errcode 0 and whatever fields the API returns, read by replies.ts. */
export type ApiReply = WecomReply & Record<string, unknown>;

export interface ApiCaller {
  call(req: ApiRequest): Promise<ApiReply>;
}

/** Backoff between retries: 500 ms doubling up to 8 s, the upper half of it random. */
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8000;

export function backoffMs(attempt: number, random: () => number): number {
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 20));
  return Math.round(cap / 2 + (cap / 2) * random());
}

type Attempt = { ok: true; reply: ApiReply } | { ok: false; reason: string; cause?: unknown };

export function createApiCaller(opts: ApiCallerOptions): ApiCaller {
  const base = opts.baseUrl.endsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`;

  async function attempt(req: Omit<ApiRequest, 'secret'>): Promise<Attempt> {
    await opts.limiter.take();
    const url = new URL(req.api, base);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await opts.fetch(url, {
        method: req.method,
        headers: req.body === undefined ? undefined : { 'content-type': 'application/json' },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
    } catch (err) {
      return { ok: false, reason: `network error (${err instanceof Error ? err.message : String(err)})`, cause: err };
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 500) return { ok: false, reason: `HTTP ${res.status}` };
    if (res.status !== 200) {
      throw new ArchiverError('WXA_SOURCE_REFUSED', `WeCom ${req.api} answered HTTP ${res.status}; check the base URL`);
    }
    let json: unknown;
    try {
      // Names and titles become text columns and mail headers: lone surrogates made U+FFFD here.
      json = wellFormedDeep(JSON.parse(text) as unknown).value;
    } catch (err) {
      // a proxy's error page or a cut-off body: passes like a 5xx does
      return { ok: false, reason: 'a body that is not JSON', cause: err };
    }
    const reply = json as Partial<WecomReply> & Record<string, unknown>;
    if (typeof json !== 'object' || json === null || typeof reply.errcode !== 'number') {
      // every documented answer has errcode; anything else came from something in between
      return { ok: false, reason: 'a JSON body without errcode' };
    }
    return { ok: true, reply: { ...reply, errcode: reply.errcode, errmsg: String(reply.errmsg ?? '') } };
  }

  /** The request until it succeeds, fails for good, or runs out of retries on passing faults. */
  async function withRetries(req: Omit<ApiRequest, 'secret'>): Promise<ApiReply> {
    for (let n = 0; ; n++) {
      const got = await attempt(req);
      const passing = !got.ok || RETRYABLE_ERRORS.has(got.reply.errcode);
      if (!passing) return got.reply;
      const reason = got.ok ? `errcode ${got.reply.errcode} (${got.reply.errmsg})` : got.reason;
      if (n >= opts.maxRetries) {
        if (got.ok) return got.reply;
        throw new ArchiverError(
          'WXA_SOURCE_FAILED',
          `WeCom ${req.api} failed with ${reason} after ${n + 1} attempts; the next run tries again`,
          { cause: got.ok ? undefined : got.cause },
        );
      }
      const wait = backoffMs(n, opts.random);
      opts.logger?.warn({ api: req.api, attempt: n + 1, waitMs: wait }, `WeCom ${req.api}: ${reason}; retrying`);
      await opts.sleep(wait);
    }
  }

  const tokens = createTokenCache(async (secret) => {
    const reply = await withRetries({
      api: 'gettoken',
      method: 'GET',
      query: { corpid: opts.corpId, corpsecret: secret },
    });
    if (reply.errcode !== 0) throw wecomError('gettoken', reply.errcode, reply.errmsg, opts.corpId);
    const { access_token: token, expires_in: expiresIn } = reply;
    if (typeof token !== 'string' || token === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new ArchiverError('WXA_SOURCE_FAILED', 'WeCom gettoken answered without access_token or expires_in');
    }
    return { token, expiresInSeconds: expiresIn };
  }, opts.now);

  return {
    async call(req: ApiRequest): Promise<ApiReply> {
      const { secret, ...rest } = req;
      for (let refreshed = false; ; refreshed = true) {
        const token = await tokens.get(secret);
        const reply = await withRetries({ ...rest, query: { ...rest.query, access_token: token } });
        if (reply.errcode === 0) return reply;
        if (TOKEN_ERRORS.has(reply.errcode) && !refreshed) {
          tokens.invalidate(secret, token);
          continue;
        }
        throw wecomError(req.api, reply.errcode, reply.errmsg, opts.corpId);
      }
    },
  };
}
