// Reviewers, a case's own tags and closing a case, through the console API against an archive
// filled by a real sandbox run: a reviewer sees and works only the review sets assigned to them
// (their items and those items' conversations included); an eDiscovery administrator adds,
// renames, retires and restores a case's tags, a retired tag staying on what it tagged; a case
// with an active hold cannot be closed, and a closed case refuses every change until reopened.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { cliJson, tempDir } from '../helpers/cli.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('review in the console API', (t) => {
  let h: ConsoleHarness;
  let tenant: { path: string; cleanup: () => Promise<void> };
  let manager: Client;
  let edAdmin: Client;
  let rita: Client;
  let caseId = 0;
  let searchId = 0;
  /** rita is assigned to `mine`, not to `other` (both in the same case). */
  let mine = 0;
  let other = 0;
  let texts: string[] = [];

  interface Item {
    itemKey: string;
    tags: string[];
  }

  const enc = encodeURIComponent;

  async function auditActions(actor: string): Promise<{ action: string; detail: Record<string, unknown> }[]> {
    const rows = await h.store.db
      .selectFrom('audit_events')
      .select(['action', 'detail_json'])
      .where('actor', '=', actor)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ action: r.action, detail: JSON.parse(r.detail_json) as Record<string, unknown> }));
  }

  beforeAll(async () => {
    tenant = await tempDir('review-tenant');
    await generateTenant({ outDir: join(tenant.path, 't'), seed: 7, messages: 40 });
    h = await startConsoleOn(t);
    await cliJson('run', '--once', '--sandbox', join(tenant.path, 't'), ...h.storeArgs, '--workers', '0');
    manager = await userWith(h, 'mia', ['ediscovery-manager']);
    edAdmin = await userWith(h, 'eve', ['ediscovery-admin']);
    rita = await userWith(h, 'rita', ['reviewer']);
    await userWith(h, 'aud', ['auditor']);
    caseId = (await manager.request('POST', '/api/cases', { name: 'Review matter' })).json().id as number;
    searchId = (
      await manager.request('POST', `/api/cases/${caseId}/searches`, { name: 'texts', query: 'type:text' })
    ).json().id as number;
    for (const name of ['first pass', 'second pass']) {
      const id = (await manager.request('POST', `/api/cases/${caseId}/review-sets`, { name })).json().id as number;
      await manager.request('POST', `/api/cases/${caseId}/review-sets/${id}/items`, { searchId });
      if (name === 'first pass') mine = id;
      else other = id;
    }
    texts = (await h.store.db.selectFrom('items').select('key').where('msgtype', '=', 'text').execute()).map(
      (r) => r.key,
    );
  }, 300_000);

  afterAll(async () => {
    await h.close();
    await tenant.cleanup();
  });

  describe('reviewers see only the review sets assigned to them', () => {
    it('assignment is checked, listed on the case, audited; My review lists only the assigned set', async () => {
      const assign = (set: number, user: string) =>
        manager.request('PUT', `/api/cases/${caseId}/review-sets/${set}/reviewers/${user}`);
      const unknown = await assign(mine, 'nobody');
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().message).toMatch(/no account is named "nobody"/);
      const auditor = await assign(mine, 'aud');
      expect(auditor.statusCode).toBe(400);
      expect(auditor.json().message).toMatch(/no role that reviews/);
      expect((await rita.request('GET', '/api/review-sets')).json().reviewSets).toEqual([]);
      expect((await assign(mine, 'rita')).statusCode).toBe(204);
      // a set of another case cannot be assigned through this one
      const otherCase = (await manager.request('POST', '/api/cases', { name: 'Other matter' })).json().id as number;
      expect(
        (await manager.request('PUT', `/api/cases/${otherCase}/review-sets/${mine}/reviewers/rita`)).statusCode,
      ).toBe(403);

      const sets = (await manager.request('GET', `/api/cases/${caseId}/review-sets`)).json().reviewSets as {
        id: number;
        reviewers: string[];
      }[];
      expect(sets.find((s) => s.id === mine)?.reviewers).toEqual(['rita']);
      expect(sets.find((s) => s.id === other)?.reviewers).toEqual([]);

      const my = (await rita.request('GET', '/api/review-sets')).json().reviewSets as {
        id: number;
        caseId: number;
        caseName: string;
        items: number;
      }[];
      expect(my).toEqual([
        expect.objectContaining({ id: mine, caseId, caseName: 'Review matter', items: texts.length }),
      ]);
      const header = await rita.request('GET', `/api/review-sets/${mine}`);
      expect(header.statusCode).toBe(200);
      expect(header.json()).toMatchObject({ id: mine, caseId, reviewers: ['rita'] });
      expect((header.json().tags as { name: string }[]).map((t) => t.name)).toEqual([
        'responsive',
        'not-responsive',
        'privileged',
        'needs-second-look',
      ]);
      expect((await auditActions('mia')).map((a) => a.action)).toContain('review-set.assign');
    });

    it('an item of the assigned set and its conversation open; another set, its items and their conversations do not', async () => {
      const page = (await rita.request('GET', `/api/review-sets/${mine}/items?limit=500`)).json() as { items: Item[] };
      const key = page.items[0]!.itemKey;
      const conv = await rita.request('GET', `/api/review-sets/${mine}/items/${enc(key)}/conversation?limit=10`);
      expect(conv.statusCode).toBe(200);
      expect(conv.json().anchor).toBe(key);
      expect((conv.json().messages as { itemKey: string }[]).map((m) => m.itemKey)).toContain(key);
      const viewed = (await auditActions('rita')).filter((a) => a.action === 'conversation.view');
      expect(viewed.at(-1)?.detail).toMatchObject({ around: key, reviewSetId: mine });

      // The other set: refused, whatever part of it is asked for.
      for (const [method, url] of [
        ['GET', `/api/review-sets/${other}`],
        ['GET', `/api/review-sets/${other}/items`],
        ['GET', `/api/review-sets/${other}/items/${enc(key)}/conversation`],
        ['POST', `/api/review-sets/${other}/tags`],
        ['POST', `/api/review-sets/${other}/comments`],
      ] as const) {
        const res = await rita.request(
          method,
          url,
          method === 'POST' ? { itemKeys: [key], tag: 'responsive' } : undefined,
        );
        expect(res.statusCode, url).toBe(403);
        expect(res.json().message).toMatch(/not assigned to review set/);
      }
      // An item that is not in the set does not open through it.
      const outside = (await h.store.db.selectFrom('items').select('key').where('msgtype', '!=', 'text').execute())[0]!
        .key;
      const res = await rita.request('GET', `/api/review-sets/${mine}/items/${enc(outside)}/conversation`);
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toMatch(/has no item/);
      // nor does the case's own page, which is for its members
      expect((await rita.request('GET', `/api/cases/${caseId}`)).statusCode).toBe(403);
    });

    it('taken off the set, the reviewer reaches it no more', async () => {
      const url = `/api/cases/${caseId}/review-sets/${mine}/reviewers/rita`;
      expect((await manager.request('DELETE', url)).statusCode).toBe(204);
      expect((await rita.request('GET', `/api/review-sets/${mine}/items`)).statusCode).toBe(403);
      expect((await rita.request('GET', '/api/review-sets')).json().reviewSets).toEqual([]);
      expect((await manager.request('DELETE', url)).statusCode).toBe(404);
      expect((await auditActions('mia')).map((a) => a.action)).toContain('review-set.unassign');
      expect((await manager.request('PUT', url)).statusCode).toBe(204);
    });
  });

  describe("a case's own tags", () => {
    const tags = async () =>
      (await manager.request('GET', `/api/cases/${caseId}/tags`)).json().tags as {
        id?: number;
        name: string;
        builtIn: boolean;
        retired: boolean;
        items: number;
      }[];
    const tag = (itemKeys: string[], name: string, remove = false) =>
      rita.request('POST', `/api/review-sets/${mine}/tags`, { itemKeys, tag: name, ...(remove ? { remove } : {}) });
    const itemsTagged = async (name: string) =>
      (
        (await rita.request('GET', `/api/review-sets/${mine}/items?limit=500&tag=${enc(name)}`)).json() as {
          items: Item[];
        }
      ).items;

    it('an eDiscovery administrator adds, renames, retires and restores them; a retired tag stays on its items', async () => {
      expect((await manager.request('POST', `/api/cases/${caseId}/tags`, { name: 'hot' })).statusCode).toBe(403);
      const added = await edAdmin.request('POST', `/api/cases/${caseId}/tags`, { name: 'hot' });
      expect(added.statusCode).toBe(201);
      const hotId = added.json().id as number;
      for (const taken of ['HOT', 'privileged']) {
        const dup = await edAdmin.request('POST', `/api/cases/${caseId}/tags`, { name: taken });
        expect(dup.statusCode, taken).toBe(409);
        expect(dup.json().code).toBe('WXA_REVIEW_TAG_EXISTS');
      }
      const bad = await edAdmin.request('POST', `/api/cases/${caseId}/tags`, { name: '<b>' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/"<b>" is not a tag name/);

      const chosen = texts.slice(0, 2);
      expect((await tag(chosen, 'hot')).statusCode).toBe(200);
      // renamed: the items carry the new name, the old one is gone
      const renamed = await edAdmin.request('PATCH', `/api/cases/${caseId}/tags/${hotId}`, { name: '重点' });
      expect(renamed.statusCode).toBe(200);
      expect(renamed.json()).toMatchObject({ name: '重点', items: 2, retired: false });
      expect((await itemsTagged('重点')).map((i) => i.itemKey).sort()).toEqual([...chosen].sort());
      expect(await itemsTagged('hot')).toEqual([]);
      expect((await tag(chosen, 'hot')).statusCode).toBe(400);

      // retired: cannot be applied again, stays on what it tagged, can still be filtered on
      const retired = await edAdmin.request('PATCH', `/api/cases/${caseId}/tags/${hotId}`, { retired: true });
      expect(retired.json()).toMatchObject({ retired: true, retiredBy: 'eve', items: 2 });
      const refused = await tag([texts[2]!], '重点');
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('WXA_REVIEW_TAG_RETIRED');
      expect((await itemsTagged('重点')).length).toBe(2);
      expect((await tags()).find((t) => t.id === hotId)).toMatchObject({ retired: true, items: 2, builtIn: false });
      // a retired name stays taken
      expect((await edAdmin.request('POST', `/api/cases/${caseId}/tags`, { name: '重点' })).statusCode).toBe(409);

      // restored: applies again
      await edAdmin.request('PATCH', `/api/cases/${caseId}/tags/${hotId}`, { retired: false });
      expect((await tag([texts[2]!], '重点')).statusCode).toBe(200);
      expect((await itemsTagged('重点')).length).toBe(3);
      // the same item tagged in the case's other set is still one item of the case
      const again = await manager.request('POST', `/api/review-sets/${other}/tags`, {
        itemKeys: [texts[0]],
        tag: '重点',
      });
      expect(again.statusCode).toBe(200);
      expect((await tags()).find((t) => t.id === hotId)?.items).toBe(3);

      // built-in tags cannot change; another case's tags do not apply here
      expect((await edAdmin.request('PATCH', `/api/cases/${caseId}/tags/999999`, { name: 'x' })).statusCode).toBe(404);
      const otherCase = (await edAdmin.request('POST', '/api/cases', { name: 'Tagless' })).json().id as number;
      const foreign = (await edAdmin.request('POST', `/api/cases/${otherCase}/tags`, { name: 'only-there' })).json()
        .id as number;
      expect((await tag([texts[0]!], 'only-there')).statusCode).toBe(400);
      expect(
        (await edAdmin.request('PATCH', `/api/cases/${caseId}/tags/${foreign}`, { name: 'moved' })).statusCode,
      ).toBe(404);

      const actions = (await auditActions('eve')).filter((a) => a.action.startsWith('review.tag.'));
      expect(actions.map((a) => a.action)).toEqual([
        'review.tag.add',
        'review.tag.rename',
        'review.tag.retire',
        'review.tag.restore',
        'review.tag.add',
      ]);
      expect(actions[1]!.detail).toMatchObject({ from: 'hot', to: '重点', items: 2 });
    });
  });

  describe('closing and reopening a case', () => {
    it('is refused while a hold is active; once closed the case is read-only until reopened; all audited', async () => {
      const mailbox = (await h.store.db.selectFrom('mailbox_entries').select('mailbox').executeTakeFirstOrThrow())
        .mailbox;
      const hold = (await manager.request('POST', `/api/cases/${caseId}/holds`, { custodian: mailbox })).json();
      const refused = await edAdmin.request('POST', `/api/cases/${caseId}/close`, {});
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('WXA_CASE_HOLDS_ACTIVE');
      expect(refused.json().message).toContain(`#${hold.id as number}`);
      expect((await manager.request('GET', `/api/cases/${caseId}`)).json().status).toBe('active');

      await manager.request('POST', `/api/cases/${caseId}/holds/${hold.id as number}/release`, { reason: 'settled' });
      const closed = await edAdmin.request('POST', `/api/cases/${caseId}/close`, { reason: 'matter settled' });
      expect(closed.statusCode).toBe(200);
      expect(closed.json()).toMatchObject({ id: caseId, status: 'closed' });
      expect(closed.json().closedAt).toEqual(expect.any(String));

      const changes: [Client, string, string, unknown][] = [
        [manager, 'POST', `/api/cases/${caseId}/holds`, { custodian: mailbox }],
        [manager, 'POST', `/api/cases/${caseId}/searches`, { name: 'again', query: 'type:text' }],
        [manager, 'POST', `/api/cases/${caseId}/searches/${searchId}/run`, {}],
        [manager, 'POST', `/api/cases/${caseId}/review-sets`, { name: 'late' }],
        [manager, 'POST', `/api/cases/${caseId}/review-sets/${mine}/items`, { searchId }],
        [manager, 'PUT', `/api/cases/${caseId}/review-sets/${other}/reviewers/rita`, undefined],
        [edAdmin, 'POST', `/api/cases/${caseId}/tags`, { name: 'late' }],
        [rita, 'POST', `/api/review-sets/${mine}/tags`, { itemKeys: [texts[3]], tag: 'responsive' }],
        [rita, 'POST', `/api/review-sets/${mine}/comments`, { itemKey: texts[3], body: 'late' }],
        [edAdmin, 'POST', `/api/cases/${caseId}/close`, {}],
      ];
      for (const [client, method, url, body] of changes) {
        const res = await client.request(method, url, body);
        expect(res.statusCode, `${method} ${url}`).toBe(409);
        expect(res.json().code, `${method} ${url}`).toBe('WXA_CASE_CLOSED');
      }
      // reading it still works
      expect((await rita.request('GET', `/api/review-sets/${mine}/items`)).statusCode).toBe(200);

      // the list filters by status
      const ids = async (status: string) =>
        ((await edAdmin.request('GET', `/api/cases?status=${status}`)).json().cases as { id: number }[]).map(
          (c) => c.id,
        );
      expect(await ids('closed')).toEqual([caseId]);
      expect(await ids('active')).not.toContain(caseId);
      expect(await ids('all')).toContain(caseId);
      expect((await edAdmin.request('GET', '/api/cases?status=open')).statusCode).toBe(400);

      const reopened = await manager.request('POST', `/api/cases/${caseId}/reopen`, {});
      expect(reopened.json()).toMatchObject({ status: 'active' });
      expect(reopened.json().closedAt).toBeUndefined();
      expect(
        (await rita.request('POST', `/api/review-sets/${mine}/comments`, { itemKey: texts[3], body: 'ok' })).statusCode,
      ).toBe(201);
      expect((await manager.request('POST', `/api/cases/${caseId}/reopen`, {})).statusCode).toBe(400);

      const closeAudit = (await auditActions('eve')).find((a) => a.action === 'case.close');
      expect(closeAudit?.detail).toEqual({ reason: 'matter settled' });
      expect((await auditActions('mia')).map((a) => a.action)).toContain('case.reopen');
    });
  });
});
