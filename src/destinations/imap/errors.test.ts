import { describe, expect, it } from 'vitest';
import { DestinationError } from '../types.js';
import { classifyImapError, type FailureContext } from './errors.js';

const ctx: FailureContext = {
  op: 'APPEND to "WeChat Archiver"',
  mailbox: 'a@example.com',
  server: 'imap.example.com:993',
};

function kind(err: unknown, c: FailureContext = ctx) {
  const e = classifyImapError(err, c);
  return { failure: e.failure, message: e.message, retryAfterMs: e.retryAfterMs, code: e.code };
}

describe('classifyImapError', () => {
  it('refused credentials are auth, whether flagged by ImapFlow or coded by the server', () => {
    expect(kind({ authenticationFailed: true, message: 'Authentication failed' }).failure).toBe('auth');
    expect(kind({ serverResponseCode: 'AUTHENTICATIONFAILED', responseStatus: 'NO' }).failure).toBe('auth');
    expect(kind({ serverResponseCode: 'EXPIRED', responseStatus: 'NO' }).code).toBe('WXA_DEST_AUTH');
  });

  it('TLS trouble pauses like refused credentials and says what to fix', () => {
    const cert = kind({ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' });
    expect(cert.failure).toBe('auth');
    expect(cert.message).toMatch(/set tls\.ca/);
    expect(kind({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'Hostname/IP does not match' }).failure).toBe('auth');
    expect(kind({ tlsFailed: true, message: 'Server does not support STARTTLS' }).message).toMatch(/secure\/starttls/);
  });

  it('size refusals are permanent and name the size and the limit', () => {
    const e = kind(
      { serverResponseCode: 'TOOBIG', responseStatus: 'NO', responseText: 'Message too big' },
      { ...ctx, size: 12_345_678, limit: 10_485_760 },
    );
    expect(e.failure).toBe('permanent');
    expect(e.message).toContain(
      'the message (12,345,678 bytes) for a@example.com is larger than the limit of 10,485,760 bytes',
    );
    expect(kind({ serverResponseCode: 'LIMIT', responseStatus: 'NO' }, { ...ctx, size: 10 }).message).toContain(
      "larger than the server's limit",
    );
    expect(kind({ serverResponseCode: 'APPENDLIMIT', message: 'Message content too big' }).failure).toBe('permanent');
  });

  it('over quota and missing rights are permanent', () => {
    expect(
      kind({ serverResponseCode: 'OVERQUOTA', responseStatus: 'NO', responseText: 'Quota exceeded' }).message,
    ).toMatch(/over its quota \(\[OVERQUOTA\] Quota exceeded\)/);
    expect(kind({ serverResponseCode: 'NOPERM', responseStatus: 'NO' }).failure).toBe('permanent');
  });

  it('throttling waits as long as the server said, else a minute', () => {
    const ms365 = kind({
      code: 'ETHROTTLE',
      throttleReset: 92_415,
      responseText: 'Request is throttled. Suggested Backoff Time: 92415 milliseconds',
    });
    expect(ms365).toMatchObject({ failure: 'throttled', retryAfterMs: 92_415, code: 'WXA_DEST_THROTTLED' });
    expect(kind({ serverResponseCode: 'THROTTLED', responseStatus: 'NO' })).toMatchObject({
      failure: 'throttled',
      retryAfterMs: 60_000,
    });
  });

  it('network failures, timeouts and a busy server are transient', () => {
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'CONNECT_TIMEOUT',
      'GREETING_TIMEOUT',
      'NoConnection',
    ]) {
      expect(kind({ code, message: 'x' }).failure, code).toBe('transient');
    }
    expect(kind({ serverResponseCode: 'UNAVAILABLE', responseStatus: 'NO' }).failure).toBe('transient');
    expect(kind({ serverResponseCode: 'INUSE', responseStatus: 'NO' }).failure).toBe('transient');
    expect(kind({ responseStatus: 'NO', responseText: 'Server Unavailable. 15' }).failure).toBe('transient');
    expect(kind(new Error('something odd')).failure).toBe('transient');
    expect(kind('a string').failure).toBe('transient');
  });

  it('an uncoded refusal is held with the server words; a DestinationError passes through', () => {
    expect(kind({ responseStatus: 'NO', responseText: 'Invalid message' }).message).toMatch(
      /refused \(Invalid message\)/,
    );
    const given = new DestinationError('throttled', 'wait', { retryAfterMs: 5 });
    expect(classifyImapError(given, ctx)).toBe(given);
  });

  it('messages name the server, the operation and the mailbox', () => {
    expect(kind({ code: 'ECONNRESET', message: 'read ECONNRESET' }).message).toBe(
      'imap.example.com:993: APPEND to "WeChat Archiver" for a@example.com: the connection failed (ECONNRESET: read ECONNRESET)',
    );
  });
});
