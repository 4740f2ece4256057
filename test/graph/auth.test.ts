// Signing in to Microsoft Entra ID through msal-node against the emulator: a wrong secret,
// a certificate, national-cloud scopes, a revoked token, a refused mailbox, and check().
import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { DestinationError } from '../../src/destinations/types.js';
import type { GraphEmulator } from './emulator.js';
import { destination, emulator, fakeClock, FOLDER, MAILBOX, textItem } from './helpers.js';

let emu: GraphEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const failure = async (p: Promise<unknown>): Promise<DestinationError> =>
  (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as DestinationError;

describe('Graph destination: authentication', () => {
  it('a wrong client secret pauses the connector (auth) with the AADSTS reason, and check() says so', async () => {
    emu = await emulator();
    const dest = destination(emu, fakeClock(), { auth: { kind: 'secret', secret: 'not-the-secret' } });
    const err = await failure(dest.deliver(textItem(1), MAILBOX));
    expect(err.failure).toBe('auth');
    expect(err.message).toContain('AADSTS7000215');
    const check = await dest.check();
    expect(check.ok).toBe(false);
    expect(check.details.join('\n')).toContain('invalid_client');
    expect(emu.messages(MAILBOX, FOLDER)).toHaveLength(0);
  });

  it('signs in with a certificate (PS256 assertion with the SHA-256 thumbprint) and delivers', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const thumbprintSha256 = createHash('sha256').update('test certificate').digest('hex');
    emu = await emulator({
      clients: [
        {
          clientId: 'client-1',
          certificate: { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), thumbprintSha256 },
        },
      ],
    });
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dest = destination(emu, fakeClock(), { auth: { kind: 'certificate', thumbprintSha256, privateKeyPem } });
    expect((await dest.deliver(textItem(1), MAILBOX)).status).toBe('delivered');
    expect(emu.auth.issued).toEqual([
      { clientId: 'client-1', via: 'certificate', scope: 'https://graph.microsoft.com/.default' },
    ]);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const wrongKey = destination(emu, fakeClock(), {
      auth: { kind: 'certificate', thumbprintSha256, privateKeyPem: other },
    });
    const err = await failure(wrongKey.deliver(textItem(2), MAILBOX));
    expect(err.failure).toBe('auth');
    expect(err.message).toContain('AADSTS700027');
  });

  it('asks a national cloud for a token scoped to its own Graph host', async () => {
    emu = await emulator({ graphResource: 'https://graph.microsoft.us' });
    const gccHigh = destination(emu, fakeClock(), { cloud: 'gcc-high' });
    expect((await gccHigh.deliver(textItem(1), MAILBOX)).status).toBe('delivered');
    expect(emu.auth.issued.at(-1)?.scope).toBe('https://graph.microsoft.us/.default');
    // A worldwide token is refused by the US Government Graph.
    const worldwide = destination(emu, fakeClock());
    expect((await failure(worldwide.deliver(textItem(2), MAILBOX))).failure).toBe('auth');
  });

  it('fetches a new token once when Graph refuses the current one', async () => {
    emu = await emulator();
    const dest = destination(emu, fakeClock());
    await dest.deliver(textItem(1), MAILBOX);
    emu.auth.expireAll();
    expect((await dest.deliver(textItem(2), MAILBOX)).status).toBe('delivered');
    expect(emu.auth.issued).toHaveLength(2);
    expect(emu.log.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it('a mailbox outside the app scope (403) is an auth failure naming the fix', async () => {
    emu = await emulator({ deniedMailboxes: [MAILBOX] });
    const err = await failure(destination(emu, fakeClock()).deliver(textItem(1), MAILBOX));
    expect(err.failure).toBe('auth');
    expect(err.message).toMatch(/Mail\.ReadWrite.*RBAC/);
  });

  it('check() verifies the sign-in, the Mail.ReadWrite permission and the folder without writing', async () => {
    emu = await emulator();
    const ok = await destination(emu, fakeClock(), { checkMailbox: MAILBOX }).check();
    expect(ok.ok).toBe(true);
    expect(ok.details.join('\n')).toMatch(/Mail\.ReadWrite is granted[\s\S]*does not exist yet/);
    expect(emu.mailbox(MAILBOX).folders).toHaveLength(0);
    await emu.close();

    emu = await emulator({ clients: [{ clientId: 'client-1', secret: 'secret-1', roles: ['User.Read.All'] }] });
    const missing = await destination(emu, fakeClock()).check();
    expect(missing.ok).toBe(false);
    expect(missing.details.join('\n')).toContain('not Mail.ReadWrite');
  });

  it('trusts a configured authority host and discovers its token endpoint', async () => {
    emu = await emulator();
    const custom = 'https://login.emulator.test';
    const dest = destination(
      emu,
      fakeClock(),
      { authorityUrl: `${custom}/tenant-1` },
      { fetch: emu.fetchVia([custom]) },
    );
    expect((await dest.deliver(textItem(1), MAILBOX)).status).toBe('delivered');
    expect(emu.log.some((r) => r.path === '/tenant-1/v2.0/.well-known/openid-configuration')).toBe(true);
  });
});
