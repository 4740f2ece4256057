/**
 * Access tokens for WeCom's HTTP APIs, one per secret (the archive, contacts and customer
 * contact secrets each get their own). The vendor asks clients to cache tokens (about 2 h)
 * rather than fetch one per call: repeated gettoken calls are rate limited and a wrong secret
 * retried often gets the server's IP blocked for an hour.
 */

export interface AccessToken {
  token: string;
  /** ms on the client's clock */
  expiresAt: number;
}

/** Refresh this long before expiry, so a call never starts with a token about to lapse. */
export const EARLY_REFRESH_MS = 5 * 60_000;

export interface TokenCache {
  /** a usable token for `secret`, fetching one when none is cached or it expires within 5 min */
  get(secret: string): Promise<string>;
  /** forget `token` (the server refused it); a later get fetches a new one */
  invalidate(secret: string, token: string): void;
}

export function createTokenCache(
  fetchToken: (secret: string) => Promise<{ token: string; expiresInSeconds: number }>,
  now: () => number,
): TokenCache {
  const cached = new Map<string, AccessToken>();
  // concurrent callers share one gettoken call instead of each fetching their own
  const pending = new Map<string, Promise<string>>();

  async function refresh(secret: string): Promise<string> {
    const { token, expiresInSeconds } = await fetchToken(secret);
    cached.set(secret, { token, expiresAt: now() + expiresInSeconds * 1000 });
    return token;
  }

  return {
    get(secret: string): Promise<string> {
      const hit = cached.get(secret);
      if (hit && hit.expiresAt - now() > EARLY_REFRESH_MS) return Promise.resolve(hit.token);
      let flight = pending.get(secret);
      if (!flight) {
        flight = refresh(secret).finally(() => pending.delete(secret));
        pending.set(secret, flight);
      }
      return flight;
    },
    invalidate(secret: string, token: string): void {
      if (cached.get(secret)?.token === token) cached.delete(secret);
    },
  };
}
