// A console connector delivering into a real Dovecot over STARTTLS with a private CA: the
// wizard's destination test (right secret, wrong secret, CA missing), then a connector whose
// master password lives only in the encrypted secret store delivers every item into the
// mailbox's WeChat Archiver folder, read back over TLS as the mail user.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMS_VERSION } from '../../src/connectors/definitions.js';
import type { CheckResult, ConnectorDetail, DestinationInput } from '../../src/server/contract.js';
import { startDovecot, wizardImap, type Dovecot } from '../helpers/dovecot.js';
import { nextRun, startConsole, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';

const MASTER = { name: 'archiver', password: 'master-secret-7f3a' };
const ALICE = 'alice@example.com';

let d: Dovecot;
let h: ConsoleHarness;
let admin: Client;

beforeAll(async () => {
  d = await startDovecot({ tls: true, masterUser: MASTER });
  h = await startConsole({ supervisor: true });
  admin = await userWith(h, 'ops', ['connector-admin']);
});
afterAll(async () => {
  await h?.close();
  await d?.stop();
});

const imap = (over: Partial<Extract<DestinationInput, { kind: 'imap' }>> = {}): DestinationInput =>
  wizardImap(d, MASTER.name, ALICE, over);

async function test(destination: DestinationInput, secret: string): Promise<CheckResult> {
  return admin.json<CheckResult>('POST', '/api/wizard/test-destination', { destination, secret, mailbox: ALICE });
}

describe('console connector into Dovecot', () => {
  it("tests a destination before it is saved, with the server's certificate verified", async () => {
    const ok = await test(imap(), MASTER.password);
    expect(ok.ok, JSON.stringify(ok.lines)).toBe(true);
    const wrong = await test(imap(), 'not-the-password');
    expect(wrong.ok).toBe(false);
    const noCa = await test(imap({ ca: undefined }), MASTER.password);
    expect(noCa.ok).toBe(false);
    expect(JSON.stringify(noCa.lines)).toMatch(/certificate/i);
  });

  it('delivers every item into the mailbox with the password from the secret store', async () => {
    const run = nextRun(h, 'mail');
    const res = await admin.request('POST', '/api/connectors', {
      id: 'mail',
      name: 'Into Dovecot',
      termsAccepted: TERMS_VERSION,
      source: { kind: 'sandbox', messages: 30 },
      mapping: { autoFromDirectoryEmail: false, catchAll: ALICE },
      destinations: [{ kind: 'archive' }, imap()],
      schedule: { intervalSeconds: 3600 },
      secrets: { destinations: { '1': MASTER.password } },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(MASTER.password);
    expect(res.json<ConnectorDetail>().secrets).toEqual({ 'destinations.1': 'set' });
    await run;
    const detail = await admin.json<ConnectorDetail>('GET', '/api/connectors/mail');
    expect(detail.state, detail.stateDetail ?? '').toBe('idle');
    const last = detail.runs[0]!;
    expect(last.atSource).toBe(30);
    // One entry per item in the embedded archive plus one IMAP delivery per item.
    expect(last.delivered).toBe(last.afterFanOut + 30);
    // The connector's delivery counters per destination say the same: 30 IMAP copies, none refused.
    expect(detail.destinations).toHaveLength(1);
    expect(detail.destinations[0]).toMatchObject({ delivered: 30, held: 0, pending: 0 });
    expect(detail.counters).toMatchObject({ atSource: 30, archived: 30, heldTotal: 0 });

    const client = new ImapFlow({
      host: d.host,
      port: d.port,
      secure: false,
      tls: { ca: d.ca },
      auth: { user: ALICE, pass: d.users.find((u) => u.name === ALICE)!.password },
      logger: false,
    });
    await client.connect();
    try {
      const status = await client.status('WeChat Archiver', { messages: true });
      expect(status && status.messages).toBe(30);
    } finally {
      await client.logout();
    }
  });
});
