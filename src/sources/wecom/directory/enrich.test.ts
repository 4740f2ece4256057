import { afterEach, describe, expect, it } from 'vitest';
import { isArchiverError } from '../../../core/errors.js';
import { SANDBOX_ARCHIVE_SECRET, startDirectoryServer } from '../../sandbox/directory-server.js';
import type { DirectoryServer, DirectoryServerOptions } from '../../sandbox/directory-server.js';
import { CORP_NAME, buildDirectory } from '../../sandbox/people.js';
import { createDirectoryClient } from './client.js';
import type { DirectoryClientOptions } from './client.js';
import { enrichDirectory } from './enrich.js';
import type { DirectoryIds } from './enrich.js';

const directory = buildDirectory(31);
const byKind = (kind: string) => directory.people.filter((p) => p.kind === kind);
const [alice, bob] = byKind('internal') as [(typeof directory.people)[0], (typeof directory.people)[0]];
const externals = byKind('external').slice(0, 2);
const robot = byKind('robot')[0]!;
const internalRoom = directory.rooms.find((r) => r.kind === 'internal')!;
const customerRoom = directory.rooms.find((r) => r.kind === 'customer')!;

const ids: DirectoryIds = {
  users: [alice.id, bob.id, 'ghost', alice.id],
  externals: externals.map((p) => p.id),
  robots: [robot.id],
  rooms: [internalRoom.id, customerRoom.id],
};

let server: DirectoryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(serverOpts: DirectoryServerOptions = {}, clientOpts: Partial<DirectoryClientOptions> = {}) {
  server = await startDirectoryServer({ directory }, serverOpts);
  const client = createDirectoryClient({
    corpId: server.corpId,
    secret: SANDBOX_ARCHIVE_SECRET,
    baseUrl: server.url,
    sleep: async () => undefined,
    rateLimitPerSecond: 10_000,
    ...clientOpts,
  });
  const s = server;
  return { client, server: s, count: (path: string) => s.calls.filter((c) => c.path === path).length };
}

describe('enrichDirectory', () => {
  it('names everyone and every room, keeping a failed id with its failure', async () => {
    const { client } = await setup();
    const snap = await enrichDirectory(client, ids, { corpName: CORP_NAME });
    expect(snap.corpId).toBe(directory.corpId);
    expect(snap.corpName).toBe(CORP_NAME);
    expect(snap.people).toEqual([
      { id: alice.id, kind: 'internal', name: alice.name, corpName: CORP_NAME },
      { id: bob.id, kind: 'internal', name: bob.name, corpName: CORP_NAME },
      { id: 'ghost', kind: 'internal' },
      ...externals.map((p) => ({
        id: p.id,
        kind: 'external',
        name: p.name,
        ...(p.corpName ? { corpName: p.corpName } : {}),
      })),
      { id: robot.id, kind: 'robot', name: robot.name, corpName: CORP_NAME },
    ]);
    expect(snap.rooms).toEqual([
      { id: internalRoom.id, name: internalRoom.name, kind: 'internal', members: internalRoom.members },
      { id: customerRoom.id, name: customerRoom.name, kind: 'customer', members: customerRoom.members },
    ]);
    expect(snap.failures).toEqual([
      { id: 'ghost', what: 'user', code: 'WXA_NOT_FOUND', errcode: 60111, message: expect.stringContaining('60111') },
    ]);
  });

  it('takes e-mail and mobile when the directory gives them', async () => {
    const { client } = await setup({ contactDetails: true });
    const snap = await enrichDirectory(client, { users: [alice.id], externals: [], robots: [], rooms: [] });
    expect(snap.people[0]).toMatchObject({ email: alice.email, mobile: alice.mobile?.slice(3) });
  });

  it('records a lookup that keeps failing after retries and goes on', async () => {
    const { client } = await setup({ failures: [{ kind: 'busy', path: 'msgaudit/get_robot_info', times: 4 }] });
    const snap = await enrichDirectory(client, ids);
    expect(snap.people.find((p) => p.id === robot.id)).toEqual({ id: robot.id, kind: 'robot' });
    expect(snap.failures.map((f) => [f.id, f.code])).toEqual([
      [robot.id, 'WXA_SOURCE_FAILED'],
      ['ghost', 'WXA_NOT_FOUND'],
    ]);
    expect(snap.people.filter((p) => p.name).map((p) => p.id)).toEqual([
      alice.id,
      bob.id,
      ...externals.map((p) => p.id),
    ]);
  });

  it('keeps an unknown room with an empty name', async () => {
    const { client } = await setup();
    const snap = await enrichDirectory(client, { users: [], externals: [], robots: [], rooms: ['wrunknown'] });
    expect(snap.rooms).toEqual([{ id: 'wrunknown', name: '', kind: 'internal', members: [] }]);
    expect(snap.failures).toMatchObject([{ id: 'wrunknown', what: 'room', code: 'WXA_NOT_FOUND' }]);
    expect(snap.failures[0]?.message).toMatch(/neither an internal group .* nor a customer group/);
  });

  it('stops everything when the subscription has expired', async () => {
    const { client } = await setup({ failures: [{ kind: 'subscription', path: 'msgaudit/groupchat/get' }] });
    let caught: unknown;
    await enrichDirectory(client, ids).catch((err: unknown) => (caught = err));
    expect(isArchiverError(caught, 'WXA_SOURCE_SUBSCRIPTION')).toBe(true);
  });

  it('asks an API refused with 48002 only once, recording each id it concerns', async () => {
    // the customer-contact app has its own secret, and the client was not given it
    const { client, count } = await setup({ externalSecret: 'customers' });
    const snap = await enrichDirectory(client, { ...ids, users: [alice.id] }, { concurrency: 1 });
    const refused = snap.failures.filter((f) => f.errcode === 48002);
    expect(refused.map((f) => f.id).sort()).toEqual([...externals.map((p) => p.id), customerRoom.id].sort());
    expect(refused.every((f) => f.code === 'WXA_SOURCE_AUTH')).toBe(true);
    expect(count('externalcontact/get')).toBe(1);
    expect(count('externalcontact/groupchat/get')).toBe(1);
    expect(snap.rooms.find((r) => r.id === internalRoom.id)?.name).toBe(internalRoom.name);
  });
});
