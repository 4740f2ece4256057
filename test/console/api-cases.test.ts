// Cases and holds through the console API, and the administrator's deletion path: an entry a
// hold covers answers 409 and stays; released, it can go; every attempt is audited.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { cliJson, tempDir } from '../helpers/cli.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('cases and holds in the console API', (t) => {
  let h: ConsoleHarness;
  let tenant: { path: string; cleanup: () => Promise<void> };
  let manager: Client;
  let admin: Client;

  beforeAll(async () => {
    tenant = await tempDir('cases-tenant');
    await generateTenant({ outDir: join(tenant.path, 't'), seed: 5, messages: 40 });
    h = await startConsoleOn(t);
    await cliJson('run', '--once', '--sandbox', join(tenant.path, 't'), ...h.storeArgs, '--workers', '0');
    manager = await userWith(h, 'mia', ['ediscovery-manager']);
    admin = await userWith(h, 'olga', ['org-admin']);
  }, 300_000);

  afterAll(async () => {
    await h.close();
    await tenant.cleanup();
  });

  async function entries(): Promise<{ item_key: string; mailbox: string }[]> {
    return h.store.db.selectFrom('mailbox_entries').select(['item_key', 'mailbox']).execute();
  }

  it('an administrator cannot delete a held entry (409, kept, audited); after release it goes', async () => {
    const all = await entries();
    const custodian = all[0]!.mailbox;
    const heldEntry = all.find((e) => e.mailbox === custodian)!;
    const other = all.find((e) => e.mailbox !== custodian)!;
    const created = await manager.request('POST', '/api/cases', { name: 'Regulator inquiry', description: '询问' });
    expect(created.statusCode).toBe(201);
    const caseId = created.json().id as number;
    const hold = await manager.request('POST', `/api/cases/${caseId}/holds`, { custodian });
    expect(hold.statusCode).toBe(201);
    const holdId = hold.json().id as number;
    expect(hold.json().items).toBe(new Set(all.filter((e) => e.mailbox === custodian).map((e) => e.item_key)).size);
    expect(hold.json().placedBy).toBe('mia');
    // placed again (a second click): the same hold given back, 200 instead of 201, nothing added
    const again = await manager.request('POST', `/api/cases/${caseId}/holds`, { custodian: custodian.toUpperCase() });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: holdId, existing: true, status: 'active' });
    expect((await manager.request('GET', `/api/cases/${caseId}`)).json().holds).toHaveLength(1);

    const url = (e: { item_key: string; mailbox: string }) =>
      `/api/items/${encodeURIComponent(e.item_key)}/entries/${encodeURIComponent(e.mailbox)}`;
    const refused = await admin.request('DELETE', url(heldEntry));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('WXA_LEGAL_HOLD');
    expect(await entries()).toContainEqual(heldEntry);

    const ok = await admin.request('DELETE', url(other));
    expect(ok.statusCode).toBe(204);
    expect(await entries()).not.toContainEqual(other);

    const shown = await manager.request('GET', `/api/cases/${caseId}`);
    expect(shown.json().custodians).toEqual([custodian.toLowerCase()]);
    expect(shown.json().members.map((m: { username: string }) => m.username)).toEqual(['mia']);

    const rel = await manager.request('POST', `/api/cases/${caseId}/holds/${holdId}/release`, { reason: 'settled' });
    expect(rel.statusCode).toBe(200);
    expect(rel.json().status).toBe('released');
    expect((await admin.request('DELETE', url(heldEntry))).statusCode).toBe(204);
    expect(await entries()).not.toContainEqual(heldEntry);

    const audit = await h.store.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'detail_json'])
      .orderBy('id')
      .execute();
    const deletes = audit.filter((a) => a.action === 'item.delete');
    expect(deletes.map((d) => (JSON.parse(d.detail_json) as { outcome: string }).outcome)).toEqual([
      'refused-hold',
      'deleted',
      'deleted',
    ]);
    expect(deletes.every((d) => d.actor === 'olga')).toBe(true);
    const release = audit.find((a) => a.action === 'hold.release')!;
    expect(release.actor).toBe('mia');
    expect(JSON.parse(release.detail_json)).toMatchObject({ reason: 'settled', caseId });
    expect(audit.some((a) => a.action === 'hold.place' && a.actor === 'mia')).toBe(true);
  });

  it('review: a saved search fills a set; the assigned reviewer tags in bulk, filters, comments; all audited; export by tag', async () => {
    const caseRes = await manager.request('POST', '/api/cases', { name: 'Review matter' });
    const caseId = caseRes.json().id as number;
    const saved = await manager.request('POST', `/api/cases/${caseId}/searches`, { name: 'texts', query: 'type:text' });
    expect(saved.statusCode).toBe(201);
    const counts = saved.json().counts as {
      items: number;
      mailboxes: number;
      bytes: number;
      byType: Record<string, number>;
    };
    const texts = await h.store.db.selectFrom('items').select('key').where('msgtype', '=', 'text').execute();
    expect(counts.items).toBe(texts.length);
    expect(counts.byType).toEqual({ text: texts.length });
    expect(counts.bytes).toBeGreaterThan(0);
    const set = await manager.request('POST', `/api/cases/${caseId}/review-sets`, { name: 'first pass' });
    const setId = set.json().id as number;
    const added = await manager.request('POST', `/api/cases/${caseId}/review-sets/${setId}/items`, {
      searchId: saved.json().id,
    });
    expect(added.json().added).toBe(texts.length);
    const rita = await userWith(h, 'rita', ['reviewer']);
    expect((await rita.request('GET', `/api/review-sets/${setId}/items`)).statusCode).toBe(403);
    expect((await manager.request('PUT', `/api/cases/${caseId}/review-sets/${setId}/reviewers/rita`)).statusCode).toBe(
      204,
    );
    const page = await rita.request('GET', `/api/review-sets/${setId}/items?limit=500`);
    expect(page.statusCode).toBe(200);
    const keys = (page.json().items as { itemKey: string }[]).map((i) => i.itemKey);
    expect(keys.length).toBe(texts.length);
    const chosen = keys.slice(0, 3);
    const tagged = await rita.request('POST', `/api/review-sets/${setId}/tags`, {
      itemKeys: chosen,
      tag: 'responsive',
    });
    expect(tagged.json().tagged).toBe(3);
    expect(
      (await rita.request('POST', `/api/review-sets/${setId}/tags`, { itemKeys: chosen, tag: 'hot' })).statusCode,
    ).toBe(400);
    expect(
      (await rita.request('POST', `/api/review-sets/${setId}/tags`, { itemKeys: ['nope'], tag: 'privileged' }))
        .statusCode,
    ).toBe(400);
    const c = await rita.request('POST', `/api/review-sets/${setId}/comments`, {
      itemKey: chosen[0],
      body: '需要复核',
    });
    expect(c.statusCode).toBe(201);
    const filtered = await rita.request('GET', `/api/review-sets/${setId}/items?tag=responsive`);
    const f = filtered.json() as {
      total: number;
      items: { itemKey: string; tags: string[]; comments: { body: string }[] }[];
    };
    expect(f.total).toBe(3);
    expect(f.items.map((i) => i.itemKey).sort()).toEqual([...chosen].sort());
    expect(f.items.find((i) => i.itemKey === chosen[0])!.comments[0]!.body).toBe('需要复核');
    // an eDiscovery administrator adds a tag to the case; a manager may not
    expect((await manager.request('POST', `/api/cases/${caseId}/tags`, { name: 'hot' })).statusCode).toBe(403);
    const edAdmin = await userWith(h, 'eve', ['ediscovery-admin']);
    expect((await edAdmin.request('POST', `/api/cases/${caseId}/tags`, { name: 'hot' })).statusCode).toBe(201);
    expect(
      (await rita.request('POST', `/api/review-sets/${setId}/tags`, { itemKeys: chosen.slice(0, 1), tag: 'hot' }))
        .statusCode,
    ).toBe(200);
    const audit = await h.store.db
      .selectFrom('audit_events')
      .select(['actor', 'action'])
      .where('actor', '=', 'rita')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['review.view', 'review.tag', 'review.comment']));
    // export only the responsive items of the set
    const out = join(tenant.path, 'export-responsive');
    const res = await cliJson<{ counts: { items: number } }>(
      'export',
      '--case',
      String(caseId),
      '--review-set',
      String(setId),
      '--tag',
      'responsive',
      '--format',
      'eml',
      '--out',
      out,
      ...h.storeArgs,
    );
    expect(res.counts.items).toBe(3);
    const dat = (await readFile(join(out, 'DATA', 'loadfile.dat'), 'utf8')).split('\r\n').filter(Boolean);
    expect(dat.slice(1).every((l) => l.includes('þresponsiveþ') || l.includes('þhot;responsiveþ'))).toBe(true);
  });
});
