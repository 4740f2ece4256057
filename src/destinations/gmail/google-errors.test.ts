import { describe, expect, it } from 'vitest';
import {
  apiErrorFor,
  googleErrorOf,
  googleWaitMs,
  isBlockedAttachmentRefusal,
  isRateLimited,
  rateLimitScope,
} from './google-errors.js';

const NOW = Date.parse('2024-03-05T14:00:00.000Z');
const body = (code: number, reason: string, message: string, status = '') => ({
  error: { code, message, errors: [{ message, domain: 'global', reason }], status },
});

describe('googleWaitMs', () => {
  it('reads Retry-After as seconds or an HTTP-date, else the time in Gmail’s message', () => {
    const none = googleErrorOf({});
    expect(googleWaitMs('7', none, NOW)).toBe(7000);
    expect(googleWaitMs('Tue, 05 Mar 2024 14:00:30 GMT', none, NOW)).toBe(30_000);
    const info = googleErrorOf(
      body(429, 'rateLimitExceeded', 'User-rate limit exceeded.  Retry after 2024-03-05T14:00:12.500Z'),
    );
    expect(googleWaitMs(null, info, NOW)).toBe(12_500);
    expect(googleWaitMs('3', info, NOW)).toBe(3000);
    expect(googleWaitMs(null, none, NOW)).toBeUndefined();
    expect(googleWaitMs('soon', none, NOW)).toBeUndefined();
  });
});

describe('apiErrorFor', () => {
  const cases: [number, unknown, string, string][] = [
    [429, body(429, 'rateLimitExceeded', 'User-rate limit exceeded.'), 'throttled', 'User-rate limit'],
    [403, body(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded'), 'throttled', 'userRateLimitExceeded'],
    [
      403,
      body(403, 'insufficientPermissions', 'Request had insufficient authentication scopes.'),
      'auth',
      'gmail.readonly',
    ],
    [403, body(403, 'accessNotConfigured', 'Gmail API has not been used in project 1'), 'auth', 'not enabled'],
    [403, body(403, 'forbidden', 'Delegation denied for a@example.com'), 'permanent', 'Delegation denied'],
    [401, body(401, 'authError', 'Invalid Credentials'), 'auth', 'service account key'],
    [400, body(400, 'failedPrecondition', 'Mail service not enabled'), 'permanent', 'cannot receive items'],
    [400, body(400, 'invalidArgument', 'Invalid label: Label_9'), 'permanent', 'Invalid label'],
    [413, 'Request Entity Too Large', 'permanent', 'larger than Gmail accepts'],
    [500, body(500, 'backendError', 'Backend Error'), 'transient', 'Backend Error'],
    [503, undefined, 'transient', '503'],
  ];
  it.each(cases)('%i %j is %s', (status, b, failure, text) => {
    const err = apiErrorFor(status, b, 'importing item k into a@example.com', 'a@example.com');
    expect(err.failure).toBe(failure);
    expect(err.status).toBe(status);
    expect(err.message).toContain('importing item k into a@example.com');
    expect(err.message).toContain(text);
  });

  it('counts 403 as a rate limit only with a rate-limit reason', () => {
    expect(isRateLimited(403, googleErrorOf(body(403, 'forbidden', 'no')))).toBe(false);
    expect(isRateLimited(403, googleErrorOf(body(403, 'rateLimitExceeded', 'Quota exceeded')))).toBe(true);
    expect(isRateLimited(429, googleErrorOf(undefined))).toBe(true);
  });
});

describe('rate limit scope and blocked attachments', () => {
  it('reads rateLimitExceeded as the project limit and userRateLimitExceeded as one user’s', () => {
    expect(rateLimitScope(googleErrorOf(body(429, 'rateLimitExceeded', 'Rate Limit Exceeded')))).toBe('project');
    expect(rateLimitScope(googleErrorOf(body(429, 'userRateLimitExceeded', 'User-rate limit exceeded.')))).toBe('user');
    // A per-user quota metric reported with the project reason is still one user's.
    const perUser = "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'";
    expect(rateLimitScope(googleErrorOf(body(403, 'rateLimitExceeded', perUser)))).toBe('user');
  });

  it('recognises the Invalid attachment refusal', () => {
    const refused = googleErrorOf(
      body(400, 'invalidArgument', 'Invalid attachment. Please check https://support.google.com/mail/answer/6590.'),
    );
    expect(isBlockedAttachmentRefusal(400, refused)).toBe(true);
    expect(isBlockedAttachmentRefusal(400, googleErrorOf(body(400, 'invalidArgument', 'Invalid label: x')))).toBe(
      false,
    );
  });
});
