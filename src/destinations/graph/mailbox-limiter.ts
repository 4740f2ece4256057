/**
 * Per-mailbox admission for Graph requests. Exchange allows an app 4 concurrent requests and
 * 10,000 requests in 10 minutes per mailbox and throttles the mailbox as a whole, so the slot
 * count, the request budget and a Retry-After apply to every request for that mailbox: when
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
}

export interface RequestBudget {
  requests: number;
  windowMs: number;
}

export class MailboxLimiter {
  private readonly mailboxes = new Map<string, MailboxState>();

  constructor(
    private readonly slots: number,
    private readonly clock: LimiterClock,
    private readonly budget: RequestBudget = { requests: Number.POSITIVE_INFINITY, windowMs: 1 },
  ) {}

  private state(mailbox: string): MailboxState {
    const key = mailbox.toLowerCase();
    let s = this.mailboxes.get(key);
    if (!s) {
      s = { active: 0, waiters: [], blockedUntil: 0, sent: [] };
      this.mailboxes.set(key, s);
    }
    return s;
  }

  /**
   * Runs `fn` holding one of the mailbox's slots, after any wait the mailbox is under. The
   * slot is held for the whole exchange (response body included) because the server counts
   * a request as in flight until its response is complete.
   */
  async run<T>(mailbox: string, fn: () => Promise<T>): Promise<T> {
    const s = this.state(mailbox);
    await this.waitUnblocked(s);
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
