// Who may call what. The route table with the permission each route needs and the roles that
// have it is a golden file (a change must be deliberate; UPDATE_GOLDEN=1 rewrites it). Then every
// route is called as every role, as nobody, and without the CSRF token: a role without the
// permission gets 403, nobody gets 401, a change without the token gets 403, and a role with
// the permission gets past the gate (any answer but 401/403).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { PERMISSIONS, ROLES, can, type Permission, type Role } from '../../src/security/index.js';
import { addCaseMember, assignReviewer, insertCase, insertReviewSet } from '../../src/store/index.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { tempDir } from '../helpers/cli.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('console API access', (t) => {
  interface RouteInfo {
    method: string;
    url: string;
    access: string;
  }

  let h: ConsoleHarness;
  let tenant: { path: string; cleanup: () => Promise<void> };
  let routes: RouteInfo[];
  /** A case every test user of the role loop is a member of, so case routes reach the handler. */
  let caseId = 0;
  /** A review set of that case, assigned to every test user. */
  let reviewSetId = 0;

  beforeAll(async () => {
    tenant = await tempDir('access-tenant');
    await generateTenant({ outDir: tenant.path, seed: 3, messages: 30 });
    h = await startConsoleOn(t, {
      config: { connectors: [{ id: 'demo', source: { kind: 'sandbox', dir: tenant.path } }] },
    });
    const doc = h.app.swagger() as { paths: Record<string, Record<string, { 'x-access'?: string }>> };
    routes = [];
    for (const [url, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        routes.push({ method: method.toUpperCase(), url, access: op['x-access'] ?? '(none)' });
      }
    }
    routes.sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
    caseId = await insertCase(h.store.db, { name: 'Access matter', description: '', createdBy: 'test' }, Date.now());
    reviewSetId = await insertReviewSet(h.store.db, caseId, 'Access set', 'test', Date.now());
    for (const role of ROLES) {
      await addCaseMember(h.store.db, caseId, `user-${role}`, 'test', Date.now());
      await assignReviewer(h.store.db, reviewSetId, `user-${role}`);
    }
    // The item the item routes name is in that set, so a Reviewer's item scope lets them reach
    // the handler (which answers 404: nothing is archived here); the per-item scope itself is
    // api-reviewer-scope.test.ts's.
    await h.store.db
      .insertInto('review_set_items')
      .values({ review_set_id: reviewSetId, item_key: 'missing', added_by: 'test', added_at: Date.now() })
      .execute();
  });

  afterAll(async () => {
    await h.close();
    await tenant.cleanup();
  });

  function rolesFor(access: string): string {
    if (access === 'public') return 'anyone';
    if (access === 'session') return 'any logged-in user';
    return [...(PERMISSIONS[access as Permission] ?? [])].join(', ');
  }

  /**
   * A route that opens archived content, called by a role without archive-wide access, for a
   * conversation rather than an item: only the item `missing` of the access set is in scope, and
   * it is in no conversation, so the access hook refuses (the item routes reach their handler).
   */
  function outOfItemScope(role: Role, r: RouteInfo): boolean {
    const conversation = r.access === 'items:open' && !can([role], 'mailboxes:read') && !r.url.includes('{itemKey}');
    // A queue item of a policy that does not name the reviewer (nobody's flag is in scope here).
    const queueItem =
      r.access === 'supervision:review' && r.url.includes('{itemKey}') && !can([role], 'supervision:manage');
    return conversation || queueItem;
  }

  /** A concrete URL for a route pattern: ids of things that exist where it matters. */
  function concrete(url: string): string {
    return url
      .replace('{id}', url.startsWith('/api/users') ? '1' : 'demo')
      .replace('{address}', encodeURIComponent('nobody@example.com'))
      .replace('{itemKey}', 'missing')
      .replace('{connectorId}', 'demo')
      .replace('{conversationId}', 'missing')
      .replace('{index}', '0')
      .replace('{caseId}', String(caseId))
      .replace('{holdId}', '999')
      .replace('{reviewSetId}', String(reviewSetId))
      .replace('{searchId}', '999')
      .replace('{tagId}', '999')
      .replace('{username}', 'nobody')
      .replace('{mailbox}', encodeURIComponent('nobody@example.com'));
  }

  describe('console API access', () => {
    it('matches the golden route table with the roles of each route', async () => {
      const text =
        routes
          .map((r) => `${r.method.padEnd(6)} ${r.url.padEnd(58)} ${r.access.padEnd(17)} ${rolesFor(r.access)}`)
          .join('\n') + '\n';
      const golden = join(import.meta.dirname, '..', 'golden', 'api-routes.txt');
      if (process.env.UPDATE_GOLDEN === '1') {
        await mkdir(join(import.meta.dirname, '..', 'golden'), { recursive: true });
        await writeFile(golden, text);
      }
      expect(existsSync(golden), `${golden} is missing: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
      expect(text).toBe(await readFile(golden, 'utf8'));
      // Every route declares its access: none falls back to a default.
      expect(routes.filter((r) => r.access === '(none)')).toEqual([]);
      expect(routes.length).toBeGreaterThan(25);
    });

    it('refuses every non-public route to a request without a session', async () => {
      for (const r of routes.filter((x) => x.access !== 'public')) {
        const res = await h.app.inject({ method: r.method as 'GET', url: concrete(r.url), payload: {} });
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
        expect(res.json().code).toBe('WXA_UNAUTHENTICATED');
      }
    });

    it('gives each role exactly the routes its permissions allow', async () => {
      const clients = new Map<Role, Client>();
      for (const role of ROLES) clients.set(role, await userWith(h, `user-${role}`, [role]));
      let allowedCalls = 0;
      let refusedCalls = 0;
      let scopedCalls = 0;
      for (const role of ROLES) {
        const client = clients.get(role)!;
        // Logging out ends the session, so it goes last; the event stream never ends, so a
        // permitted call to it is checked in the flow test over a real socket instead.
        const ordered = [...routes.filter((r) => !(r.method === 'DELETE' && r.url === '/api/session'))];
        ordered.push(routes.find((r) => r.method === 'DELETE' && r.url === '/api/session')!);
        for (const r of ordered.filter((x) => x.access !== 'public')) {
          const allowed = r.access === 'session' || can([role], r.access as Permission);
          if (allowed && r.url === '/api/events') continue;
          const body = ['GET', 'DELETE'].includes(r.method) ? undefined : {};
          const res = await client.request(r.method, concrete(r.url), body);
          const what = `${role} ${r.method} ${r.url} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
          if (allowed && outOfItemScope(role, r)) {
            // Allowed by role, refused by item scope: the conversation holds nothing they review,
            // the supervision policy does not name them.
            expect(res.statusCode, what).toBe(403);
            expect(res.json().message, what).toMatch(/holds no item of your review sets|does not name you/);
            scopedCalls++;
          } else if (allowed) {
            expect([401, 403], what).not.toContain(res.statusCode);
            allowedCalls++;
          } else {
            expect(res.statusCode, what).toBe(403);
            expect(res.json().code, what).toBe('WXA_FORBIDDEN');
            refusedCalls++;
          }
        }
      }
      expect(allowedCalls).toBeGreaterThan(40);
      expect(refusedCalls).toBeGreaterThan(60);
      expect(scopedCalls).toBe(3);
    });

    it('scopes case routes to members: a manager reaches only cases listing them, an eDiscovery admin every case', async () => {
      const outsider = await userWith(h, 'outside-manager', ['ediscovery-manager']);
      const admin = await userWith(h, 'outside-admin', ['ediscovery-admin']);
      // Routes a manager's role allows: the rest (a case's tag vocabulary) are refused by role first.
      const caseRoutes = routes.filter(
        (r) => r.url.includes('{caseId}') && can(['ediscovery-manager'], r.access as Permission),
      );
      expect(caseRoutes.length).toBeGreaterThan(4);
      for (const r of caseRoutes) {
        const body = ['GET', 'DELETE'].includes(r.method) ? undefined : {};
        const res = await outsider.request(r.method, concrete(r.url), body);
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
        expect(res.json().message).toMatch(/not a member of case/);
        const ok = await admin.request(r.method, concrete(r.url), body);
        expect([401, 403], `${r.method} ${r.url} ${ok.body.slice(0, 200)}`).not.toContain(ok.statusCode);
      }
      for (const r of routes.filter((x) => x.url.startsWith('/api/review-sets/{reviewSetId}'))) {
        const res = await outsider.request(r.method, concrete(r.url), r.method === 'GET' ? undefined : {});
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
        expect(res.json().message).toMatch(/not assigned to review set/);
      }
      // A reviewer assigned to one set reaches nothing of another set of the same case (its items
      // and their conversations included), and "My review" lists only the set assigned.
      const otherSet = await insertReviewSet(h.store.db, caseId, 'Second pass', 'test', Date.now());
      const reviewer = await userWith(h, 'assigned-reviewer', ['reviewer']);
      await assignReviewer(h.store.db, reviewSetId, 'assigned-reviewer');
      const setRoutes = routes.filter((x) => x.url.startsWith('/api/review-sets/{reviewSetId}'));
      expect(setRoutes.map((r) => r.url)).toContain('/api/review-sets/{reviewSetId}/items/{itemKey}/conversation');
      for (const r of setRoutes) {
        const url = concrete(r.url).replace(`/api/review-sets/${reviewSetId}`, `/api/review-sets/${otherSet}`);
        const res = await reviewer.request(r.method, url, r.method === 'GET' ? undefined : {});
        expect(res.statusCode, `${r.method} ${url}`).toBe(403);
        expect(res.json().message).toMatch(/not assigned to review set/);
        const own = await reviewer.request(r.method, concrete(r.url), r.method === 'GET' ? undefined : {});
        expect([401, 403], `${r.method} ${r.url} ${own.body.slice(0, 200)}`).not.toContain(own.statusCode);
      }
      const mySets = (await reviewer.request('GET', '/api/review-sets')).json().reviewSets as { id: number }[];
      expect(mySets.map((x) => x.id)).toEqual([reviewSetId]);
      // a reviewer is no case member: the case's own routes stay closed to them
      expect((await reviewer.request('GET', `/api/cases/${caseId}/review-sets`)).statusCode).toBe(403);
      // a case that does not exist is refused like one the manager may not see
      expect((await outsider.request('GET', '/api/cases/424242')).statusCode).toBe(403);
      expect((await admin.request('GET', '/api/cases/424242')).statusCode).toBe(404);
      // the list: only member cases, or all for the administrator
      const own = await outsider.request('POST', '/api/cases', { name: 'Own matter' });
      expect(own.statusCode).toBe(201);
      const ownId = own.json().id as number;
      const mine = (await outsider.request('GET', '/api/cases')).json().cases as { id: number }[];
      expect(mine.map((c) => c.id)).toEqual([ownId]);
      const all = (await admin.request('GET', '/api/cases')).json().cases as { id: number; member: boolean }[];
      expect(all.map((c) => c.id)).toEqual(expect.arrayContaining([caseId, ownId]));
      // each case says whether the administrator is on it: not on the manager's own matter
      expect(all.find((c) => c.id === ownId)?.member).toBe(false);
      expect(((await outsider.request('GET', '/api/cases')).json().cases as { member: boolean }[])[0]?.member).toBe(
        true,
      );
      expect((await outsider.request('GET', `/api/cases/${ownId}`)).statusCode).toBe(200);
    });

    it('refuses a change without the CSRF token even to an organization admin', async () => {
      const admin = await userWith(h, 'csrf-admin', ['org-admin']);
      for (const r of routes.filter((x) => x.access !== 'public' && x.method !== 'GET')) {
        const res = await admin.request(r.method, concrete(r.url), r.method === 'DELETE' ? undefined : {}, {
          'x-csrf-token': 'forged',
        });
        expect(res.statusCode, `${r.method} ${r.url}`).toBe(403);
        expect(res.json().code).toBe('WXA_CSRF');
      }
    });
  });
});
