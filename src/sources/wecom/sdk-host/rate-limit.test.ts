import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { GET_CHAT_DATA_LIMIT, TokenBucket } from './rate-limit.js';

/** A bucket on a simulated clock: waiting advances time instead of sleeping. */
function simulated() {
  let now = 0;
  const bucket = new TokenBucket(
    GET_CHAT_DATA_LIMIT,
    () => now,
    async (ms) => {
      now += ms;
    },
  );
  return { bucket, now: () => now };
}

describe('TokenBucket', () => {
  it('never lets more than 600 GetChatData calls into any 60-second window', async () => {
    const { bucket, now } = simulated();
    const times: number[] = [];
    for (let i = 0; i < 2000; i++) {
      await bucket.take();
      times.push(now());
    }
    for (let i = 0; i + 600 < times.length; i++) {
      expect(times[i + 600]! - times[i]!).toBeGreaterThanOrEqual(60_000);
    }
    // and it does not throttle much harder than it must: (2000 - 20 burst) at 580 a minute
    expect(now()).toBeLessThan(((2000 - 20) / 580) * 60_000 + 1000);
  });

  it('serves concurrent callers in the order they asked', async () => {
    const { bucket } = simulated();
    const order: number[] = [];
    await Promise.all(Array.from({ length: 50 }, (_, i) => bucket.take().then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('refuses a burst that would break the limit by itself', () => {
    expect(() => new TokenBucket({ perMinute: 600, burst: 600 })).toThrow(RangeError);
    expect(() => new TokenBucket({ perMinute: 600, burst: 0 })).toThrow(RangeError);
  });
});

describe('backoffDelay', () => {
  it('doubles up to the cap, with jitter in the upper half', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect(backoffDelay(1e9, policy, () => 0.5)).toBe(750);
  });
});
