// A Reviewer opens exactly the items of their own work, against an archive filled by a real
// sandbox run: an item of a review set assigned to them, a supervision flag of a policy naming
// them, and an entry of a disposition batch naming them each open (200) through every route kind
// (item view, body, attachment and preview, the conversation around it, the conversation's
// pages, a search within the set); an item of someone else's set, policy or batch is refused
// (403) on every one of them, and each refusal is audited. The conversation shows the item's
// neighbours as context but no message of another conversation, and offers no link to open a
// neighbour outside the reviewer's work. The archive-wide search and mailbox list stay closed;
// the supervision queue and the disposition queue list only the reviewer's own work.
// Each runs on the archive's SQLite file and on PostgreSQL (test/helpers/dialects.ts).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import {
  assignReviewer,
  createBatch,
  insertCase,
  insertReviewSet,
  insertSupervisionPolicy,
  writeSupervisionFlags,
} from '../../src/store/index.js';
import { cliJson, tempDir } from '../helpers/cli.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects("a Reviewer's reach in the console API", (t) => {
  interface Item {
    key: string;
    connectorId: string;
    conversationId: string;
    msgid: string;
    msgTime: number;
    mailbox: string;
    attachments: boolean;
  }

  let h: ConsoleHarness;
  let tenant: { path: string; cleanup: () => Promise<void> };
  let rita: Client;
  let admin: Client;
  const items: Item[] = [];
  /** in rita's review set / her policy's queue / her disposition batch */
  let inSet: Item;
  let flagged: Item;
  let batched: Item;
  /** the same kinds of work, given to someone else */
  let othersSet: Item;
  let othersFlag: Item;
  let othersBatch: Item;
  let reviewSetId = 0;

  const enc = encodeURIComponent;

  /** Every route kind that opens an item, for one item. */
  function itemUrls(i: Item): string[] {
    const base = `/api/mailboxes/${enc(i.mailbox)}/items/${enc(i.key)}`;
    return [
      base,
      `${base}/html`,
      `${base}/attachments/0`,
      `${base}/attachments/0/preview`,
      `/api/items/${enc(i.key)}/conversation`,
      `/api/conversations/${enc(i.connectorId)}/${enc(i.conversationId)}`,
    ];
  }

  beforeAll(async () => {
    tenant = await tempDir('reviewer-scope-tenant');
    await generateTenant({ outDir: join(tenant.path, 't'), seed: 5, messages: 80 });
    h = await startConsoleOn(t);
    await cliJson('run', '--once', '--sandbox', join(tenant.path, 't'), ...h.storeArgs, '--workers', '0');
    const rows = await h.store.db
      .selectFrom('items as i')
      .innerJoin('mailbox_entries as e', 'e.item_key', 'i.key')
      .innerJoin('search_items as s', 's.item_key', 'i.key')
      .select([
        'i.key',
        'i.connector_id',
        'i.conversation_id',
        'i.msgid',
        'i.msg_time',
        'e.mailbox',
        's.has_attachments',
      ])
      .orderBy('i.msg_time')
      .execute();
    const seen = new Set<string>();
    for (const r of rows) {
      if (seen.has(r.key)) continue;
      seen.add(r.key);
      items.push({
        key: r.key,
        connectorId: r.connector_id,
        conversationId: r.conversation_id,
        msgid: r.msgid,
        msgTime: Number(r.msg_time),
        mailbox: r.mailbox,
        attachments: Number(r.has_attachments) === 1,
      });
    }
    // Six items of six different conversations, the first (the review set's) with an attachment
    // and neighbours in its conversation, so that context and attachments are both exercised.
    const byConversation = new Map<string, Item[]>();
    for (const i of items) byConversation.set(i.conversationId, [...(byConversation.get(i.conversationId) ?? []), i]);
    const busy = [...byConversation.values()].filter((l) => l.length >= 3);
    const withFile = busy.find((l) => l.some((i) => i.attachments));
    expect(withFile, 'the tenant has a conversation of 3+ messages with an attachment').toBeDefined();
    inSet = withFile!.find((i) => i.attachments)!;
    const others = [...byConversation.values()].filter((l) => l[0]!.conversationId !== inSet.conversationId);
    expect(others.length).toBeGreaterThanOrEqual(5);
    [flagged, batched, othersSet, othersFlag, othersBatch] = others.slice(0, 5).map((l) => l[0]!) as [
      Item,
      Item,
      Item,
      Item,
      Item,
    ];

    rita = await userWith(h, 'rita', ['reviewer']);
    await userWith(h, 'otto', ['reviewer']);
    admin = await userWith(h, 'olga', ['org-admin']);
    const db = h.store.db;
    const now = Date.now();
    const caseId = await insertCase(db, { name: 'Scope matter', description: '', createdBy: 'test' }, now);
    reviewSetId = await insertReviewSet(db, caseId, 'Rita set', 'test', now);
    const ottoSet = await insertReviewSet(db, caseId, 'Otto set', 'test', now);
    await assignReviewer(db, reviewSetId, 'rita');
    await assignReviewer(db, ottoSet, 'otto');
    await db
      .insertInto('review_set_items')
      .values([
        { review_set_id: reviewSetId, item_key: inSet.key, added_by: 'test', added_at: now },
        { review_set_id: ottoSet, item_key: othersSet.key, added_by: 'test', added_at: now },
      ])
      .execute();
    const policy = (name: string, reviewers: string[]) =>
      insertSupervisionPolicy(db, { name, conditionsJson: '{}', reviewers, createdBy: 'test', now });
    const flag = (policyId: number, i: Item) => ({
      policyId,
      policyVersion: 1,
      itemKey: i.key,
      connectorId: i.connectorId,
      msgid: i.msgid,
      msgTime: i.msgTime,
      terms: [],
      reasons: ['sample'],
    });
    await writeSupervisionFlags(db, [flag(await policy('Rita policy', ['rita']), flagged)], now);
    await writeSupervisionFlags(db, [flag(await policy('Otto policy', ['otto']), othersFlag)], now);
    const entry = (i: Item) => ({ itemKey: i.key, mailbox: i.mailbox, msgTime: i.msgTime });
    await createBatch(db, { policyId: 'p1', reviewer: 'rita', entries: [entry(batched)] }, now);
    await createBatch(db, { policyId: 'p1', reviewer: 'otto', entries: [entry(othersBatch)] }, now);
  }, 300_000);

  afterAll(async () => {
    await h.close();
    await tenant.cleanup();
  });

  describe("a Reviewer's reach is their own work", () => {
    it('opens an item of their review set, supervision queue and disposition batch through every route kind', async () => {
      for (const i of [inSet, flagged, batched]) {
        for (const url of itemUrls(i)) {
          const res = await rita.request('GET', url);
          const what = `${i.key} ${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
          if (url.includes('/attachments/')) {
            // Past the gate; the file itself answers 200 (or 404/415 when this item has no
            // such file, or it is not an image for the preview).
            expect([401, 403], what).not.toContain(res.statusCode);
            if (i === inSet && !url.endsWith('/preview')) expect(res.statusCode, what).toBe(200);
          } else expect(res.statusCode, what).toBe(200);
        }
      }
    });

    it("refuses someone else's items on every route kind, with a 403 the audit log records", async () => {
      const before = await refusals();
      let refused = 0;
      for (const i of [othersSet, othersFlag, othersBatch]) {
        for (const url of itemUrls(i)) {
          const res = await rita.request('GET', url);
          const what = `${i.key} ${url} -> ${res.statusCode} ${res.body.slice(0, 200)}`;
          expect(res.statusCode, what).toBe(403);
          expect(res.json().code, what).toBe('WXA_FORBIDDEN');
          expect(res.json().message, what).toMatch(/review sets/);
          refused++;
          // The same item is open to an administrator: the refusal is scope, not a missing item.
          const ok = await admin.request('GET', url);
          expect([401, 403], `admin ${what}`).not.toContain(ok.statusCode);
        }
      }
      const after = await refusals();
      expect(after.length - before.length).toBe(refused);
      expect(after.at(-1)).toMatchObject({ actor: 'rita', action: 'auth.refused' });
      expect(JSON.parse(after.at(-1)!.detail_json)).toMatchObject({ status: 403, required: 'items:open' });
    });

    it('shows the conversation around an item without messages of other conversations or links to them', async () => {
      const page = await rita.json<{
        messages: { itemKey: string; mailbox: string | null; attachments: { url: string | null }[] }[];
        anchor: string;
      }>('GET', `/api/items/${enc(inSet.key)}/conversation?limit=200`);
      const ofConversation = new Set(items.filter((i) => i.conversationId === inSet.conversationId).map((i) => i.key));
      expect(page.anchor).toBe(inSet.key);
      expect(page.messages.length).toBe(ofConversation.size);
      for (const m of page.messages) expect(ofConversation.has(m.itemKey), m.itemKey).toBe(true);
      // Only the item of the set can be opened from the transcript; its neighbours are context.
      const openable = page.messages.filter((m) => m.mailbox !== null).map((m) => m.itemKey);
      expect(openable).toEqual([inSet.key]);
      for (const m of page.messages.filter((x) => x.itemKey !== inSet.key))
        expect(m.attachments.every((a) => a.url === null)).toBe(true);
      // An administrator's transcript of the same conversation links every message.
      const full = await admin.json<{ messages: { mailbox: string | null }[] }>(
        'GET',
        `/api/items/${enc(inSet.key)}/conversation?limit=200`,
      );
      expect(full.messages.every((m) => m.mailbox !== null)).toBe(true);
      // A neighbour opened on its own is refused.
      const neighbour = items.find((i) => i.conversationId === inSet.conversationId && i.key !== inSet.key)!;
      expect((await rita.request('GET', itemUrls(neighbour)[0]!)).statusCode).toBe(403);
    });

    it('searches within the assigned set only; the archive-wide search and mailboxes stay closed', async () => {
      const all = await rita.json<{ total: number; items: { itemKey: string }[] }>(
        'GET',
        `/api/review-sets/${reviewSetId}/search?q=${enc('after:2000-01-01')}`,
      );
      expect(all.items.map((x) => x.itemKey)).toEqual([inSet.key]);
      expect(all.total).toBe(1);
      const theirs = await rita.json<{ total: number }>(
        'GET',
        `/api/review-sets/${reviewSetId}/search?q=${enc(`conversation:${othersSet.conversationId}`)}`,
      );
      expect(theirs.total).toBe(0);
      expect((await rita.request('GET', `/api/search?q=${enc('after:2000-01-01')}`)).statusCode).toBe(403);
      expect((await rita.request('GET', '/api/mailboxes')).statusCode).toBe(403);
      expect((await rita.request('GET', `/api/mailboxes/${enc(inSet.mailbox)}/items`)).statusCode).toBe(403);
      const audit = await h.store.db
        .selectFrom('audit_events')
        .select(['action', 'target'])
        .where('actor', '=', 'rita')
        .where('action', '=', 'search')
        .execute();
      expect(audit).toContainEqual({ action: 'search', target: `review-set:${reviewSetId}` });
    });

    it('lists only their own supervision flags and disposition batches, each entry openable', async () => {
      const queue = await rita.json<{ items: { itemKey: string }[] }>('GET', '/api/supervision/queue');
      expect(queue.items.map((i) => i.itemKey)).toEqual([flagged.key]);
      const everyFlag = await admin.json<{ items: { itemKey: string }[] }>('GET', '/api/supervision/queue');
      expect(everyFlag.items.map((i) => i.itemKey).sort()).toEqual([flagged.key, othersFlag.key].sort());
      const mine = await rita.json<{ batches: { reviewer: string; entries: number; items: { itemKey: string }[] }[] }>(
        'GET',
        '/api/retention/review',
      );
      expect(mine.batches.map((b) => [b.reviewer, b.entries, b.items.map((i) => i.itemKey)])).toEqual([
        ['rita', 1, [batched.key]],
      ]);
      // the whole disposition queue and the policies stay an administrator's
      expect((await rita.request('GET', '/api/retention/batches')).statusCode).toBe(403);
    });

    it('loses an item when the work is taken away', async () => {
      await h.store.db.deleteFrom('review_set_reviewers').where('username', '=', 'rita').execute();
      for (const url of itemUrls(inSet)) expect((await rita.request('GET', url)).statusCode, url).toBe(403);
    });
  });

  async function refusals() {
    return h.store.db
      .selectFrom('audit_events')
      .select(['actor', 'action', 'detail_json'])
      .where('action', '=', 'auth.refused')
      .orderBy('id')
      .execute();
  }
});
