/**
 * A fake of WeCom's directory and consent HTTP APIs (qyapi.weixin.qq.com/cgi-bin/) serving a
 * sandbox tenant's directory, so the directory client runs against real HTTP here. It follows
 * the vendor's published behaviour: tokens per secret that expire (42001) or are unknown
 * (40014), a wrong secret refused at gettoken (40001), an API called with another app's token
 * refused (48002), user/get without mobile and e-mail (as since 2022, unless configured), and
 * injectable faults: HTTP 5xx, dropped connections, system busy (-1), throttling (45009),
 * subscription expired (301052), IP not allowed (60020). Codes the vendor does not document
 * for a case (an unknown room) use the nearest documented one (40050, chatid does not exist).
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Room } from '../../core/directory.js';
import type { Person } from '../../core/model.js';
import type { AgreeStatus } from '../wecom/directory/replies.js';
import type { TenantInfo } from './tenant.js';
import { readTenant } from './tenant.js';

/** What an injected fault does to the request it hits. */
export type DirectoryFaultKind =
  /** HTTP 500 with an HTML-ish body */
  | 'http500'
  /** the connection is closed without an answer */
  | 'drop'
  /** errcode -1, system busy */
  | 'busy'
  /** errcode 45009, call frequency over the limit */
  | 'throttled'
  /** errcode 42001, the token expired (whatever its real age) */
  | 'token-expired'
  /** errcode 301052, archive subscription expired */
  | 'subscription'
  /** errcode 48002, API not allowed for this secret */
  | 'forbidden'
  /** errcode 60020, caller IP not on the allow-list */
  | 'ip';

export interface DirectoryFault {
  kind: DirectoryFaultKind;
  /** API path below cgi-bin/, e.g. `user/get`; any path when absent */
  path?: string;
  /** how many matching requests it hits; default 1 */
  times?: number;
}

export interface DirectoryServerOptions {
  /** the archive secret gettoken accepts; default SANDBOX_ARCHIVE_SECRET */
  secret?: string;
  /** when set, user/get takes only a token of this secret (48002 otherwise) */
  contactSecret?: string;
  /** when set, externalcontact/* take only a token of this secret */
  externalSecret?: string;
  /** token lifetime, seconds; default 7200 like the real service */
  expiresIn?: number;
  /** the server's clock, ms */
  now?: () => number;
  /** return mobile and e-mail from user/get, as the contacts-sync app gets them */
  contactDetails?: boolean;
  /** consent per external id; Agree when absent (the stream's `disagree` senders are not known from tenant.json) */
  consent?: Record<string, AgreeStatus>;
  failures?: DirectoryFault[];
}

export interface DirectoryCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

export interface DirectoryServer {
  /** base URL for the client, ending in `/cgi-bin/` */
  url: string;
  corpId: string;
  /** every request, in order (tests count gettoken calls and retries) */
  calls: DirectoryCall[];
  inject(fault: DirectoryFault): void;
  close(): Promise<void>;
}

export const SANDBOX_ARCHIVE_SECRET = 'sandbox-archive-secret';

type Json = Record<string, unknown>;
const ok = (fields: Json): Json => ({ errcode: 0, errmsg: 'ok', ...fields });
const err = (errcode: number, errmsg: string): Json => ({ errcode, errmsg });

const FAULT_REPLIES: Partial<Record<DirectoryFaultKind, Json>> = {
  busy: err(-1, 'system busy'),
  throttled: err(45009, 'api freq out of limit'),
  'token-expired': err(42001, 'access_token expired'),
  subscription: err(301052, 'msgaudit subscription expired'),
  forbidden: err(48002, 'api forbidden'),
  ip: err(60020, 'not allow to access from your ip'),
};

/** What the server needs of a tenant: its directory, and when its stream starts (for plausible dates). */
export type DirectoryTenant = Pick<TenantInfo, 'directory'> & Partial<Pick<TenantInfo, 'first'>>;

/** Serves the directory of the tenant in a sandbox dataset directory (its tenant.json), or of `tenant` itself. */
export async function startDirectoryServer(
  tenant: string | DirectoryTenant,
  opts: DirectoryServerOptions = {},
): Promise<DirectoryServer> {
  const info = typeof tenant === 'string' ? await readTenant(tenant) : tenant;
  const { corpId, people, rooms } = info.directory;
  const byId = new Map<string, Person>(people.map((p) => [p.id, p]));
  const roomById = new Map<string, Room>(rooms.map((r) => [r.id, r]));
  const archiveSecret = opts.secret ?? SANDBOX_ARCHIVE_SECRET;
  const now = opts.now ?? Date.now;
  const tokens = new Map<string, { secret: string; expiresAt: number }>();
  const faults = (opts.failures ?? []).map((f) => ({ ...f, left: f.times ?? 1 }));
  const calls: DirectoryCall[] = [];
  // a month before the stream starts: rooms and contact relations predate the messages
  const since = Math.floor((info.first?.time ?? Date.UTC(2026, 9, 1)) / 1000) - 30 * 86_400;
  const employees = people.filter((p) => p.kind === 'internal');

  /** The secret whose tokens `path` takes: each app's secret reaches only its own APIs. */
  const secretFor = (path: string): string =>
    (path.startsWith('user/')
      ? opts.contactSecret
      : path.startsWith('externalcontact/')
        ? opts.externalSecret
        : undefined) ?? archiveSecret;
  const knownSecrets = new Set([archiveSecret, opts.contactSecret, opts.externalSecret].filter(Boolean));

  function takeFault(path: string): DirectoryFaultKind | undefined {
    const f = faults.find((x) => x.left > 0 && (x.path === undefined || x.path === path));
    if (!f) return undefined;
    f.left -= 1;
    return f.kind;
  }

  const staffOf = (room: Room): string[] => room.members.filter((m) => byId.get(m)?.kind === 'internal');

  function userGet(q: Record<string, string>): Json {
    const p = byId.get(q.userid ?? '');
    if (!p || p.kind !== 'internal') return err(60111, `userid not found: ${q.userid ?? ''}`);
    const fields: Json = { userid: p.id, name: p.name ?? '', department: [1], position: '', status: 1 };
    if (opts.contactDetails) {
      if (p.mobile) fields.mobile = p.mobile.replace(/^\+86/, '');
      if (p.email) fields.email = p.email;
    }
    return ok(fields);
  }

  function externalGet(q: Record<string, string>): Json {
    const p = byId.get(q.external_userid ?? '');
    if (!p || p.kind !== 'external') return err(84061, 'not external contact');
    const followers = new Set(rooms.filter((r) => r.members.includes(p.id)).flatMap(staffOf));
    if (followers.size === 0 && employees[0]) followers.add(employees[0].id);
    const contact: Json = { external_userid: p.id, name: p.name ?? '', type: p.corpName ? 2 : 1, gender: 0 };
    if (p.corpName) Object.assign(contact, { corp_name: p.corpName.split(' ')[0], corp_full_name: p.corpName });
    return ok({
      external_contact: contact,
      follow_user: [...followers].map((userid) => ({ userid, remark: '', createtime: since })),
    });
  }

  function robotGet(q: Record<string, string>): Json {
    const p = byId.get(q.robot_id ?? '');
    if (!p || p.kind !== 'robot') return err(40058, `invalid robot_id: ${q.robot_id ?? ''}`);
    const home = rooms.find((r) => r.members.includes(p.id));
    const creator = (home && staffOf(home)[0]) ?? employees[0]?.id ?? '';
    return ok({ data: { robot_id: p.id, name: p.name ?? '', creator_userid: creator } });
  }

  function roomOf(id: unknown, kind: Room['kind']): Room | undefined {
    const room = typeof id === 'string' ? roomById.get(id) : undefined;
    return room?.kind === kind ? room : undefined;
  }

  function internalGroup(b: Json): Json {
    const room = roomOf(b.roomid, 'internal');
    if (!room) return err(40050, 'chatid not found');
    return ok({
      roomname: room.name,
      creator: staffOf(room)[0] ?? '',
      room_create_time: since,
      notice: '',
      members: room.members.map((memberid, i) => ({ memberid, jointime: since + i * 60 })),
    });
  }

  function customerGroup(b: Json): Json {
    const room = roomOf(b.chat_id, 'customer');
    if (!room) return err(40050, 'chatid not found');
    const owner = staffOf(room)[0] ?? '';
    const members = room.members.map((userid, i) => {
      const external = byId.get(userid)?.kind === 'external';
      const m: Json = { userid, type: external ? 2 : 1, join_time: since + i * 60, join_scene: 1 };
      if (userid !== owner) m.invitor = { userid: owner };
      if (external && b.need_name === 1) m.name = byId.get(userid)?.name ?? '';
      return m;
    });
    return ok({
      group_chat: {
        chat_id: room.id,
        name: room.name,
        owner,
        create_time: since,
        notice: '',
        member_list: members,
        admin_list: [],
      },
    });
  }

  const consentOf = (externalId: string): Json => ({
    exteranalopenid: externalId,
    agree_status: opts.consent?.[externalId] ?? 'Agree',
    status_change_time: since,
  });

  function singleAgree(b: Json): Json {
    if (!Array.isArray(b.info)) return err(40058, 'info must be an array');
    const infos = b.info as Json[];
    return ok({ agreeinfo: infos.map((i) => ({ userid: i.userid, ...consentOf(String(i.exteranalopenid ?? '')) })) });
  }

  function roomAgree(b: Json): Json {
    const room = typeof b.roomid === 'string' ? roomById.get(b.roomid) : undefined;
    if (!room) return err(40050, 'chatid not found');
    return ok({ agreeinfo: room.members.filter((m) => byId.get(m)?.kind === 'external').map(consentOf) });
  }

  const ROUTES: Record<string, { method: 'GET' | 'POST'; run: (q: Record<string, string>, b: Json) => Json }> = {
    'user/get': { method: 'GET', run: (q) => userGet(q) },
    'externalcontact/get': { method: 'GET', run: (q) => externalGet(q) },
    'msgaudit/get_robot_info': { method: 'GET', run: (q) => robotGet(q) },
    'msgaudit/get_permit_user_list': { method: 'POST', run: () => ok({ ids: employees.map((p) => p.id) }) },
    'msgaudit/groupchat/get': { method: 'POST', run: (_q, b) => internalGroup(b) },
    'externalcontact/groupchat/get': { method: 'POST', run: (_q, b) => customerGroup(b) },
    'msgaudit/check_single_agree': { method: 'POST', run: (_q, b) => singleAgree(b) },
    'msgaudit/check_room_agree': { method: 'POST', run: (_q, b) => roomAgree(b) },
  };

  function getToken(q: Record<string, string>): Json {
    if (q.corpid !== corpId) return err(40013, 'invalid corpid');
    if (!q.corpsecret || !knownSecrets.has(q.corpsecret)) return err(40001, 'invalid credential');
    const token = randomBytes(24).toString('hex');
    const expiresIn = opts.expiresIn ?? 7200;
    tokens.set(token, { secret: q.corpsecret, expiresAt: now() + expiresIn * 1000 });
    return ok({ access_token: token, expires_in: expiresIn });
  }

  function answer(method: string, path: string, q: Record<string, string>, body: Json): Json | undefined {
    if (path === 'gettoken') return getToken(q);
    const route = ROUTES[path];
    if (!route || route.method !== method) return undefined;
    if (!q.access_token) return err(41001, 'access_token missing');
    const held = tokens.get(q.access_token);
    if (!held) return err(40014, 'invalid access_token');
    if (held.expiresAt <= now()) return err(42001, 'access_token expired');
    if (held.secret !== secretFor(path)) return err(48002, 'api forbidden');
    return route.run(q, body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const path = url.pathname.replace(/^\/cgi-bin\//, '');
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      body = undefined;
    }
    calls.push({ method: req.method ?? '', path, query, ...(raw ? { body: body ?? raw } : {}) });

    const fault = takeFault(path);
    if (fault === 'drop') return void req.socket.destroy();
    if (fault === 'http500') {
      res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>500 Internal Server Error</body></html>');
      return;
    }
    const reply =
      (fault && FAULT_REPLIES[fault]) ??
      (typeof body === 'object' && body !== null && !Array.isArray(body)
        ? answer(req.method ?? '', path, query, body as Json)
        : err(47001, 'data format error'));
    if (!reply) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(reply));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/cgi-bin/`,
    corpId,
    calls,
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
