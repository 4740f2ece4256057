// The service account's sign-in: the JWT Google's token endpoint receives, tokens cached per
// mailbox until shortly before they expire, and how each refusal is classified (a bad key or
// missing delegation pauses the connector; a problem of one mailbox holds only its items).
import { createPublicKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GMAIL_SCOPES } from '../../src/destinations/gmail/index.js';
import { DestinationError } from '../../src/destinations/types.js';
import { SCOPE } from './emulator-auth.js';
import type { GmailEmulator } from './emulator.js';
import {
  destination,
  emulator,
  fakeClock,
  KEY,
  MAILBOX,
  OTHER,
  SA_EMAIL,
  textItem,
  WRONG_KEY,
  type FakeClock,
} from './helpers.js';

let clock: FakeClock;
let emu: GmailEmulator;
beforeEach(async () => {
  clock = fakeClock();
  emu = await emulator(clock, { tokenTtlSeconds: 3600 });
});
afterEach(async () => {
  await emu.close();
});

async function failure(p: Promise<unknown>): Promise<DestinationError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DestinationError);
  return err as DestinationError;
}

const decode = (part: string | undefined) =>
  JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('Gmail destination: service account sign-in', () => {
  it('signs an RS256 JWT for the mailbox with the three scopes, audience the token URI, for one hour', async () => {
    const assertions: string[] = [];
    const spy: typeof fetch = async (input, init) => {
      if (String(input) === emu.tokenUri)
        assertions.push(new URLSearchParams(String(init?.body)).get('assertion') ?? '');
      return fetch(input, init);
    };
    await destination(emu, clock, {}, { fetch: spy }).deliver(textItem(1), MAILBOX);
    expect(assertions).toHaveLength(1);
    const [h, c] = (assertions[0] ?? '').split('.');
    expect(decode(h)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k1' });
    const now = clock.now() / 1000;
    expect(decode(c)).toEqual({
      iss: SA_EMAIL,
      sub: MAILBOX,
      scope: GMAIL_SCOPES.join(' '),
      aud: emu.tokenUri,
      iat: now,
      exp: now + 3600,
    });
  });

  it('reuses a token per mailbox until five minutes before it expires', async () => {
    const dest = destination(emu, clock);
    await dest.deliver(textItem(1), MAILBOX);
    clock.advance(54 * 60_000);
    await dest.deliver(textItem(2), MAILBOX);
    expect(emu.auth.requests).toHaveLength(1);
    clock.advance(2 * 60_000);
    await dest.deliver(textItem(3), MAILBOX);
    expect(emu.auth.requests.map((r) => r.sub)).toEqual([MAILBOX, MAILBOX]);
  });

  it('asks for a new token once after a 401 and goes on', async () => {
    const dest = destination(emu, clock);
    await dest.deliver(textItem(1), MAILBOX);
    emu.auth.revokeAll();
    expect((await dest.deliver(textItem(2), MAILBOX)).status).toBe('delivered');
    expect(emu.log.filter((r) => r.status === 401)).toHaveLength(1);
    expect(emu.auth.requests).toHaveLength(2);
  });

  it('a key Google does not know is an auth failure (connector paused), and check() says so', async () => {
    const dest = destination(emu, clock, { checkMailbox: MAILBOX }, { key: WRONG_KEY });
    const err = await failure(dest.deliver(textItem(1), MAILBOX));
    expect(err.failure).toBe('auth');
    expect(err.code).toBe('WXA_DEST_AUTH');
    expect(err.message).toContain('Invalid JWT Signature');
    expect(err.message).toContain('create a new JSON key');
    expect(emu.log.filter((r) => r.route !== 'token')).toHaveLength(0);
    const checked = await dest.check();
    expect(checked.ok).toBe(false);
    expect(checked.details[0]).toContain('Invalid JWT Signature');
  });

  it('an unreadable private key is an auth failure naming the service account', async () => {
    const dest = destination(
      emu,
      clock,
      {},
      { key: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n' },
    );
    const err = await failure(dest.deliver(textItem(1), MAILBOX));
    expect(err.failure).toBe('auth');
    expect(err.message).toContain(`private_key of service account ${SA_EMAIL} cannot be read`);
    expect(emu.log).toHaveLength(0);
  });

  it('scopes the admin did not authorize pause the connector with what to authorize', async () => {
    await emu.close();
    emu = await emulator(clock, {
      serviceAccounts: [
        { client_email: SA_EMAIL, publicKey: createPublicKey(KEY), delegatedScopes: [SCOPE.insert, SCOPE.labels] },
      ],
    });
    const err = await failure(destination(emu, clock).deliver(textItem(1), MAILBOX));
    expect(err.failure).toBe('auth');
    expect(err.message).toContain('unauthorized_client');
    expect(err.message).toContain('gmail.readonly');
    expect(err.message).toContain('Domain-wide delegation');
  });

  it('a mailbox outside the delegated domain is held once the delegation has worked for another', async () => {
    const dest = destination(emu, clock);
    const first = await failure(dest.deliver(textItem(1), 'someone@other.example'));
    expect(first.failure).toBe('auth');
    await dest.deliver(textItem(2), OTHER);
    const later = await failure(dest.deliver(textItem(3), 'someone@other.example'));
    expect(later.failure).toBe('permanent');
    expect(later.message).toContain('outside the authorized Workspace domain');
  });

  it('retries a token endpoint that fails for now, and calls a lasting failure transient', async () => {
    emu.faults.fail('token', 503, 1);
    expect((await destination(emu, clock).deliver(textItem(1), MAILBOX)).status).toBe('delivered');
    expect(emu.auth.requests.map((r) => r.status)).toEqual([200]);
    emu.faults.fail('token', 503, 10);
    const err = await failure(destination(emu, clock, { maxRetries: 2 }).deliver(textItem(2), OTHER));
    expect(err.failure).toBe('transient');
    expect(err.message).toContain('503');
    expect(emu.log.filter((r) => r.route === 'token').map((r) => r.status)).toEqual([503, 200, 503, 503, 503]);
  });
});
