/**
 * Per-mailbox admission for Graph requests. Exchange allows an app 4 concurrent requests,
 * 10,000 requests in 10 minutes and 150 MB of uploads in 5 minutes per mailbox and throttles
 * the mailbox as a whole, so the slot count, the request and byte budgets and a Retry-After
 * apply to every request for that mailbox: when
 * one request is told to wait, the others queued for the mailbox wait with it, and a backlog
 * is spread over the window instead of spending it in a burst and then being refused.
 */

export interface LimiterClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

interface MailboxState {
  active: number;
  waiters: (() => void)[];
  /** ms on the clock before which no request for this mailbox is sent */
  blockedUntil: number;
  /** send times inside the current budget window, oldest first */
  sent: number[];
  /** uploads inside the current volume window, oldest first */
  uploads: { at: number; bytes: number }[];
}

export interface RequestBudget {
  requests: number;
  windowMs: number;
}

export interface UploadBudget {
  bytes: number;
  windowMs: number;
}

export class MailboxLimiter {
  private readonly mailboxes = new Map<string, MailboxState>();

  constructor(
    private readonly slots: number,
    private readonly clock: LimiterClock,
    private readonly budget: RequestBudget = { requests: Number.POSITIVE_INFINITY, windowMs: 1 },
    private readonly upload: UploadBudget = { bytes: Number.POSITIVE_INFINITY, windowMs: 1 },
  ) {}

  private state(mailbox: string): MailboxState {
    const key = mailbox.toLowerCase();
    let s = this.mailboxes.get(key);
    if (!s) {
      s = { active: 0, waiters: [], blockedUntil: 0, sent: [], uploads: [] };
      this.mailboxes.set(key, s);
    }
    return s;
  }

  /**
   * Runs `fn` holding one of the mailbox's slots, after any wait the mailbox is under. The
   * slot is held for the whole exchange (response body included) because the server counts
   * a request as in flight until its response is complete.
   */
  async run<T>(mailbox: string, fn: () => Promise<T>, uploadBytes = 0): Promise<T> {
    const s = this.state(mailbox);
    await this.waitUnblocked(s);
    // Paced before taking a slot, so a waiting upload does not hold up the mailbox's lookups.
    if (uploadBytes > 0) await this.reserveBytes(s, uploadBytes);
    if (s.active >= this.slots) await new Promise<void>((resolve) => s.waiters.push(resolve));
    else s.active++;
    try {
      // A Retry-After may have arrived while this request waited for its slot.
      await this.waitUnblocked(s);
      for (let wait = this.budgetWaitOf(s); wait > 0; wait = this.budgetWaitOf(s)) await this.clock.sleep(wait);
      s.sent.push(this.clock.now());
      return await fn();
    } finally {
      const next = s.waiters.shift();
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      if (next) next();
      else s.active--;
    }
  }

  /** Every request for the mailbox waits `ms` from now (the longer of two waits wins). */
  block(mailbox: string, ms: number): void {
    const s = this.state(mailbox);
    s.blockedUntil = Math.max(s.blockedUntil, this.clock.now() + ms);
  }

  /** ms until the mailbox's request budget allows another request (0: now). */
  budgetWait(mailbox: string): number {
    return this.budgetWaitOf(this.state(mailbox));
  }

  private budgetWaitOf(s: MailboxState): number {
    const now = this.clock.now();
    while (s.sent.length > 0 && (s.sent[0] as number) <= now - this.budget.windowMs) s.sent.shift();
    if (s.sent.length < this.budget.requests) return 0;
    const oldest = s.sent[s.sent.length - this.budget.requests] as number;
    return oldest + this.budget.windowMs - now;
  }

  /**
   * Waits until `bytes` more fit in the mailbox's upload window, then counts them: a large
   * file is spread over the window instead of being refused part-way with a long Retry-After.
   */
  private async reserveBytes(s: MailboxState, bytes: number): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      while (s.uploads.length > 0 && s.uploads[0]!.at <= now - this.upload.windowMs) s.uploads.shift();
      let used = s.uploads.reduce((n, u) => n + u.bytes, 0);
      if (used + bytes <= this.upload.bytes || s.uploads.length === 0) {
        s.uploads.push({ at: now, bytes });
        return;
      }
      let freeAt = now;
      for (const u of s.uploads) {
        if (used + bytes <= this.upload.bytes) break;
        used -= u.bytes;
        freeAt = u.at + this.upload.windowMs;
      }
      await this.clock.sleep(Math.max(1, freeAt - now));
    }
  }

  /** Bytes counted in the mailbox's current upload window (for tests and diagnostics). */
  uploadedInWindow(mailbox: string): number {
    const s = this.mailboxes.get(mailbox.toLowerCase());
    const now = this.clock.now();
    return (s?.uploads ?? []).filter((u) => u.at > now - this.upload.windowMs).reduce((n, u) => n + u.bytes, 0);
  }

  /** Current number of requests in flight for a mailbox (for tests and diagnostics). */
  inFlight(mailbox: string): number {
    return this.mailboxes.get(mailbox.toLowerCase())?.active ?? 0;
  }

  private async waitUnblocked(s: MailboxState): Promise<void> {
    for (;;) {
      const wait = s.blockedUntil - this.clock.now();
      if (wait <= 0) return;
      await this.clock.sleep(wait);
    }
  }

  clear(): void {
    this.mailboxes.clear();
  }
}
