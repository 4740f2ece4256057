/**
 * Throttling and faults of the Graph emulator. Exchange Online limits each app per mailbox
 * to 4 concurrent requests, 10,000 requests in 10 minutes and 150 MB uploaded in 5 minutes
 * (Microsoft Graph throttling limits, "Outlook service limits":
 * https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits) and answers 429
 * with Retry-After beyond them; all three are enforced here (configurable so tests can reach
 * them quickly; the upload volume counts the bytes of upload PUTs and inline attachments),
 * with the highest concurrency ever attempted per mailbox recorded for assertions. Faults are
 * scripted: N answers of a status (503, or a 429 storm with a Retry-After), or a connection
 * dropped after the server has done the work.
 */

export interface FaultRule {
  status: number;
  /** how many matching requests get it */
  count: number;
  retryAfterSeconds?: number;
  mailbox?: string;
  method?: string;
  /** applies only to requests whose path contains this */
  pathIncludes?: string;
  code?: string;
}

export type DropPoint = 'after-create-message' | 'after-attach' | 'after-chunk';

export interface Admission {
  ok: boolean;
  retryAfterSeconds?: number;
  code?: string;
  message?: string;
}

export class MailboxLimits {
  private readonly inFlight = new Map<string, number>();
  private readonly windows = new Map<string, number[]>();
  /** highest number of concurrent requests attempted per mailbox (a refused one included) */
  readonly maxConcurrency = new Map<string, number>();
  /** requests per mailbox, refused ones included */
  readonly requests = new Map<string, number>();
  /** 429s sent per mailbox, by reason */
  readonly throttled = { concurrency: 0, rate: 0, fault: 0 };

  constructor(
    private readonly o: {
      concurrency: number;
      concurrencyRetryAfterSeconds: number;
      rate: { requests: number; windowMs: number };
      /** bytes uploaded per mailbox in any window */
      upload: { bytes: number; windowMs: number };
      now: () => number;
    },
  ) {}

  private readonly uploads = new Map<string, { at: number; bytes: number }[]>();
  /** 429s sent for the upload volume, per mailbox */
  readonly volumeThrottled = new Map<string, number>();

  /**
   * Admits `bytes` of upload for the mailbox inside the sliding volume window, or answers how
   * long until enough of the window's volume has aged out. Exchange publishes no message text
   * for this limit; the code is the one all its mailbox limits share.
   */
  admitBytes(mailbox: string, bytes: number): Admission {
    const m = mailbox.toLowerCase();
    const now = this.o.now();
    const window = (this.uploads.get(m) ?? []).filter((u) => u.at > now - this.o.upload.windowMs);
    this.uploads.set(m, window);
    let used = window.reduce((n, u) => n + u.bytes, 0);
    if (used + bytes > this.o.upload.bytes) {
      let freeAt = now;
      for (const u of window) {
        if (used + bytes <= this.o.upload.bytes) break;
        used -= u.bytes;
        freeAt = u.at + this.o.upload.windowMs;
      }
      this.volumeThrottled.set(m, (this.volumeThrottled.get(m) ?? 0) + 1);
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now) / 1000)),
        code: 'ApplicationThrottled',
        message: 'Application is over its MailboxUploadVolume limit.',
      };
    }
    window.push({ at: now, bytes });
    return { ok: true };
  }

  /** Admits a request for `mailbox` or says why not; an admitted request must be `release`d. */
  admit(mailbox: string): Admission {
    const m = mailbox.toLowerCase();
    this.requests.set(m, (this.requests.get(m) ?? 0) + 1);
    const current = (this.inFlight.get(m) ?? 0) + 1;
    this.maxConcurrency.set(m, Math.max(this.maxConcurrency.get(m) ?? 0, current));
    if (current > this.o.concurrency) {
      this.throttled.concurrency++;
      return {
        ok: false,
        retryAfterSeconds: this.o.concurrencyRetryAfterSeconds,
        code: 'ApplicationThrottled',
        message: 'Application is over its MailboxConcurrency limit.',
      };
    }
    const now = this.o.now();
    const window = (this.windows.get(m) ?? []).filter((t) => t > now - this.o.rate.windowMs);
    this.windows.set(m, window);
    if (window.length >= this.o.rate.requests) {
      this.throttled.rate++;
      const oldest = window[0] ?? now;
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.o.rate.windowMs - now) / 1000)),
        code: 'ApplicationThrottled',
        message: 'Application is over its MailboxRequestsPerWindow limit.',
      };
    }
    window.push(now);
    this.inFlight.set(m, current);
    return { ok: true };
  }

  release(mailbox: string): void {
    const m = mailbox.toLowerCase();
    this.inFlight.set(m, Math.max(0, (this.inFlight.get(m) ?? 0) - 1));
  }

  inFlightNow(mailbox: string): number {
    return this.inFlight.get(mailbox.toLowerCase()) ?? 0;
  }
}

export class Faults {
  private readonly rules: FaultRule[] = [];
  private readonly drops = new Map<DropPoint, number>();
  /** faults actually delivered, for assertions */
  readonly fired: { status: number; method: string; path: string }[] = [];
  readonly dropped: DropPoint[] = [];

  /** The next `count` matching requests are answered with `status` (and Retry-After if given). */
  failNext(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  /** A 429 storm: the next `count` requests are throttled with this Retry-After. */
  throttleStorm(count: number, retryAfterSeconds: number, mailbox?: string): void {
    this.failNext({ status: 429, count, retryAfterSeconds, mailbox, code: 'ApplicationThrottled' });
  }

  /** The next `count` times the server reaches `point`, it keeps the work and drops the connection. */
  dropConnection(point: DropPoint, count = 1): void {
    this.drops.set(point, (this.drops.get(point) ?? 0) + count);
  }

  /** Exchange is healthy again: forget every fault not yet delivered. */
  clear(): void {
    this.rules.length = 0;
    this.drops.clear();
  }

  match(method: string, path: string, mailbox: string | undefined): FaultRule | undefined {
    const rule = this.rules.find(
      (r) =>
        r.count > 0 &&
        (!r.method || r.method === method) &&
        (!r.pathIncludes || path.includes(r.pathIncludes)) &&
        (!r.mailbox || r.mailbox.toLowerCase() === mailbox?.toLowerCase()),
    );
    if (!rule) return undefined;
    rule.count--;
    this.fired.push({ status: rule.status, method, path });
    return rule;
  }

  shouldDrop(point: DropPoint): boolean {
    const n = this.drops.get(point) ?? 0;
    if (n <= 0) return false;
    this.drops.set(point, n - 1);
    this.dropped.push(point);
    return true;
  }
}
