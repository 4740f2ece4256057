/**
 * Exponential backoff with jitter, for the SDK host's two kinds of retry: the library's
 * passing errors (10001-10003) and restarts of a crashed or hung host process. The jitter keeps
 * many connectors that failed together (one network outage) from retrying together.
 */

export interface BackoffPolicy {
  /** delay before the first retry, ms */
  baseMs: number;
  /** no delay exceeds this, ms */
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (0 = first): min(max, base * 2^attempt), scaled into
 * [1/2, 1] of itself ("equal jitter": never zero, so a retry storm still spreads out).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
