// Stored Graph client secrets, Gmail service-account keys and WeCom archive secrets are used
// only with the tenant, app, cloud, corp, library and proxy they were saved for. Every HTTP
// request leaving the process is recorded (and routed to the Graph and Gmail emulators), and the
// WeCom library's C double counts each session it serves: a test or update with a changed
// identity and no secret given anew is refused before any request or library session, while
// the unchanged identity still signs in with the stored secret.
import { randomUUID } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GMAIL_SCOPES } from '../../src/destinations/gmail/index.js';
import { TERMS_VERSION } from '../../src/connectors/definitions.js';
import type { ApiError, CheckResult, DestinationInput, WecomSourceInput } from '../../src/server/contract.js';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { buildFakeSdk, fakeSdkEnv, readDestroyStats, setControl } from '../fixtures/fake-sdk/harness.js';
import { startGmailEmulator, type GmailEmulator } from '../gmail/emulator.js';
import { KEY, SA_EMAIL } from '../gmail/helpers.js';
import { startGraphEmulator, type GraphEmulator } from '../graph/emulator.js';
import { tempDir } from '../helpers/cli.js';
import { startConsole, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';

const MAILBOX = 'zhang.wei@example.com';
const GRAPH_SECRET = 'secret-1';
const ARCHIVE_SECRET = `archive-${randomUUID()}`;
const PROXY = 'http://proxy.internal:3128';

interface Sent {
  url: string;
  body: string;
}

let h: ConsoleHarness;
let admin: Client;
let graph: GraphEmulator;
let gmail: GmailEmulator;
let dir: { path: string; cleanup: () => Promise<void> };
let library: string;
let stats: string;
let keyPem: string;
const sent: Sent[] = [];
const realFetch = globalThis.fetch;

/** Public hosts the destinations call, answered by the emulators; any other host is refused. */
function routes(): [string, string][] {
  return [
    ['https://login.microsoftonline.com', graph.origin],
    ['https://graph.microsoft.com', graph.origin],
    ['https://gmail.googleapis.com', gmail.origin],
  ];
}

const recordingFetch: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  const raw = init?.body;
  sent.push({ url, body: typeof raw === 'string' ? raw : raw instanceof URLSearchParams ? raw.toString() : '' });
  if (url.startsWith('http://127.0.0.1:')) return realFetch(input, init);
  const route = routes().find(([from]) => url.startsWith(from));
  if (!route) throw new TypeError(`fetch failed: ${url} is not reachable from this test`);
  const headers = new Headers(init?.headers);
  headers.set('forwarded', `host=${new URL(route[0]).host};proto=https`);
  return realFetch(route[1] + url.slice(route[0].length), { ...init, headers });
};

const testStored = (destination: DestinationInput, connectorId: string) =>
  admin.request('POST', '/api/wizard/test-destination', { destination, connectorId, index: 1, mailbox: MAILBOX });

function create(id: string, extra: Record<string, unknown>) {
  return admin.request('POST', '/api/connectors', {
    id,
    name: id,
    termsAccepted: TERMS_VERSION,
    source: { kind: 'sandbox', messages: 10 },
    mapping: { autoFromDirectoryEmail: false, catchAll: MAILBOX },
    destinations: [{ kind: 'archive' }],
    schedule: { intervalSeconds: 3600 },
    ...extra,
  });
}

function expectRefused(res: { statusCode: number; body: string; json: <T>() => T }, field: RegExp): void {
  expect(res.statusCode, res.body).toBe(400);
  const body = res.json<ApiError>();
  expect(body.code).toBe('WXA_SECRET_REENTRY_REQUIRED');
  expect(body.message).toMatch(field);
}

beforeAll(async () => {
  dir = await tempDir('secret-binding');
  graph = await startGraphEmulator({ mailboxes: [MAILBOX] });
  gmail = await startGmailEmulator({
    domain: 'example.com',
    serviceAccounts: [{ client_email: SA_EMAIL, publicKey: createPublicKey(KEY), delegatedScopes: [...GMAIL_SCOPES] }],
    users: [MAILBOX],
  });
  const tenant = join(dir.path, 'tenant');
  await generateTenant({ outDir: tenant, seed: 5, messages: 20 });
  keyPem = await readFile(join(tenant, 'keys', 'v1.pem'), 'utf8');
  library = await buildFakeSdk(join(dir.path, 'lib'));
  const control = join(dir.path, 'control');
  stats = join(dir.path, 'stats');
  await setControl(control, { require_proxy: PROXY });
  Object.assign(process.env, fakeSdkEnv({ dataset: tenant, secret: ARCHIVE_SECRET, control, stats }));
  h = await startConsole();
  admin = await userWith(h, 'ops', ['connector-admin']);
  vi.spyOn(globalThis, 'fetch').mockImplementation(recordingFetch);
}, 300_000);
afterEach(() => {
  sent.length = 0;
});
afterAll(async () => {
  vi.restoreAllMocks();
  await h?.close();
  await graph?.close();
  await gmail?.close();
  await dir?.cleanup();
});

describe('a stored Graph client secret stays with its tenant, app and cloud', () => {
  const ms = (over: Partial<Extract<DestinationInput, { kind: 'graph' }>> = {}): DestinationInput => ({
    kind: 'graph',
    tenantId: 'tenant-1',
    clientId: 'client-1',
    ...over,
  });

  beforeAll(async () => {
    const res = await create('ms', {
      destinations: [{ kind: 'archive' }, ms()],
      secrets: { destinations: { '1': GRAPH_SECRET } },
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('signs in with the stored secret when nothing that decides where it goes changed', async () => {
    const res = await testStored(ms({ folder: 'Elsewhere' }), 'ms');
    const r = res.json<CheckResult>();
    expect(r.ok, res.body).toBe(true);
    const token = sent.find((s) => s.url.includes('/tenant-1/oauth2/v2.0/token'));
    expect(token?.body).toContain(`client_secret=${GRAPH_SECRET}`);
  });

  it.each<[string, Partial<Extract<DestinationInput, { kind: 'graph' }>>, RegExp]>([
    ['tenant', { tenantId: 'attacker-tenant' }, /tenantId "tenant-1" -> "attacker-tenant"/],
    ['app', { clientId: 'attacker-app' }, /clientId/],
    ['cloud', { cloud: 'china' }, /cloud "worldwide" -> "china"/],
  ])('refuses the stored secret when the %s changed, before any request', async (_what, over, field) => {
    expectRefused(await testStored(ms(over), 'ms'), field);
    expect(sent).toEqual([]);
  });

  it('refuses an update that keeps the stored secret for another tenant', async () => {
    const res = await admin.request('PUT', '/api/connectors/ms', {
      id: 'ms',
      name: 'ms',
      termsAccepted: TERMS_VERSION,
      source: { kind: 'sandbox', messages: 10 },
      mapping: { autoFromDirectoryEmail: false, catchAll: MAILBOX },
      destinations: [{ kind: 'archive' }, ms({ tenantId: 'attacker-tenant' })],
      schedule: { intervalSeconds: 3600 },
    });
    expectRefused(res, /tenantId/);
    expect(res.json<ApiError>().fields?.[0]?.path).toBe('secrets.destinations.1');
  });
});

describe('a stored Gmail service-account key stays a Gmail key', () => {
  beforeAll(async () => {
    const key = {
      type: 'service_account',
      client_email: SA_EMAIL,
      private_key: KEY,
      private_key_id: 'k1',
      token_uri: gmail.tokenUri,
    };
    const res = await create('gm', {
      destinations: [{ kind: 'archive' }, { kind: 'gmail' }],
      secrets: { destinations: { '1': JSON.stringify(key) } },
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('gets a token with the stored key from the token endpoint named in the key file', async () => {
    const res = await testStored({ kind: 'gmail', label: 'Other label' }, 'gm');
    expect(res.json<CheckResult>().ok, res.body).toBe(true);
    expect(sent.some((s) => s.url === gmail.tokenUri && s.body.includes('assertion='))).toBe(true);
  });

  it('refuses to send the stored key as the client secret of another kind of destination', async () => {
    expectRefused(
      await testStored({ kind: 'graph', tenantId: 'attacker-tenant', clientId: 'attacker-app' }, 'gm'),
      /kind "gmail" -> "graph"/,
    );
    expect(sent).toEqual([]);
  });
});

describe('stored WeCom secrets stay with their corp, library and proxy', () => {
  const source = (over: Partial<WecomSourceInput> = {}): WecomSourceInput => ({
    kind: 'wecom',
    corpId: 'ww-test-corp',
    sdkLibrary: library,
    proxy: PROXY,
    ...over,
  });
  const testSource = (s: WecomSourceInput, secrets?: Record<string, unknown>) =>
    admin.request('POST', '/api/wizard/test-source', {
      source: s,
      connectorId: 'corp',
      ...(secrets ? { secrets } : {}),
    });
  const sessions = async () => (await readDestroyStats(stats)).length;

  beforeAll(async () => {
    const res = await create('corp', {
      source: source(),
      secrets: { archiveSecret: ARCHIVE_SECRET, proxyPassword: 'proxy-pw', privateKeys: [{ version: 1, pem: keyPem }] },
    });
    expect(res.statusCode, res.body).toBe(201);
  });

  it('passes the stored archive secret to the library when nothing changed', async () => {
    const before = await sessions();
    const res = await testSource(source());
    // Each test opens and closes one library session, which the double counts.
    expect(await sessions()).toBe(before + 1);
    expect(res.statusCode, res.body).toBe(200);
    const secret = res.json<CheckResult>().lines.find((l) => l.name === 'secret');
    expect(secret?.ok, res.body).toBe(true);
    // The double refuses any other secret, so the line above is the stored one being accepted.
    const wrong = await testSource(source(), { archiveSecret: 'not-the-secret' });
    expect(wrong.json<CheckResult>().lines.find((l) => l.name === 'secret')?.ok).toBe(false);
  });

  it.each<[string, Partial<WecomSourceInput>, RegExp]>([
    ['proxy', { proxy: 'http://attacker.example:8080' }, /proxy/],
    ['corp', { corpId: 'ww-attacker' }, /corpId/],
    ['library', { sdkLibrary: '/opt/elsewhere/libWeWorkFinanceSdk_C.so' }, /sdkLibrary/],
  ])('refuses the stored secrets when the %s changed, before the library is loaded', async (_what, over, field) => {
    const before = await sessions();
    expectRefused(await testSource(source(over)), field);
    expect(await sessions()).toBe(before);
  });

  it('tests changed settings with every secret given anew', async () => {
    const res = await testSource(source({ corpId: 'ww-other-corp' }), {
      archiveSecret: ARCHIVE_SECRET,
      proxyPassword: 'proxy-pw',
      privateKeys: [{ version: 1, pem: keyPem }],
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('refuses a kept private key when only the archive secret is given anew for another corp', async () => {
    const res = await testSource(source({ corpId: 'ww-other-corp' }), {
      archiveSecret: ARCHIVE_SECRET,
      proxyPassword: 'x',
    });
    expectRefused(res, /corpId/);
    expect(res.json<ApiError>().fields?.[0]?.path).toBe('secrets.privateKeys.v1');
  });
});
