/**
 * Spaces directory calls evenly so that a large enrichment never bursts into WeCom's per-API
 * frequency limits (errcode 45009 blocks the API for the rest of the limit's period, which is
 * far worse than going a little slower). Even spacing rather than a token bucket: directory
 * calls are background work and have no burst worth keeping.
 */

export interface RateLimiter {
  /** resolves when the next call may start */
  take(): Promise<void>;
}

export function createRateLimiter(
  perSecond: number,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): RateLimiter {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) {
    throw new RangeError(`rate limit ${perSecond} calls per second must be a positive number`);
  }
  const interval = 1000 / perSecond;
  let next = -Infinity;
  return {
    async take(): Promise<void> {
      // reserve a slot synchronously, so concurrent callers get successive slots in call order
      const t = now();
      const slot = Math.max(t, next);
      next = slot + interval;
      if (slot > t) await sleep(slot - t);
    },
  };
}
