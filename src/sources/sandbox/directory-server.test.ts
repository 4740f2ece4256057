import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DirectorySnapshot } from '../../core/directory.js';
import { SANDBOX_ARCHIVE_SECRET, startDirectoryServer } from './directory-server.js';
import type { DirectoryServer, DirectoryServerOptions } from './directory-server.js';
import { generateTenant } from './generate.js';
import { buildDirectory } from './people.js';

const directory: DirectorySnapshot = buildDirectory(11);
const employee = directory.people.find((p) => p.kind === 'internal')!;
const external = directory.people.find((p) => p.kind === 'external' && p.corpName)!;
const robot = directory.people.find((p) => p.kind === 'robot')!;
const internalRoom = directory.rooms.find((r) => r.kind === 'internal')!;
const customerRoom = directory.rooms.find((r) => r.kind === 'customer')!;

let server: DirectoryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(opts: DirectoryServerOptions = {}): Promise<DirectoryServer> {
  server = await startDirectoryServer({ directory }, opts);
  return server;
}

type Reply = Record<string, unknown> & { errcode: number };

async function get(s: DirectoryServer, path: string, query: Record<string, string>): Promise<Reply> {
  const res = await fetch(`${s.url}${path}?${new URLSearchParams(query)}`);
  return (await res.json()) as Reply;
}

async function post(s: DirectoryServer, path: string, token: string, body: unknown): Promise<Reply> {
  const res = await fetch(`${s.url}${path}?access_token=${token}`, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as Reply;
}

async function token(s: DirectoryServer, secret = SANDBOX_ARCHIVE_SECRET): Promise<string> {
  const reply = await get(s, 'gettoken', { corpid: s.corpId, corpsecret: secret });
  expect(reply).toMatchObject({ errcode: 0, expires_in: 7200 });
  return reply.access_token as string;
}

describe('gettoken', () => {
  it('refuses a wrong secret (40001) and a wrong corp (40013)', async () => {
    const s = await start();
    expect((await get(s, 'gettoken', { corpid: s.corpId, corpsecret: 'nope' })).errcode).toBe(40001);
    expect((await get(s, 'gettoken', { corpid: 'wwother', corpsecret: SANDBOX_ARCHIVE_SECRET })).errcode).toBe(40013);
  });

  it('issues tokens that expire (42001) and refuses unknown ones (40014)', async () => {
    let now = 1_000_000;
    const s = await start({ expiresIn: 60, now: () => now });
    const reply = await get(s, 'gettoken', { corpid: s.corpId, corpsecret: SANDBOX_ARCHIVE_SECRET });
    expect(reply.expires_in).toBe(60);
    const t = reply.access_token as string;
    expect((await get(s, 'user/get', { access_token: t, userid: employee.id })).errcode).toBe(0);
    now += 60_000;
    expect((await get(s, 'user/get', { access_token: t, userid: employee.id })).errcode).toBe(42001);
    expect((await get(s, 'user/get', { access_token: 'made-up', userid: employee.id })).errcode).toBe(40014);
    expect((await get(s, 'user/get', { userid: employee.id })).errcode).toBe(41001);
  });
});

describe('directory endpoints', () => {
  it('user/get leaves out mobile and e-mail unless configured (as since 2022)', async () => {
    const s = await start();
    const t = await token(s);
    const reply = await get(s, 'user/get', { access_token: t, userid: employee.id });
    expect(reply).toMatchObject({ errcode: 0, userid: employee.id, name: employee.name, department: [1] });
    expect(reply).not.toHaveProperty('mobile');
    expect(reply).not.toHaveProperty('email');
    expect((await get(s, 'user/get', { access_token: t, userid: 'ghost' })).errcode).toBe(60111);
    await s.close();

    const full = await start({ contactDetails: true });
    const detailed = await get(full, 'user/get', { access_token: await token(full), userid: employee.id });
    expect(detailed.mobile).toBe(employee.mobile?.replace(/^\+86/, ''));
    expect(detailed.email).toBe(employee.email);
  });

  it('externalcontact/get describes the contact and who follows them', async () => {
    const s = await start();
    const reply = await get(s, 'externalcontact/get', { access_token: await token(s), external_userid: external.id });
    expect(reply.external_contact).toMatchObject({
      external_userid: external.id,
      name: external.name,
      type: 2,
      corp_full_name: external.corpName,
    });
    expect((reply.follow_user as unknown[]).length).toBeGreaterThan(0);
  });

  it('serves internal groups on msgaudit/groupchat/get and customer groups on externalcontact/groupchat/get', async () => {
    const s = await start();
    const t = await token(s);
    const internal = await post(s, 'msgaudit/groupchat/get', t, { roomid: internalRoom.id });
    expect(internal).toMatchObject({ errcode: 0, roomname: internalRoom.name });
    expect((internal.members as { memberid: string }[]).map((m) => m.memberid)).toEqual(internalRoom.members);
    expect((await post(s, 'msgaudit/groupchat/get', t, { roomid: customerRoom.id })).errcode).toBe(40050);

    const customer = await post(s, 'externalcontact/groupchat/get', t, { chat_id: customerRoom.id, need_name: 1 });
    const group = customer.group_chat as {
      name: string;
      member_list: { userid: string; type: number; name?: string }[];
    };
    expect(group.name).toBe(customerRoom.name);
    expect(group.member_list.map((m) => m.userid)).toEqual(customerRoom.members);
    const externals = group.member_list.filter((m) => m.type === 2);
    expect(externals.length).toBeGreaterThan(0);
    expect(externals.every((m) => typeof m.name === 'string' && m.name !== '')).toBe(true);
    expect((await post(s, 'externalcontact/groupchat/get', t, { chat_id: internalRoom.id })).errcode).toBe(40050);
  });

  it('answers robots, permit users and consent', async () => {
    const s = await start({ consent: { [external.id]: 'Disagree' } });
    const t = await token(s);
    const bot = await get(s, 'msgaudit/get_robot_info', { access_token: t, robot_id: robot.id });
    expect(bot.data).toMatchObject({ robot_id: robot.id, name: robot.name });
    const permit = await post(s, 'msgaudit/get_permit_user_list', t, { type: 1 });
    expect(permit.ids).toEqual(directory.people.filter((p) => p.kind === 'internal').map((p) => p.id));
    const single = await post(s, 'msgaudit/check_single_agree', t, {
      info: [{ userid: employee.id, exteranalopenid: external.id }],
    });
    expect(single.agreeinfo).toEqual([
      {
        userid: employee.id,
        exteranalopenid: external.id,
        agree_status: 'Disagree',
        status_change_time: expect.any(Number),
      },
    ]);
    const room = await post(s, 'msgaudit/check_room_agree', t, { roomid: customerRoom.id });
    const statuses = room.agreeinfo as { exteranalopenid: string; agree_status: string }[];
    expect(statuses.map((a) => a.exteranalopenid).sort()).toEqual(
      customerRoom.members.filter((m) => m.startsWith('wo') || m.startsWith('wm')).sort(),
    );
  });

  it("refuses an API called with another app's token (48002)", async () => {
    const s = await start({ contactSecret: 'contacts-secret' });
    const archive = await token(s);
    const contacts = await token(s, 'contacts-secret');
    expect((await get(s, 'user/get', { access_token: archive, userid: employee.id })).errcode).toBe(48002);
    expect((await get(s, 'user/get', { access_token: contacts, userid: employee.id })).errcode).toBe(0);
    expect((await post(s, 'msgaudit/groupchat/get', contacts, { roomid: internalRoom.id })).errcode).toBe(48002);
  });
});

describe('faults', () => {
  it('injects each fault on its path for the given number of requests', async () => {
    const s = await start({ failures: [{ kind: 'busy', path: 'user/get', times: 2 }] });
    const t = await token(s);
    const q = { access_token: t, userid: employee.id };
    expect((await get(s, 'user/get', q)).errcode).toBe(-1);
    expect((await get(s, 'user/get', q)).errcode).toBe(-1);
    expect((await get(s, 'user/get', q)).errcode).toBe(0);

    s.inject({ kind: 'http500', path: 'user/get' });
    const res = await fetch(`${s.url}user/get?${new URLSearchParams(q)}`);
    expect(res.status).toBe(500);
    s.inject({ kind: 'drop' });
    await expect(fetch(`${s.url}user/get?${new URLSearchParams(q)}`)).rejects.toThrow();
    for (const [kind, errcode] of [
      ['subscription', 301052],
      ['forbidden', 48002],
      ['ip', 60020],
      ['throttled', 45009],
      ['token-expired', 42001],
    ] as const) {
      s.inject({ kind, path: 'user/get' });
      expect((await get(s, 'user/get', q)).errcode).toBe(errcode);
    }
    expect(s.calls.filter((c) => c.path === 'user/get')).toHaveLength(10);
  });
});

describe('a tenant directory on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wxa-dirsrv-'));
    await generateTenant({ outDir: dir, seed: 5, messages: 0 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves the tenant.json directory of a generated dataset', async () => {
    server = await startDirectoryServer(dir);
    const expected = buildDirectory(5);
    expect(server.corpId).toBe(expected.corpId);
    const t = await token(server);
    const user = expected.people[0]!;
    expect((await get(server, 'user/get', { access_token: t, userid: user.id })).name).toBe(user.name);
  });
});
