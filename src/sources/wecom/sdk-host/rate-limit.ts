/**
 * A token bucket for GetChatData, which WeCom allows at most 600 times a minute per corp.
 * Sized so that the burst plus a minute of refill never exceeds the limit: with capacity B and
 * rate (600 - B) per minute, no 60-second window can hold more than 600 calls.
 */
import { sleep } from './backoff.js';

export interface RateLimit {
  /** calls allowed in any 60-second window (WeCom: 600) */
  perMinute: number;
  /** calls that may go at once after a quiet spell; must be below perMinute */
  burst: number;
}

export const GET_CHAT_DATA_LIMIT: RateLimit = { perMinute: 600, burst: 20 };

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perMs: number;
  /** takers wait in order: a later caller never overtakes one already waiting */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<void> = sleep,
  ) {
    if (!(limit.burst >= 1 && limit.burst < limit.perMinute)) {
      throw new RangeError(`rate limit burst ${limit.burst} must be at least 1 and below ${limit.perMinute}`);
    }
    this.tokens = limit.burst;
    this.last = now();
    this.perMs = (limit.perMinute - limit.burst) / 60_000;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.limit.burst, this.tokens + (t - this.last) * this.perMs);
    this.last = t;
  }

  /** Resolves when one call may go. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        this.refill();
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return;
        }
        await this.wait(Math.ceil((1 - this.tokens) / this.perMs));
      }
    });
    this.queue = turn;
    return turn;
  }
}
