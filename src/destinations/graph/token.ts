/**
 * App-only tokens for Graph from Microsoft Entra ID through msal-node's client credentials
 * flow (a certificate-signed assertion, or a client secret). msal's HTTP goes through the
 * same injectable fetch as Graph calls, so tests can point both at the emulator. A token is
 * reused until five minutes before it expires; a 401 from Graph asks for a fresh one.
 */
import type {
  ConfidentialClientApplication,
  Configuration,
  INetworkModule,
  NetworkRequestOptions,
  NetworkResponse,
  ServerError,
} from '@azure/msal-node';
import { DestinationError } from '../types.js';
import type { ResolvedEndpoints } from './clouds.js';
import type { GraphDestinationConfig } from './config.js';
import type { TokenSource } from './http.js';

const REFRESH_BEFORE_MS = 5 * 60_000;

/** msal's network module on top of fetch; msal expects the JSON body already parsed. */
export function fetchNetworkModule(f: typeof fetch, timeoutMs: number): INetworkModule {
  async function send<T>(method: string, url: string, options?: NetworkRequestOptions, timeout?: number) {
    const res = await f(url, {
      method,
      headers: options?.headers,
      body: options?.body,
      signal: AbortSignal.timeout(timeout ?? timeoutMs),
    });
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'invalid_response', error_description: text.slice(0, 300) };
    }
    const out: NetworkResponse<T> = { status: res.status, headers: Object.fromEntries(res.headers), body: body as T };
    return out;
  }
  return {
    sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

function credentialOf(cfg: GraphDestinationConfig): Partial<Configuration['auth']> {
  if (cfg.auth.kind === 'secret') return { clientSecret: cfg.auth.secret };
  const { thumbprintSha256, thumbprint, privateKeyPem, x5c } = cfg.auth;
  // msal-node 5 signs with PS256 and sends x5t#S256 when given the SHA-256 thumbprint; the
  // SHA-1 `thumbprint` (RS256, x5t) is deprecated there and only used when nothing else is given.
  const cert = thumbprintSha256
    ? { thumbprintSha256: thumbprintSha256.toLowerCase(), privateKey: privateKeyPem }
    : { thumbprint: (thumbprint ?? '').toLowerCase(), privateKey: privateKeyPem };
  return { clientCertificate: x5c ? { ...cert, x5c } : cert };
}

/**
 * An error Entra ID answered (msal's ServerError), told by its name and code rather than by
 * class: msal loads only once a token is first asked for.
 */
function isServerError(err: unknown): err is ServerError {
  return (
    err instanceof Error && err.name === 'ServerError' && typeof (err as Partial<ServerError>).errorCode === 'string'
  );
}

/** What went wrong getting a token, in the delivery stage's terms. */
export function tokenError(err: unknown, cfg: GraphDestinationConfig): DestinationError {
  const who = `app ${cfg.clientId} in tenant ${cfg.tenantId}`;
  if (isServerError(err)) {
    const status = (err as ServerError & { status?: number }).status;
    const text = `${err.errorCode}: ${err.errorMessage.split(' - Correlation ID')[0] ?? ''}`;
    if ((status !== undefined && status >= 500) || err.errorCode === 'temporarily_unavailable') {
      return new DestinationError('transient', `Microsoft Entra ID could not issue a token for ${who} (${text})`, {
        cause: err,
      });
    }
    return new DestinationError(
      'auth',
      `Microsoft Entra ID refused the credentials of ${who} (${text}); check the tenant id, client id and the secret or certificate`,
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return new DestinationError('transient', `could not reach Microsoft Entra ID for ${who} (${message})`, {
    cause: err,
  });
}

export function msalTokenSource(
  cfg: GraphDestinationConfig,
  endpoints: ResolvedEndpoints,
  f: typeof fetch,
  now: () => number,
): TokenSource {
  // msal (some 430 modules) loads when the first token is asked for, not with every process
  // that reads the destinations' code: most archives deliver to no Microsoft 365 mailbox.
  let app: Promise<ConfidentialClientApplication> | undefined;
  const client = () =>
    (app ??= import('@azure/msal-node').then(
      (msal) =>
        new msal.ConfidentialClientApplication({
          auth: {
            clientId: cfg.clientId,
            authority: endpoints.authority,
            ...credentialOf(cfg),
            // msal only trusts the Microsoft hosts it knows; a configured other host is trusted as given.
            ...(endpoints.customAuthority ? { knownAuthorities: [new URL(endpoints.authority).host] } : {}),
          },
          system: { networkClient: fetchNetworkModule(f, cfg.requestTimeoutSeconds * 1000) },
        }),
    ));
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function acquire(fresh: boolean): Promise<string> {
    let confidential: ConfidentialClientApplication;
    try {
      confidential = await client();
    } catch (err) {
      // msal refused the settings themselves (not Entra ID): no retry mends that
      app = undefined;
      throw new DestinationError(
        'auth',
        `the Microsoft 365 destination's settings for app ${cfg.clientId} in tenant ${cfg.tenantId} were refused (${(err as Error).message}); check the tenant id, client id, authority and the secret or certificate`,
        { cause: err },
      );
    }
    try {
      const r = await confidential.acquireTokenByClientCredential({ scopes: [endpoints.scope], skipCache: fresh });
      if (!r?.accessToken) throw new Error('msal returned no access token');
      const expires = r.expiresOn ? r.expiresOn.getTime() : now() + 10 * 60_000;
      cached = { token: r.accessToken, refreshAt: expires - REFRESH_BEFORE_MS };
      return r.accessToken;
    } catch (err) {
      throw tokenError(err, cfg);
    }
  }

  return {
    token(fresh = false): Promise<string> {
      if (!fresh && cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      // Concurrent callers share one token request rather than each asking Entra ID.
      if (!pending || fresh) {
        const p = acquire(fresh).finally(() => {
          if (pending === p) pending = undefined;
        });
        pending = p;
      }
      return pending;
    },
  };
}
