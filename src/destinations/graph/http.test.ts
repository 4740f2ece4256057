import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs } from './http.js';
import { MailboxLimiter } from './mailbox-limiter.js';

describe('waiting rules', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-03-05T14:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Tue, 05 Mar 2024 14:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Tue, 05 Mar 2024 13:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('backs off from 1 s doubling to 60 s, with half of each wait random', () => {
    expect([0, 1, 2, 6, 10].map((a) => backoffMs(a, () => 0))).toEqual([500, 1000, 2000, 30_000, 30_000]);
    expect([0, 1, 2, 6, 10].map((a) => backoffMs(a, () => 0.999999))).toEqual([1000, 2000, 4000, 60_000, 60_000]);
  });

  it('admits at most N at once per mailbox, in arrival order, and makes all wait after a block', async () => {
    let t = 0;
    const waits: number[] = [];
    const limiter = new MailboxLimiter(2, { now: () => t, sleep: async (ms) => void (waits.push(ms), (t += ms)) });
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const job = (n: number) =>
      limiter.run('A@x', async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 2));
        order.push(n);
        active--;
      });
    await Promise.all([1, 2, 3, 4, 5].map(job));
    expect(peak).toBe(2);
    expect(order.slice(2)).toEqual([3, 4, 5]);
    limiter.block('a@X', 5000);
    await job(6);
    expect(waits).toEqual([5000]);
  });
});
