/**
 * One Gmail API request the way Google's guidance asks a client to behave: a bearer token for
 * the mailbox (fetched again once after a 401), rate limits obeyed (429, or 403 with a
 * rate-limit reason: wait as long as Google said, else exponential backoff with jitter, and
 * hold back meanwhile the whole mailbox for a user's limit, or every mailbox for the project's
 * limit), bounded retries, and a typed DestinationError at the end. A wait too long to keep
 * in place is handed back saying what it pauses: the mailbox, or the whole destination.
 *
 * A request whose effect is unknown after a failure (a dropped connection, a 5xx on an
 * import) is not repeated here: the caller looks before it tries again. Rate-limit refusals
 * are repeated even for imports, because Google refuses them before doing any work.
 */
import { backoffMs as jitteredBackoff } from '../../core/backoff.js';
import { DestinationError } from '../types.js';
import {
  apiErrorFor,
  googleErrorOf,
  googleWaitMs,
  GoogleRequestError,
  isRateLimited,
  rateLimitScope,
} from './google-errors.js';
import { describe, type GmailTokens } from './token.js';

export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export interface GmailHttpOptions {
  fetch: typeof fetch;
  tokens: GmailTokens;
  clock: Clock;
  random: () => number;
  maxRetries: number;
  maxRetryWaitMs: number;
  timeoutMs: number;
}

export interface GmailCall {
  /** the mailbox the request acts as (and whose quota it uses) */
  mailbox: string;
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  /** for messages: what was being done, e.g. `importing item K into M` */
  what: string;
  json?: unknown;
  body?: Buffer | string;
  headers?: Record<string, string>;
  /** safe to send again when its outcome is unknown (network failure, 5xx) */
  idempotent: boolean;
  /** statuses other than 2xx the caller handles itself */
  accept?: number[];
}

export interface GmailReply {
  status: number;
  headers: Headers;
  /** parsed JSON body, the text when not JSON, undefined when empty */
  body: unknown;
}

/** Backoff when Google names no wait: 1 s doubling to 64 s, half of it random (Google's advice). */
const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 64_000;

export function backoffMs(attempt: number, random: () => number): number {
  return jitteredBackoff(attempt, { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS, random });
}

/** The key under which the project-wide wait is kept, beside the mailboxes' own. */
const PROJECT = '*';

export class GmailHttp {
  /** per mailbox (and PROJECT for all): no request before this time (ms), after Google asked to wait */
  private readonly blockedUntil = new Map<string, number>();

  constructor(readonly o: GmailHttpOptions) {}

  async send(call: GmailCall): Promise<GmailReply> {
    let refreshed = false;
    let fresh = false;
    for (let attempt = 0; ; attempt++) {
      await this.waitForMailbox(call);
      let reply: GmailReply;
      try {
        reply = await this.once(call, fresh);
      } catch (err) {
        // A DestinationError comes from the token source: nothing reached Gmail, so a passing
        // fault there is safe to retry for any request.
        const unsent = err instanceof DestinationError;
        if (unsent && err.failure !== 'transient') throw err;
        if ((!unsent && !call.idempotent) || attempt >= this.o.maxRetries) {
          if (unsent) throw err;
          throw new GoogleRequestError(0, 'transient', `${call.what}: no answer from Gmail (${describe(err)})`, {
            cause: err,
          });
        }
        await this.o.clock.sleep(backoffMs(attempt, this.o.random));
        continue;
      } finally {
        fresh = false;
      }
      const { status } = reply;
      if ((status >= 200 && status < 300) || call.accept?.includes(status)) return reply;
      if (status === 401 && !refreshed) {
        // An expired or revoked token: ask for a new one and try again, once.
        refreshed = true;
        fresh = true;
        attempt--;
        continue;
      }
      const info = googleErrorOf(reply.body);
      if (isRateLimited(status, info)) {
        const wait = googleWaitMs(reply.headers.get('retry-after'), info, this.o.clock.now());
        const delay = wait ?? backoffMs(attempt, this.o.random);
        const project = rateLimitScope(info) === 'project';
        this.block(project ? PROJECT : call.mailbox, delay);
        if (attempt >= this.o.maxRetries || delay > this.o.maxRetryWaitMs) {
          const base = apiErrorFor(status, reply.body, call.what, call.mailbox);
          const scope = project ? "the project's quota: every mailbox waits" : `${call.mailbox} waits`;
          throw new GoogleRequestError(status, 'throttled', `${base.message}; ${scope} ${Math.ceil(delay / 1000)} s`, {
            retryAfterMs: delay,
            google: info,
            pause: project ? 'destination' : 'mailbox',
          });
        }
        continue;
      }
      if ((status >= 500 || status === 408) && call.idempotent && attempt < this.o.maxRetries) {
        await this.o.clock.sleep(backoffMs(attempt, this.o.random));
        continue;
      }
      throw apiErrorFor(status, reply.body, call.what, call.mailbox);
    }
  }

  private block(mailbox: string, ms: number): void {
    const until = this.o.clock.now() + ms;
    if (until > (this.blockedUntil.get(mailbox) ?? 0)) this.blockedUntil.set(mailbox, until);
  }

  /** Waits out the project's and the mailbox's blocks, or hands a long one back at once. */
  private async waitForMailbox(call: GmailCall): Promise<void> {
    for (const key of [PROJECT, call.mailbox]) {
      const until = this.blockedUntil.get(key);
      if (until === undefined) continue;
      const left = until - this.o.clock.now();
      if (left <= 0) {
        this.blockedUntil.delete(key);
        continue;
      }
      if (left > this.o.maxRetryWaitMs) {
        const project = key === PROJECT;
        throw new GoogleRequestError(
          429,
          'throttled',
          `${call.what}: Gmail asked ${project ? 'every mailbox of the project' : call.mailbox} to wait; ` +
            `${Math.ceil(left / 1000)} s left`,
          { retryAfterMs: left, pause: project ? 'destination' : 'mailbox' },
        );
      }
      await this.o.clock.sleep(left);
    }
  }

  clear(): void {
    this.blockedUntil.clear();
  }

  private async once(call: GmailCall, fresh: boolean): Promise<GmailReply> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${await this.o.tokens.token(call.mailbox, fresh)}`,
      ...call.headers,
    };
    let body: string | Buffer | undefined = call.body;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = 'application/json; charset=UTF-8';
    }
    const res = await this.o.fetch(call.url, {
      method: call.method,
      headers,
      body,
      // 308 is the resumable protocol's "Resume Incomplete", not a redirect to follow.
      redirect: 'manual',
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
