// A stored IMAP password is used only with the server, port, TLS settings, CA and login it was
// saved for. A listener that records every connection and line stands in for a server an
// attacker controls: a test or an update aimed at it without the password given anew is
// refused before any connection, while the unchanged destination still logs in to Dovecot with
// the stored password.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMS_VERSION } from '../../src/connectors/definitions.js';
import type { ApiError, CheckResult, ConnectorDetail, DestinationInput } from '../../src/server/contract.js';
import { startDovecot, wizardImap, type Dovecot } from '../helpers/dovecot.js';
import { startConsole, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';

const MASTER = { name: 'archiver', password: 'master-secret-7f3a' };
const ALICE = 'alice@example.com';

/** A TCP listener that greets like an IMAP server and records every line a client sends. */
interface Recorder {
  port: number;
  connections: number;
  lines: string[];
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  const sockets = new Set<Socket>();
  const rec = { port: 0, connections: 0, lines: [] as string[] };
  const server: Server = createServer((s) => {
    rec.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN] ready\r\n');
    let buf = '';
    s.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        rec.lines.push(line);
        const tag = line.split(' ')[0] ?? '*';
        s.write(`${tag} NO recorded\r\n`);
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rec.port = (server.address() as AddressInfo).port;
  return Object.assign(rec, {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

let d: Dovecot;
let h: ConsoleHarness;
let admin: Client;
let rec: Recorder;

const imap = (over: Partial<Extract<DestinationInput, { kind: 'imap' }>> = {}): DestinationInput =>
  wizardImap(d, MASTER.name, ALICE, over);

const connector = (destination: DestinationInput, secrets?: Record<string, string>) => ({
  id: 'mail',
  name: 'Into Dovecot',
  termsAccepted: TERMS_VERSION,
  source: { kind: 'sandbox', messages: 10 },
  mapping: { autoFromDirectoryEmail: false, catchAll: ALICE },
  destinations: [{ kind: 'archive' }, destination],
  schedule: { intervalSeconds: 3600 },
  ...(secrets ? { secrets: { destinations: secrets } } : {}),
});

const testStored = (destination: DestinationInput, secret?: string) =>
  admin.request('POST', '/api/wizard/test-destination', {
    destination,
    connectorId: 'mail',
    index: 1,
    mailbox: ALICE,
    ...(secret ? { secret } : {}),
  });

/** Every form the password could take on the wire: as typed, and inside SASL PLAIN / LOGIN base64. */
function leaked(lines: string[]): boolean {
  const text = lines.join('\n');
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return (
    text.includes(MASTER.password) ||
    text.includes(b64(MASTER.password)) ||
    text.includes(b64(`${ALICE}\0${MASTER.name}\0${MASTER.password}`)) ||
    text.includes(b64(`\0${ALICE}*${MASTER.name}\0${MASTER.password}`))
  );
}

beforeAll(async () => {
  d = await startDovecot({ tls: true, masterUser: MASTER });
  h = await startConsole();
  admin = await userWith(h, 'ops', ['connector-admin']);
  rec = await startRecorder();
  const res = await admin.request('POST', '/api/connectors', connector(imap(), { '1': MASTER.password }));
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => {
  await rec?.close();
  await h?.close();
  await d?.stop();
});

describe('a stored IMAP password stays with its server', () => {
  it('logs in to Dovecot with the stored password when only the folder changed', async () => {
    const res = await testStored(imap({ folder: 'Elsewhere' }));
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json<CheckResult>();
    expect(r.ok, JSON.stringify(r.lines)).toBe(true);
  });

  it.each<[string, Partial<Extract<DestinationInput, { kind: 'imap' }>>, RegExp]>([
    ['host and port (the probe)', { host: 'localhost', port: 0 }, /host .*port/],
    ['port', { port: 0 }, /port/],
    ['CA', { ca: undefined }, /\bca\b/],
    ['TLS mode', { secure: true }, /secure/],
    ['master user', { masterUser: 'someone-else' }, /masterUser/],
    ['auth mode', { authKind: 'password' }, /authKind/],
  ])('refuses to send the stored password when the %s changed, before connecting', async (_what, over, field) => {
    const changed = { ...over, ...(over.port === 0 ? { port: rec.port } : {}) };
    const res = await testStored(imap(changed));
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json<ApiError>();
    expect(body.code).toBe('WXA_SECRET_REENTRY_REQUIRED');
    expect(body.message).toMatch(field);
    expect(body.message).toMatch(/enter the secret again/);
    expect(body.fields?.[0]?.path).toBe('secret');
    expect(rec.connections).toBe(0);
  });

  it('refuses the stored password for another kind of destination at the same position', async () => {
    const res = await testStored({ kind: 'graph', tenantId: 'attacker-tenant', clientId: 'attacker-app' });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json<ApiError>().code).toBe('WXA_SECRET_REENTRY_REQUIRED');
    expect(res.json<ApiError>().message).toMatch(/kind "imap" -> "graph"/);
  });

  it('uses a password given anew with the new server, never the stored one', async () => {
    const res = await testStored(imap({ host: '127.0.0.1', port: rec.port, ca: undefined }), 'typed-again-0000');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<CheckResult>().ok).toBe(false);
    expect(rec.connections).toBeGreaterThan(0);
    expect(leaked(rec.lines)).toBe(false);
  });

  it('refuses an update that moves the destination but keeps the stored password, and changes nothing', async () => {
    const moved = await admin.request('PUT', '/api/connectors/mail', connector(imap({ port: rec.port })));
    expect(moved.statusCode, moved.body).toBe(400);
    const body = moved.json<ApiError>();
    expect(body.code).toBe('WXA_SECRET_REENTRY_REQUIRED');
    expect(body.fields?.[0]?.path).toBe('secrets.destinations.1');
    expect(body.message).toMatch(/port/);
    const detail = await admin.json<ConnectorDetail>('GET', '/api/connectors/mail');
    expect(detail.definition.destinations[1]).toMatchObject({ kind: 'imap', port: d.port });

    // A change that does not decide where the password goes keeps it.
    const renamed = await admin.request('PUT', '/api/connectors/mail', connector(imap({ folder: 'Archive 2' })));
    expect(renamed.statusCode, renamed.body).toBe(200);
    const again = await testStored(imap({ folder: 'Archive 2' }));
    expect(again.json<CheckResult>().ok, again.body).toBe(true);

    // Given anew, the password is bound to the new settings and the old ones are refused.
    const withSecret = await admin.request(
      'PUT',
      '/api/connectors/mail',
      connector(imap({ masterUser: 'archiver2' }), { '1': 'another-master-pw' }),
    );
    expect(withSecret.statusCode, withSecret.body).toBe(200);
    const old = await testStored(imap({ folder: 'Archive 2' }));
    expect(old.statusCode).toBe(400);
    expect(old.json<ApiError>().message).toMatch(/masterUser "archiver2" -> "archiver"/);
  });

  it("binds a password saved by an earlier version to its connector's saved settings on first use", async () => {
    const put = await admin.request('PUT', '/api/connectors/mail', connector(imap(), { '1': MASTER.password }));
    expect(put.statusCode, put.body).toBe(200);
    // As an earlier version stored it: encrypted under its name only, with no identity.
    const name = 'connector/mail/destination/1';
    await h.secrets.put(h.store.db, name, MASTER.password, 'ops', Date.now());
    const identity = async () =>
      (await h.store.db.selectFrom('secrets').select('identity').where('name', '=', name).executeTakeFirstOrThrow())
        .identity;
    expect(await identity()).toBeNull();

    const connections = rec.connections;
    const moved = await testStored(imap({ port: rec.port }));
    expect(moved.statusCode, moved.body).toBe(400);
    expect(moved.json<ApiError>().message).toMatch(/port/);
    expect(await identity()).toBeNull();
    expect(rec.connections).toBe(connections);

    const same = await testStored(imap());
    expect(same.json<CheckResult>().ok, same.body).toBe(true);
    expect(JSON.parse((await identity())!)).toMatchObject({ host: d.host, port: d.port, masterUser: MASTER.name });
  });
});
