import { afterEach, describe, expect, it } from 'vitest';
import { isArchiverError } from '../../../core/errors.js';
import type { ErrorCode } from '../../../core/errors.js';
import { SANDBOX_ARCHIVE_SECRET, startDirectoryServer } from '../../sandbox/directory-server.js';
import type { DirectoryServer, DirectoryServerOptions } from '../../sandbox/directory-server.js';
import { buildDirectory } from '../../sandbox/people.js';
import { createDirectoryClient } from './client.js';
import type { DirectoryClientOptions } from './client.js';
import { WecomApiError } from './wecom-errors.js';

const directory = buildDirectory(23);
const employees = directory.people.filter((p) => p.kind === 'internal');
const employee = employees[0]!;
const external = directory.people.find((p) => p.kind === 'external' && p.corpName)!;
const robot = directory.people.find((p) => p.kind === 'robot')!;
const internalRoom = directory.rooms.find((r) => r.kind === 'internal')!;
const customerRoom = directory.rooms.find((r) => r.kind === 'customer')!;

/** A clock the client sleeps on: sleeping moves it forward at once. */
function fakeClock(start = Date.UTC(2026, 10, 1)) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms: number) => void (t += ms),
    sleeps,
  };
}

let server: DirectoryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(serverOpts: DirectoryServerOptions = {}, clientOpts: Partial<DirectoryClientOptions> = {}) {
  const clock = fakeClock();
  server = await startDirectoryServer({ directory }, { now: clock.now, ...serverOpts });
  const client = createDirectoryClient({
    corpId: server.corpId,
    secret: SANDBOX_ARCHIVE_SECRET,
    baseUrl: server.url,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    rateLimitPerSecond: 1000,
    ...clientOpts,
  });
  const s = server;
  const count = (path: string): number => s.calls.filter((c) => c.path === path).length;
  return { server: s, client, clock, count };
}

async function failure(p: Promise<unknown>): Promise<WecomApiError | Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function expectCode(err: unknown, code: ErrorCode, errcode?: number): void {
  expect(isArchiverError(err, code), String(err)).toBe(true);
  if (errcode !== undefined) expect((err as WecomApiError).errcode).toBe(errcode);
}

describe('methods', () => {
  it('reads users, contacts, robots and permit users', async () => {
    const { client } = await setup();
    expect(await client.user(employee.id)).toEqual({ id: employee.id, name: employee.name, departments: [1] });
    expect(await client.externalContact(external.id)).toMatchObject({
      id: external.id,
      name: external.name,
      type: 'wecom',
      corpFullName: external.corpName,
    });
    expect(await client.robot(robot.id)).toMatchObject({ id: robot.id, name: robot.name });
    expect(await client.permitUsers()).toEqual(employees.map((p) => p.id));
    expect(await client.permitUsers(3)).toEqual(employees.map((p) => p.id));
  });

  it('uses mobile and e-mail when the service sends them', async () => {
    const { client } = await setup({ contactDetails: true });
    expect(await client.user(employee.id)).toMatchObject({ mobile: employee.mobile?.slice(3), email: employee.email });
  });

  it('reads internal and customer groups, times in ms', async () => {
    const { client } = await setup();
    const g = await client.groupChat(internalRoom.id);
    expect(g).toMatchObject({ roomId: internalRoom.id, name: internalRoom.name });
    expect(g.members.map((m) => m.id)).toEqual(internalRoom.members);
    expect(g.createdAt! % 1000).toBe(0);
    const c = await client.customerGroup(customerRoom.id);
    expect(c.name).toBe(customerRoom.name);
    expect(c.members.map((m) => m.id)).toEqual(customerRoom.members);
    expect(c.members.filter((m) => m.kind === 'external').every((m) => m.name)).toBe(true);
    expectCode(await failure(client.groupChat(customerRoom.id)), 'WXA_NOT_FOUND', 40050);
  });

  it('asks consent with the vendor spelling and reads it back', async () => {
    const { client, server: s } = await setup({ consent: { [external.id]: 'Disagree' } });
    const pairs = [{ userid: employee.id, externalId: external.id }];
    expect(await client.checkSingleAgree(pairs)).toEqual([
      { userid: employee.id, externalId: external.id, status: 'Disagree', changedAt: expect.any(Number) },
    ]);
    expect(s.calls.at(-1)?.body).toEqual({ info: [{ userid: employee.id, exteranalopenid: external.id }] });
    const room = await client.checkRoomAgree(customerRoom.id);
    expect(room.length).toBeGreaterThan(0);
    expect(room.every((a) => a.status === (a.externalId === external.id ? 'Disagree' : 'Agree'))).toBe(true);
    expect(await client.checkSingleAgree([])).toEqual([]);
  });
});

describe('access tokens', () => {
  it('caches one token per secret and shares one fetch among concurrent calls', async () => {
    const { client, count } = await setup();
    await Promise.all(employees.slice(0, 5).map((p) => client.user(p.id)));
    await client.groupChat(internalRoom.id);
    expect(count('gettoken')).toBe(1);
  });

  it('refreshes early, when less than 5 minutes are left', async () => {
    const { client, clock, count } = await setup({ expiresIn: 600 });
    await client.user(employee.id);
    clock.advance(4 * 60_000); // 6 min left
    await client.user(employee.id);
    expect(count('gettoken')).toBe(1);
    clock.advance(90_000); // 4.5 min left: still valid on the server, refreshed anyway
    await client.user(employee.id);
    expect(count('gettoken')).toBe(2);
  });

  it('fetches a new token once on 42001 and repeats the call', async () => {
    let serverNow = Date.UTC(2026, 10, 1);
    const { client, count } = await setup({ now: () => serverNow });
    await client.user(employee.id);
    serverNow += 7201_000; // the server's token lapsed; the client's clock says it is fresh
    expect((await client.user(employee.id)).id).toBe(employee.id);
    expect(count('gettoken')).toBe(2);
    expect(count('user/get')).toBe(3);
  });

  it('gives up when a fresh token is refused too', async () => {
    const { client, server: s, count } = await setup();
    s.inject({ kind: 'token-expired', path: 'user/get', times: 2 });
    expectCode(await failure(client.user(employee.id)), 'WXA_SOURCE_AUTH', 42001);
    expect(count('gettoken')).toBe(2);
  });

  it('refuses a wrong secret at once, without the secret in the message', async () => {
    const { client, count } = await setup({}, { secret: 'wrong-secret-value' });
    const err = await failure(client.user(employee.id));
    expectCode(err, 'WXA_SOURCE_AUTH', 40001);
    expect(err.message).not.toContain('wrong-secret-value');
    expect(count('gettoken')).toBe(1);
  });

  it("uses each app's secret for its APIs", async () => {
    const secrets = { contactSecret: 'contacts', externalSecret: 'customers' };
    const { client, count } = await setup(secrets, secrets);
    await client.user(employee.id);
    await client.externalContact(external.id);
    await client.customerGroup(customerRoom.id);
    await client.groupChat(internalRoom.id);
    expect(count('gettoken')).toBe(3);
    await server?.close();
    const only = await setup(secrets);
    expectCode(await failure(only.client.user(employee.id)), 'WXA_SOURCE_AUTH', 48002);
  });
});

describe('faults', () => {
  it('retries network errors, HTTP 5xx and system busy with growing backoff', async () => {
    const { client, server: s, clock, count } = await setup();
    await client.user(employee.id);
    for (const kind of ['http500', 'drop', 'busy'] as const) s.inject({ kind, path: 'user/get' });
    expect((await client.user(employee.id)).id).toBe(employee.id);
    expect(count('user/get')).toBe(5);
    // random 0.5: three quarters of 500, 1000 and 2000 ms
    expect(clock.sleeps.filter((ms) => ms > 10)).toEqual([375, 750, 1500]);
  });

  it('stops after the retries with a transient error', async () => {
    const { client, server: s, count } = await setup();
    await client.user(employee.id);
    s.inject({ kind: 'busy', path: 'user/get', times: 4 });
    expectCode(await failure(client.user(employee.id)), 'WXA_SOURCE_FAILED', -1);
    expect(count('user/get')).toBe(5);
  });

  it.each([
    ['subscription', 'WXA_SOURCE_SUBSCRIPTION', 301052],
    ['forbidden', 'WXA_SOURCE_AUTH', 48002],
    ['ip', 'WXA_SOURCE_FORBIDDEN', 60020],
  ] as const)('does not retry %s', async (kind, code, errcode) => {
    const { client, server: s, count } = await setup();
    s.inject({ kind, path: 'msgaudit/groupchat/get' });
    const err = await failure(client.groupChat(internalRoom.id));
    expectCode(err, code, errcode);
    expect(err.message).toContain(`errcode ${errcode}`);
    expect(count('msgaudit/groupchat/get')).toBe(1);
  });

  it('reports unknown ids as not found', async () => {
    const { client } = await setup();
    expectCode(await failure(client.user('ghost')), 'WXA_NOT_FOUND', 60111);
    expectCode(await failure(client.externalContact('wmghost')), 'WXA_NOT_FOUND', 84061);
    expectCode(await failure(client.robot('wbghost')), 'WXA_SOURCE_REFUSED', 40058);
  });
});

describe('rate limit', () => {
  it('spaces calls evenly, concurrent ones included', async () => {
    const { client, clock } = await setup({}, { rateLimitPerSecond: 5 });
    const start = clock.now();
    await Promise.all(employees.slice(0, 6).map((p) => client.user(p.id)));
    // gettoken and six calls: six gaps of 200 ms
    expect(clock.now() - start).toBe(1200);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => createDirectoryClient({ corpId: 'ww1', secret: 's', rateLimitPerSecond: 0 })).toThrow(RangeError);
    expect(() => createDirectoryClient({ corpId: '', secret: 's' })).toThrow(/corp id/);
  });
});
