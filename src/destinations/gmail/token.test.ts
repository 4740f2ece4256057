import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAssertion, tokenErrorFor } from './token.js';

const sa = {
  client_email: 'sa@p.iam.gserviceaccount.com',
  private_key: '',
  token_uri: 'https://oauth2.googleapis.com/token',
};
const scopes = ['https://www.googleapis.com/auth/gmail.insert'];
const oauth = (error: string, error_description: string) => ({ error, error_description });

describe('signAssertion', () => {
  it('makes a compact RS256 JWS the public key verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = { iss: sa.client_email, sub: 'a@example.com', scope: 's', aud: sa.token_uri, iat: 1, exp: 3601 };
    const jwt = signAssertion(claims, privateKey, 'kid-1');
    const [h, c, s] = jwt.split('.');
    expect(JSON.parse(Buffer.from(h ?? '', 'base64url').toString())).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: 'kid-1',
    });
    expect(JSON.parse(Buffer.from(c ?? '', 'base64url').toString())).toEqual(claims);
    expect(jwt).not.toMatch(/[=+/]/);
    expect(verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s ?? '', 'base64url'))).toBe(true);
  });
});

describe('tokenErrorFor', () => {
  const m = 'a@example.com';
  it('an unknown user holds only that mailbox', () => {
    const e = tokenErrorFor(400, oauth('invalid_grant', 'Invalid email or User ID'), sa, m, false, scopes);
    expect(e.failure).toBe('permanent');
    expect(e.message).toContain(m);
  });
  it('a refused delegation pauses the connector, unless it worked for another mailbox', () => {
    const body = oauth('unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method');
    expect(tokenErrorFor(401, body, sa, m, false, scopes).failure).toBe('auth');
    expect(tokenErrorFor(401, body, sa, m, true, scopes).failure).toBe('permanent');
  });
  it('a bad signature, a wrong clock or a deleted account are auth failures with their remedy', () => {
    expect(tokenErrorFor(400, oauth('invalid_grant', 'Invalid JWT Signature.'), sa, m, true, scopes).message).toContain(
      'create a new JSON key',
    );
    expect(
      tokenErrorFor(400, oauth('invalid_grant', 'Invalid JWT: Token must be a short-lived token'), sa, m, true, scopes)
        .message,
    ).toContain('clock');
    const deleted = tokenErrorFor(
      401,
      oauth('deleted_client', 'The OAuth client was deleted.'),
      sa,
      undefined,
      false,
      scopes,
    );
    expect(deleted.failure).toBe('auth');
    expect(deleted.message).toContain('exists and is enabled');
  });
  it('a failing token endpoint is transient', () => {
    expect(tokenErrorFor(503, 'Service Unavailable', sa, m, false, scopes).failure).toBe('transient');
  });
});
