// No spelling of a URL reaches a handler unchecked. Every route of the API is asked for in every
// way a client or proxy may spell its path (percent-encoded letters and slashes, doubled
// encoding, upper case, doubled slashes, dot segments, trailing slashes, `;` parameters,
// backslashes, the absolute form, very long paths) with its own method, HEAD and OPTIONS: as nobody over a raw
// socket (so no client normalises anything), and as every role and without the CSRF token
// through inject. An identity the route's declared access refuses never gets a 2xx or 3xx, no
// /api-ish path ever gets the web app's index.html, and every API answer is JSON, uncached.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, can, countUsers, type Permission, type Role } from '../../src/security/index.js';
import { buildApp } from '../../src/server/app.js';
import { tempDir } from '../helpers/cli.js';
import { startConsole, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { rawRequest, type RawResponse } from '../helpers/raw-http.js';

interface RouteInfo {
  method: string;
  /** the path after `/api/`, with example values for its parameters */
  rest: string;
  access: string;
}

/** What the web app's index.html says, so a test can tell it from an API answer. */
const SPA_MARKER = 'web-app-index-marker';

const INTRUDER = {
  username: 'intruder',
  displayName: 'Intruder',
  password: 'a long enough password',
  roles: ['org-admin'],
};

let h: ConsoleHarness;
let webRoot: { path: string; cleanup: () => Promise<void> };
let routes: RouteInfo[];
let port: number;

/** Every letter as %XX. */
const encodeLetters = (s: string) =>
  [...s].map((c) => (/[a-z]/i.test(c) ? `%${c.charCodeAt(0).toString(16).toUpperCase()}` : c)).join('');

/** The ways a client or proxy may spell `/api/<rest>`; each decodes or normalises to it. */
function spellings(rest: string): string[] {
  const [first = '', ...more] = rest.split('/');
  const tail = more.length > 0 ? `/${more.join('/')}` : '';
  const long = 'a'.repeat(3000);
  return [
    `/api/${rest}`,
    `/%61pi/${rest}`,
    `/%61%70%69/${rest}`,
    `/${encodeLetters('api')}/${encodeLetters(first)}${tail}`,
    `/%2561pi/${rest}`,
    `/api%2F${rest}`,
    `/api%2f${rest.replace(/\//g, '%2F')}`,
    `/%2Fapi/${rest}`,
    `/API/${rest}`,
    `/Api/${rest}`,
    `/api/${first.toUpperCase()}${tail}`,
    `//api//${rest}`,
    `///api/${rest.replace(/\//g, '//')}`,
    `/x/../api/${rest}`,
    `/./api/${rest}`,
    `/api/./${rest}`,
    `/api/x/../${rest}`,
    `/x/%2e%2e/api/${rest}`,
    `/%2e/api/${rest}`,
    `/api/${rest}/`,
    `/api/${rest}//`,
    `/api/${rest};x=1`,
    `/api;x=1/${rest}`,
    `/api\\${rest.replace(/\//g, '\\')}`,
    `/api/${rest}?x=1`,
    `http://127.0.0.1/%61pi/${rest}`,
    `http://127.0.0.1/API/${rest}`,
    `/api/${first}/${long}`,
    `/api/${rest}/${long}`,
    `/${long}/../api/${rest}`,
  ];
}

beforeAll(async () => {
  webRoot = await tempDir('spellings-web');
  await mkdir(join(webRoot.path, 'assets'));
  await writeFile(join(webRoot.path, 'index.html'), `<!doctype html><title>${SPA_MARKER}</title>`);
  await writeFile(join(webRoot.path, 'assets', 'app.js'), 'console.log(1)');
  h = await startConsole({ webRoot: webRoot.path });
  const doc = h.app.swagger() as { paths: Record<string, Record<string, { 'x-access'?: string }>> };
  routes = [];
  for (const [url, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const rest = url
        .replace(/^\/api\//, '')
        .replace('{id}', url.startsWith('/api/users') ? '1' : 'demo')
        .replace('{address}', encodeURIComponent('nobody@example.com'))
        .replace('{itemKey}', 'missing')
        .replace('{index}', '0');
      routes.push({ method: method.toUpperCase(), rest, access: op['x-access'] ?? '(none)' });
    }
  }
  expect(routes.length).toBeGreaterThan(25);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  port = (h.app.server.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  await h?.close();
  await webRoot?.cleanup();
});

/** The methods to try on a route: its own, HEAD for a GET, and OPTIONS. */
function methodsOf(r: RouteInfo): string[] {
  return r.method === 'GET' ? ['GET', 'HEAD', 'OPTIONS'] : [r.method, 'OPTIONS'];
}

/** The same checks as expectGuarded, true when all pass. */
function guarded(res: Answer, what: string, refused: boolean): boolean {
  const type = String(res.headers['content-type'] ?? '');
  if (res.body.includes(SPA_MARKER) || /html/.test(type)) return false;
  if (refused && ![400, 401, 403, 404, 414].includes(res.status)) return false;
  if (res.status >= 400 && !what.startsWith('HEAD')) {
    if (!/^application\/json/.test(type)) return false;
    try {
      if (!/^WXA_/.test(String((JSON.parse(res.body) as { code?: unknown }).code))) return false;
    } catch {
      return false;
    }
  }
  return /no-store/.test(String(res.headers['cache-control']));
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

/**
 * What every answer to an /api-ish path must be: JSON (or no body for HEAD), never the web
 * app, never cached; and, when `refused`, not a success of the route's handler.
 */
function expectGuarded(res: Answer, what: string, refused: boolean): void {
  // Checked in plain code first: this runs for some 20,000 answers, and the assertions below
  // (which say what is wrong) cost more than the requests; they run only for an answer that fails.
  if (guarded(res, what, refused)) return;
  const msg = `${what} -> ${res.status} ${res.body.slice(0, 160)}`;
  expect(res.body, msg).not.toContain(SPA_MARKER);
  expect(String(res.headers['content-type'] ?? ''), msg).not.toMatch(/html/);
  if (refused) {
    expect(res.status, msg).toBeGreaterThanOrEqual(400);
    expect([400, 401, 403, 404, 414], msg).toContain(res.status);
  }
  if (res.status >= 400 && !what.startsWith('HEAD')) {
    expect(String(res.headers['content-type']), msg).toMatch(/^application\/json/);
    expect(JSON.parse(res.body).code, msg).toMatch(/^WXA_/);
  }
  // The event stream is never answered to these identities, so every answer here is a whole one.
  expect(String(res.headers['cache-control']), msg).toMatch(/no-store/);
}

describe('URL spellings', () => {
  it('are judged by the plain checks exactly as by the assertions (each kind of bad answer fails both)', () => {
    const good: Answer = {
      status: 403,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: '{"code":"WXA_FORBIDDEN"}',
    };
    expect(guarded(good, 'GET /api/x', true)).toBe(true);
    expect(() => expectGuarded(good, 'GET /api/x', true)).not.toThrow();
    const bad: Answer[] = [
      { ...good, status: 200 },
      { ...good, status: 302 },
      { ...good, body: `<html>${SPA_MARKER}</html>` },
      { ...good, headers: { ...good.headers, 'content-type': 'text/html' } },
      { ...good, headers: { ...good.headers, 'content-type': 'text/plain' } },
      { ...good, body: '{"code":"FORBIDDEN"}' },
      { ...good, body: 'not json' },
      { ...good, headers: { 'content-type': 'application/json' } },
    ];
    for (const b of bad) {
      expect(guarded(b, 'GET /api/x', true), JSON.stringify(b)).toBe(false);
      expect(() => expectGuarded(b, 'GET /api/x', true), JSON.stringify(b)).toThrow();
    }
  });

  it('are each a spelling of the API path (the list means what it says)', async () => {
    const { canonicalPath } = await import('../../src/server/api-path.js');
    for (const s of spellings('users/1')) {
      const path = canonicalPath(s);
      expect(path === '/api/users/1' || path.startsWith('/api/users/1/') || path.startsWith('/api/users/'), s).toBe(
        true,
      );
    }
  });

  it('let nobody reach a handler over a raw socket, for every route, spelling and method', async () => {
    let calls = 0;
    const statuses = new Map<number, number>();
    for (const r of routes) {
      const jobs: Promise<void>[] = [];
      for (const method of methodsOf(r)) {
        for (const target of spellings(r.rest)) {
          const body = ['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(method) ? undefined : '{}';
          jobs.push(
            rawRequest(port, method, target, {
              ...(body ? { body, headers: { 'content-type': 'application/json' } } : {}),
            }).then((res: RawResponse) => {
              calls++;
              statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
              expectGuarded(res, `${method} ${target.slice(0, 100)}`, r.access !== 'public');
            }),
          );
        }
      }
      await Promise.all(jobs);
    }
    expect(calls).toBeGreaterThan(1500);
    // The walk reached the gate (401), the router's refusals (404, 400/414) and no handler success.
    expect(statuses.get(401)).toBeGreaterThan(0);
    expect(statuses.get(404)).toBeGreaterThan(0);
  }, 300_000);

  it('give each role and a change without the CSRF token only what the declared access allows', async () => {
    const clients = new Map<Role, Client>();
    for (const role of ROLES) clients.set(role, await userWith(h, `spell-${role}`, [role]));
    const forged = await userWith(h, 'spell-forged', ['org-admin']);
    let refused = 0;
    for (const r of routes.filter((x) => x.access !== 'public')) {
      // Logging out ends the session these clients share across routes; the event stream never
      // ends when allowed. Both are walked as nobody above and by the forbidden roles here.
      const skipAllowed = r.rest === 'events' || (r.method === 'DELETE' && r.rest === 'session');
      for (const method of methodsOf(r)) {
        const body = ['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(method) ? undefined : {};
        for (const target of spellings(r.rest)) {
          for (const role of ROLES) {
            const allowed = r.access === 'session' || can([role], r.access as Permission);
            if (allowed && skipAllowed) continue;
            const res = await clients.get(role)!.request(method, target, body);
            expectGuarded(
              { status: res.statusCode, headers: res.headers, body: res.body },
              `${method} ${target.slice(0, 100)} as ${role}`,
              !allowed,
            );
            if (!allowed) refused++;
          }
          if (method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS') {
            const res = await forged.request(method, target, body, { 'x-csrf-token': 'forged' });
            expectGuarded(
              { status: res.statusCode, headers: res.headers, body: res.body },
              `${method} ${target.slice(0, 100)} without CSRF`,
              true,
            );
            refused++;
          }
        }
      }
    }
    expect(refused).toBeGreaterThan(3000);
  }, 300_000);
});

describe('creating an account through a spelled URL', () => {
  it('is refused to nobody, to a forged CSRF token and to every other role, before and after setup', async () => {
    // Before setup: no account exists yet, the moment an attacker would most want one.
    const fresh = await startConsole();
    try {
      expect(await countUsers(fresh.store.db)).toBe(0);
      await fresh.app.listen({ host: '127.0.0.1', port: 0 });
      const freshPort = (fresh.app.server.address() as { port: number }).port;
      for (const target of spellings('users')) {
        const viaSocket = await rawRequest(freshPort, 'POST', target, {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(INTRUDER),
        });
        expectGuarded(viaSocket, `POST ${target.slice(0, 100)} before setup`, true);
        const listed = await rawRequest(freshPort, 'GET', target);
        expectGuarded(listed, `GET ${target.slice(0, 100)} before setup`, true);
      }
      expect(await countUsers(fresh.store.db)).toBe(0);
    } finally {
      await fresh.close();
    }

    // After setup: as nobody, with a forged CSRF token, and as each role without users:write.
    const admin = await userWith(h, 'intruder-check-admin', ['org-admin']);
    const others = await Promise.all(
      ROLES.filter((r) => !can([r], 'users:write')).map((r) => userWith(h, `intruder-check-${r}`, [r])),
    );
    const before = await countUsers(h.store.db);
    for (const target of spellings('users')) {
      const asNobody = await rawRequest(port, 'POST', target, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(INTRUDER),
      });
      expectGuarded(asNobody, `POST ${target.slice(0, 100)}`, true);
      const forged = await admin.request('POST', target, INTRUDER, { 'x-csrf-token': 'forged' });
      expect([400, 403, 404, 414], `${target} forged CSRF`).toContain(forged.statusCode);
      for (const c of others) {
        const res = await c.request('POST', target, INTRUDER);
        expect([400, 403, 404, 414], `${target} as ${c.info.user.username}`).toContain(res.statusCode);
      }
    }
    expect(await countUsers(h.store.db)).toBe(before);
    const names = await h.store.db.selectFrom('users').select('username').execute();
    expect(names.map((n) => n.username)).not.toContain('intruder');
  }, 120_000);
});

describe('routes without declared access', () => {
  it('stop the app at startup instead of being served open', async () => {
    const { requireDeclaredAccess } = await import('../../src/server/access.js');
    const Fastify = (await import('fastify')).default;
    const attempts: ((app: FastifyInstance) => void)[] = [
      (app) => app.get('/api/open', async () => ({})),
      (app) => app.post('/api/typo', { config: { access: 'users:wrte' as 'public' } }, async () => ({})),
      (app) => app.route({ method: ['GET', 'POST'], url: '/api/both', handler: async () => ({}) }),
    ];
    for (const add of attempts) {
      const app = Fastify();
      requireDeclaredAccess(app);
      await expect(
        (async () => {
          await app.register(async (child) => add(child));
          await app.ready();
        })(),
      ).rejects.toThrow(/declares no valid access/);
      await app.close();
    }
    // The real app declares every route: it starts.
    const ok = await buildApp({ store: h.store, config: h.config, secrets: h.secrets });
    await ok.close();
  });
});
