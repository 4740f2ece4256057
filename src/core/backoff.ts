/**
 * Exponential backoff with jitter, the one formula every retry loop uses: `baseMs` doubling per
 * attempt up to `maxMs`, of which a random half is waited (so callers that failed together do
 * not retry together), as Google and Microsoft advise for their APIs.
 */
export function backoffMs(attempt: number, opts: { baseMs: number; maxMs: number; random: () => number }): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  return Math.round(cap / 2 + (opts.random() * cap) / 2);
}
