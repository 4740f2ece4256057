// The emulator's Google OAuth 2.0 token endpoint for service accounts (JWT bearer grant) and
// the access tokens it issues. Errors follow the "JWT error codes" table of Google's
// service-account guide; see emulator.ts for what is modelled and what is assumed.
import { randomBytes, verify, type KeyObject } from 'node:crypto';

export const SCOPE = {
  mail: 'https://mail.google.com/',
  modify: 'https://www.googleapis.com/auth/gmail.modify',
  readonly: 'https://www.googleapis.com/auth/gmail.readonly',
  metadata: 'https://www.googleapis.com/auth/gmail.metadata',
  labels: 'https://www.googleapis.com/auth/gmail.labels',
  insert: 'https://www.googleapis.com/auth/gmail.insert',
} as const;

const KNOWN_SCOPES = new Set<string>(Object.values(SCOPE));
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface EmulatorServiceAccount {
  client_email: string;
  publicKey: KeyObject;
  /** scopes a Workspace admin authorized for its client id (domain-wide delegation) */
  delegatedScopes: string[];
}

export interface IssuedToken {
  /** the impersonated user; undefined for a token of the service account itself */
  user: string | undefined;
  scopes: string[];
  expiresAt: number;
}

export interface TokenRequest {
  iss: string | undefined;
  sub: string | undefined;
  status: number;
  error?: string;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const oauthError = (status: number, error: string, description: string): Answer => ({
  status,
  body: { error, error_description: description },
});

const UNAUTHORIZED_CLIENT =
  'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.';

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class EmulatorAuth {
  readonly tokens = new Map<string, IssuedToken>();
  readonly requests: TokenRequest[] = [];

  constructor(
    private readonly o: {
      tokenUri: () => string;
      domain: string;
      serviceAccounts: EmulatorServiceAccount[];
      /** every Workspace user, with or without Gmail */
      isUser: (email: string) => boolean;
      tokenTtlSeconds: number;
      now: () => number;
    },
  ) {}

  /** POST /token with `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT`. */
  token(form: URLSearchParams): Answer {
    const jwt = form.get('assertion') ?? '';
    const [h, c, s] = jwt.split('.');
    const header = decodePart(h);
    const claims = decodePart(c);
    const record = (a: Answer): Answer => {
      const b = a.body as { error?: string };
      this.requests.push({
        iss: typeof claims?.iss === 'string' ? claims.iss : undefined,
        sub: typeof claims?.sub === 'string' ? claims.sub : undefined,
        status: a.status,
        ...(b.error ? { error: b.error } : {}),
      });
      return a;
    };
    if (form.get('grant_type') !== JWT_BEARER) {
      return record(oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`));
    }
    if (!header || !claims || !s) return record(oauthError(400, 'invalid_grant', 'Invalid JWT: malformed assertion.'));
    const sa = this.o.serviceAccounts.find((a) => a.client_email === claims.iss);
    if (!sa) return record(oauthError(401, 'invalid_client', 'The OAuth client was not found.'));
    const signed = verify('sha256', Buffer.from(`${h}.${c}`, 'ascii'), sa.publicKey, Buffer.from(s, 'base64url'));
    if (header.alg !== 'RS256' || !signed) return record(oauthError(400, 'invalid_grant', 'Invalid JWT Signature.'));
    if (claims.aud !== this.o.tokenUri()) {
      return record(oauthError(400, 'invalid_grant', 'Invalid JWT: Failed audience check.'));
    }
    const now = Math.floor(this.o.now() / 1000);
    const iat = Number(claims.iat);
    const exp = Number(claims.exp);
    if (!(exp > iat) || exp - iat > 3600 || now < iat - 300 || now > exp) {
      return record(
        oauthError(
          400,
          'invalid_grant',
          'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. ' +
            'Check your iat and exp values in the JWT claim.',
        ),
      );
    }
    const scopes = String(claims.scope ?? '')
      .split(' ')
      .filter(Boolean);
    if (scopes.length === 0 || scopes.some((x) => !KNOWN_SCOPES.has(x))) {
      return record(oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.'));
    }
    const sub = typeof claims.sub === 'string' ? claims.sub.toLowerCase() : undefined;
    if (sub !== undefined) {
      // Delegation is granted per Workspace: a user of another domain is not covered by it.
      if (!sub.endsWith(`@${this.o.domain}`))
        return record(oauthError(401, 'unauthorized_client', UNAUTHORIZED_CLIENT));
      if (!this.o.isUser(sub)) return record(oauthError(400, 'invalid_grant', 'Invalid email or User ID'));
      if (scopes.some((x) => !sa.delegatedScopes.includes(x))) {
        return record(oauthError(401, 'unauthorized_client', UNAUTHORIZED_CLIENT));
      }
    }
    const token = `ya29.emu-${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, { user: sub, scopes, expiresAt: this.o.now() + this.o.tokenTtlSeconds * 1000 });
    return record({
      status: 200,
      body: { access_token: token, expires_in: this.o.tokenTtlSeconds, token_type: 'Bearer' },
    });
  }

  /** The live token in an Authorization header, or undefined (unknown, revoked or expired). */
  bearer(authorization: string | undefined): IssuedToken | undefined {
    const m = /^Bearer (\S+)$/.exec(authorization ?? '');
    const t = m?.[1] ? this.tokens.get(m[1]) : undefined;
    return t && this.o.now() < t.expiresAt ? t : undefined;
  }

  revokeAll(): void {
    this.tokens.clear();
  }
}
