/**
 * One Graph request with everything Microsoft asks of a well-behaved client: a bearer token
 * (refreshed once on 401), at most N requests in flight per mailbox, Retry-After obeyed on
 * 429 and 503 (and applied to the whole mailbox), exponential backoff with jitter when the
 * server gives no wait, bounded retries, and a typed DestinationError at the end.
 *
 * Requests that create something (POST) are retried here only after 429, which Graph sends
 * before doing any work; after any other failure the item may or may not exist, so the
 * caller looks before it tries again (see deliver.ts).
 */
import { backoffMs as jitteredBackoff } from '../../core/backoff.js';
import { DestinationError } from '../types.js';
import { destinationErrorFor, GraphRequestError } from './graph-errors.js';
import type { LimiterClock, MailboxLimiter } from './mailbox-limiter.js';

export interface TokenSource {
  /** a bearer token; `fresh` skips any cached one (after a 401) */
  token(fresh?: boolean): Promise<string>;
}

export interface GraphHttpOptions {
  fetch: typeof fetch;
  tokens: TokenSource;
  limiter: MailboxLimiter;
  clock: LimiterClock;
  random: () => number;
  maxRetries: number;
  maxRetryWaitMs: number;
  timeoutMs: number;
}

export interface GraphCall {
  /** the mailbox the request counts against */
  mailbox: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  /** for messages: what was being done, e.g. `creating item K in M` */
  what: string;
  json?: unknown;
  bytes?: Buffer;
  headers?: Record<string, string>;
  /** false for pre-authenticated upload URLs, which must not carry an Authorization header */
  bearer?: boolean;
  /** statuses other than 2xx the caller handles itself */
  accept?: number[];
  /** file bytes this request uploads (counted against the mailbox's upload volume) */
  uploadBytes?: number;
}

export interface GraphReply {
  status: number;
  headers: Headers;
  /** parsed JSON body, or undefined when empty or not JSON */
  body: unknown;
}

/** Backoff when the server names no wait: 1 s doubling to 60 s, half of it random. */
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

export function backoffMs(attempt: number, random: () => number): number {
  return jitteredBackoff(attempt, { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS, random });
}

/** Retry-After in ms: delta-seconds or an HTTP-date (RFC 9110 section 10.2.3). */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class GraphHttp {
  constructor(private readonly o: GraphHttpOptions) {}

  async send(call: GraphCall): Promise<GraphReply> {
    const idempotent = call.method !== 'POST';
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const fresh = refreshed && attempt === 0;
      const budgetWait = this.o.limiter.budgetWait(call.mailbox);
      if (budgetWait > this.o.maxRetryWaitMs) {
        throw new DestinationError(
          'throttled',
          `${call.what}: the mailbox's request budget (requestsPer10Minutes) is spent for ${Math.ceil(budgetWait / 1000)} s`,
          { retryAfterMs: budgetWait },
        );
      }
      let reply: GraphReply;
      try {
        reply = await this.o.limiter.run(call.mailbox, () => this.once(call, fresh), call.uploadBytes);
      } catch (err) {
        // Network failure or timeout: the server may have done the work.
        if (err instanceof DestinationError) throw err;
        if (!idempotent || attempt >= this.o.maxRetries) {
          throw new DestinationError('transient', `${call.what}: no answer from Graph (${describe(err)})`, {
            cause: err,
          });
        }
        await this.o.clock.sleep(backoffMs(attempt, this.o.random));
        continue;
      }
      const { status } = reply;
      if ((status >= 200 && status < 300) || call.accept?.includes(status)) return reply;
      if (status === 401 && call.bearer !== false && !refreshed) {
        // An expired or revoked token: fetch a new one and try again, once.
        refreshed = true;
        attempt = -1;
        continue;
      }
      const retryable = status === 429 || status === 503 || status === 502 || status === 504;
      if (!retryable) throw destinationErrorFor(status, reply.body, call.what, call.mailbox);
      const named = retryAfterMs(reply.headers.get('retry-after'), this.o.clock.now());
      const last = { status, body: reply.body };
      if (status !== 429 && !idempotent) {
        // The work may have been done: the caller looks before trying again, after this wait.
        const base = destinationErrorFor(status, reply.body, call.what, call.mailbox);
        throw new GraphRequestError(status, 'transient', base.message, { retryAfterMs: named });
      }
      if (attempt >= this.o.maxRetries) throw this.giveUp(call, last, named);
      const wait = named ?? backoffMs(attempt, this.o.random);
      if (wait > this.o.maxRetryWaitMs) throw this.giveUp(call, last, wait);
      this.o.limiter.block(call.mailbox, wait);
    }
  }

  private giveUp(
    call: GraphCall,
    last: { status: number; body: unknown },
    waitMs: number | undefined,
  ): DestinationError {
    const base = destinationErrorFor(last.status, last.body, call.what, call.mailbox);
    if (waitMs !== undefined) {
      const message = `${base.message}; Graph asked to wait ${Math.ceil(waitMs / 1000)} s`;
      return new GraphRequestError(last.status, 'throttled', message, { retryAfterMs: waitMs });
    }
    return new GraphRequestError(last.status, 'transient', base.message);
  }

  private async once(call: GraphCall, fresh: boolean): Promise<GraphReply> {
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    // Immutable ids survive a user moving the item to another folder.
    if (call.bearer !== false) {
      headers.authorization = `Bearer ${await this.o.tokens.token(fresh)}`;
      headers.prefer = 'IdType="ImmutableId"';
    }
    let body: string | Buffer | undefined;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = 'application/json';
    } else if (call.bytes) {
      body = call.bytes;
    }
    const res = await this.o.fetch(call.url, {
      method: call.method,
      headers,
      body,
      signal: AbortSignal.timeout(this.o.timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.name === 'TimeoutError' ? 'timed out' : err.message}${cause}`;
  }
  return String(err);
}
