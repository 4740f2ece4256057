/**
 * The Microsoft Entra ID half of the Graph emulator: the OpenID configuration document and
 * the v2.0 token endpoint for the client credentials grant, with a client secret or a
 * certificate-signed client assertion (RFC 7523; PS256 with `x5t#S256`, or RS256 with `x5t`),
 * answering with the AADSTS errors Entra ID gives. Tokens it issues are JWT-shaped, carry the
 * app's `roles`, expire, and are the only ones the Graph routes accept.
 */
import { constants, randomBytes, verify } from 'node:crypto';

export interface EmulatorClient {
  clientId: string;
  secret?: string;
  certificate?: { publicKeyPem: string; thumbprintSha256?: string; thumbprint?: string };
  /** application permissions granted (default Mail.ReadWrite) */
  roles?: string[];
}

interface IssuedToken {
  clientId: string;
  roles: string[];
  audience: string;
  expires: number;
}

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

export type BearerCheck = { ok: true; clientId: string } | { ok: false; status: number; code: string; message: string };

function aadError(status: number, error: string, code: number, text: string): OAuthAnswer {
  const trace = randomBytes(8).toString('hex');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${trace}`,
      error_codes: [code],
      timestamp: new Date().toISOString(),
      trace_id: trace,
      correlation_id: trace,
    },
  };
}

const b64urlJson = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

export class EmulatorAuth {
  private readonly tokens = new Map<string, IssuedToken>();
  /** every token issued: which client, how it proved itself, for which scope */
  readonly issued: { clientId: string; via: 'secret' | 'certificate'; scope: string }[] = [];

  constructor(
    private readonly o: {
      tenantId: string;
      clients: EmulatorClient[];
      graphResource: string;
      tokenTtlSeconds: number;
      now: () => number;
    },
  ) {}

  /** `origin` serves the endpoints; `publicOrigin` is the authority host the client used. */
  openidConfiguration(origin: string, tenant: string, publicOrigin: string): Record<string, unknown> | undefined {
    if (tenant !== this.o.tenantId) return undefined;
    const base = `${origin}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      issuer: `${publicOrigin}/${tenant}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    };
  }

  token(tenant: string, form: URLSearchParams): OAuthAnswer {
    if (tenant !== this.o.tenantId) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
    }
    if (form.get('grant_type') !== 'client_credentials') {
      return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
    }
    const clientId = form.get('client_id') ?? '';
    const client = this.o.clients.find((c) => c.clientId === clientId);
    if (!client) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory.`,
      );
    }
    const scope = form.get('scope') ?? '';
    const resource = scope.split(' ').find((s) => s.endsWith('/.default'));
    if (!resource) {
      return aadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    let via: 'secret' | 'certificate';
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret !== client.secret) {
        return aadError(
          401,
          'invalid_client',
          7000215,
          'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        );
      }
      via = 'secret';
    } else if (assertion !== null) {
      const problem = this.checkAssertion(client, tenant, assertion);
      if (problem) return problem;
      via = 'certificate';
    } else {
      return aadError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const audience = resource.replace(/\/\.default$/, '');
    const roles = client.roles ?? ['Mail.ReadWrite'];
    const expires = this.o.now() + this.o.tokenTtlSeconds * 1000;
    const header = b64urlJson({ typ: 'JWT', alg: 'none' });
    const payload = b64urlJson({ aud: audience, tid: tenant, appid: clientId, roles, exp: Math.floor(expires / 1000) });
    const token = `${header}.${payload}.${randomBytes(16).toString('base64url')}`;
    this.tokens.set(token, { clientId, roles, audience, expires });
    this.issued.push({ clientId, via, scope });
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: this.o.tokenTtlSeconds,
        ext_expires_in: this.o.tokenTtlSeconds,
        access_token: token,
      },
    };
  }

  private checkAssertion(client: EmulatorClient, tenant: string, jwt: string): OAuthAnswer | undefined {
    const bad = (code: number, text: string) => aadError(401, 'invalid_client', code, text);
    const cert = client.certificate;
    if (!cert)
      return bad(
        700027,
        'Client assertion contains an invalid signature. The application has no certificate registered.',
      );
    const [h = '', p = '', s = ''] = jwt.split('.');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return bad(50027, 'JWT token is invalid or malformed.');
    }
    const sha256 = cert.thumbprintSha256 && Buffer.from(cert.thumbprintSha256, 'hex').toString('base64url');
    const sha1 = cert.thumbprint && Buffer.from(cert.thumbprint, 'hex').toString('base64url');
    const known =
      (header['x5t#S256'] !== undefined && header['x5t#S256'] === sha256) ||
      (header.x5t !== undefined && header.x5t === sha1);
    if (!known)
      return bad(
        700027,
        'The certificate with identifier used to sign the client assertion is not registered on application.',
      );
    const pss = header.alg === 'PS256';
    if (!pss && header.alg !== 'RS256')
      return bad(700027, `Client assertion uses unsupported algorithm ${String(header.alg)}.`);
    const key = pss
      ? { key: cert.publicKeyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }
      : { key: cert.publicKeyPem, padding: constants.RSA_PKCS1_PADDING };
    if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
      return bad(700027, 'Client assertion failed signature validation.');
    }
    const nowS = this.o.now() / 1000;
    if (
      typeof claims.exp !== 'number' ||
      claims.exp < nowS ||
      (typeof claims.nbf === 'number' && claims.nbf > nowS + 300)
    ) {
      return bad(700024, 'Client assertion is not within its valid time range.');
    }
    if (claims.iss !== client.clientId || claims.sub !== client.clientId) {
      return bad(700021, "Client assertion application identifier doesn't match 'client_id' parameter.");
    }
    if (typeof claims.aud !== 'string' || !claims.aud.endsWith(`/${tenant}/oauth2/v2.0/token`)) {
      return bad(700212, 'No matching federated identity record found for presented assertion audience.');
    }
    return undefined;
  }

  /** The Graph side: is this Authorization header a live token for Graph with mail access? */
  checkBearer(header: string | undefined): BearerCheck {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const fail = (status: number, code: string, message: string): BearerCheck => ({ ok: false, status, code, message });
    if (!token) return fail(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const t = this.tokens.get(token);
    if (!t) return fail(401, 'InvalidAuthenticationToken', 'IDX14100: JWT is not well formed.');
    if (t.expires <= this.o.now())
      return fail(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
    if (t.audience !== this.o.graphResource) return fail(401, 'InvalidAuthenticationToken', 'Invalid audience.');
    if (!t.roles.includes('Mail.ReadWrite'))
      return fail(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    return { ok: true, clientId: t.clientId };
  }

  /** Makes every issued token expire now (as after a credential rotation or revocation). */
  expireAll(): void {
    for (const t of this.tokens.values()) t.expires = 0;
  }
}
