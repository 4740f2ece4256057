// Supervision through the real app on an archive made by the real pipeline: an admin creates a
// policy from a lexicon and applies it as a background job whose progress ends at every item;
// a reviewer may not manage policies but works the queue (claim, tag, comment, escalate,
// resolve) under their username, refused transitions answer 409, a bad lexicon line answers
// 400 naming the line, and every action lands in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConnector } from '../../src/pipeline/index.js';
import { generateTenant } from '../../src/sources/sandbox/index.js';
import { tempDir } from '../helpers/cli.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { SOURCES } from '../../src/sources/index.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('supervision API', (t) => {
  let h: ConsoleHarness;
  let dir: { path: string; cleanup: () => Promise<void> };
  let admin: Client;
  let rita: Client;
  let bob: Client;
  let archived = 0;

  beforeAll(async () => {
    dir = await tempDir('supervision-api');
    const tenant = `${dir.path}/tenant`;
    await generateTenant({ outDir: tenant, seed: 3, messages: 300 });
    h = await startConsoleOn(t, {
      config: {
        workers: 0,
        connectors: [
          { id: 'corp', source: { kind: 'sandbox', dir: tenant }, mapping: { catchAll: 'desk@example.com' } },
        ],
      },
    });
    archived = (await runConnector(h.store, h.config.connectors[0]!, { sources: SOURCES, workers: 0 })).archived;
    admin = await userWith(h, 'olga', ['org-admin']);
    rita = await userWith(h, 'rita', ['reviewer']);
    bob = await userWith(h, 'bob', ['reviewer']);
  }, 180_000);

  afterAll(async () => {
    await h?.close();
    await dir?.cleanup();
  });

  interface Item {
    itemKey: string;
    msgid: string;
    terms: string[];
    state: string;
  }

  describe('supervision API', () => {
    it('policies are managed by an admin only; a bad lexicon line is named', async () => {
      expect((await rita.request('POST', '/api/supervision/policies', { name: 'x', lexicon: '保本' })).statusCode).toBe(
        403,
      );
      const bad = await admin.request('POST', '/api/supervision/policies', { name: 'x', lexicon: '保本\n# c\n...\n' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json<{ message: string }>().message).toMatch(/^lexicon:3: /);
      const created = await admin.request('POST', '/api/supervision/policies', {
        name: 'Mis-selling',
        lexicon: '# promises\n保本保收益\n加我私人微信\npersonal WeChat\n',
        msgtypes: ['redpacket'],
        reviewers: ['rita'],
      });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({
        id: 1,
        version: 1,
        conditions: { terms: ['保本保收益', '加我私人微信', 'personal WeChat'] },
      });
      const list = await rita.json<{ policies: unknown[] }>('GET', '/api/supervision/policies');
      expect(list.policies).toHaveLength(1);
    });

    it('applies a policy to the history as a job with progress', async () => {
      expect((await rita.request('POST', '/api/supervision/policies/1/apply')).statusCode).toBe(403);
      const started = await admin.request('POST', '/api/supervision/policies/1/apply');
      expect(started.statusCode).toBe(202);
      let p: { running: boolean; done: number; flagged: number; finishedAt?: string | null } = {
        running: true,
        done: 0,
        flagged: 0,
      };
      for (let i = 0; i < 200 && p.running; i++) {
        await new Promise((r) => setTimeout(r, 50));
        p = await rita.json('GET', '/api/supervision/policies/1/apply');
      }
      expect(p.running).toBe(false);
      expect(p.finishedAt).toBeTruthy();
      const items = await h.store.db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(p.done).toBe(Number(items.n));
      expect(archived).toBeGreaterThan(0);
      const q = await rita.json<{ items: Item[] }>('GET', '/api/supervision/queue?policy=1');
      expect(q.items.length).toBe(p.flagged);
      expect(q.items.length).toBeGreaterThan(1);
    });

    it('the review queue: claim, tag, comment, escalate, resolve; refusals are 409 (403 to a reviewer the policy does not name); all audited', async () => {
      const { items } = await rita.json<{ items: Item[] }>('GET', '/api/supervision/queue?policy=1&state=open');
      const url = `/api/supervision/queue/1/${encodeURIComponent(items[0]!.itemKey)}/actions`;
      expect((await rita.request('POST', url, { action: 'claim' })).statusCode).toBe(200);
      // bob is a reviewer the policy does not name: its flags are not his to claim (nor to read
      // through the claim), until one is escalated to him.
      const notNamed = await bob.request('POST', url, { action: 'claim' });
      expect(notNamed.statusCode).toBe(403);
      expect(notNamed.json()).toMatchObject({ code: 'WXA_FORBIDDEN' });
      expect((await bob.request('GET', url.replace(/actions$/, 'history'))).statusCode).toBe(403);
      expect((await rita.request('POST', url, { action: 'resolve' })).statusCode).toBe(409);
      await rita.json('POST', url, { action: 'tag', tag: 'questionable' });
      await rita.json('POST', url, { action: 'comment', text: 'checking with the desk' });
      expect(await rita.json('POST', url, { action: 'escalate', to: 'bob' })).toMatchObject({
        state: 'escalated',
        assignee: 'bob',
      });
      expect(await bob.json('POST', url, { action: 'resolve', tag: 'non-compliant' })).toMatchObject({
        state: 'resolved',
        tag: 'non-compliant',
      });
      expect((await bob.request('POST', url, { action: 'tag', tag: 'bogus' })).statusCode).toBe(400);
      const hist = await rita.json<{ actions: { actor: string; action: string }[] }>(
        'GET',
        `/api/supervision/queue/1/${encodeURIComponent(items[0]!.itemKey)}/history`,
      );
      expect(hist.actions.map((a) => `${a.actor} ${a.action}`)).toEqual([
        'rita claim',
        'rita tag',
        'rita comment',
        'rita escalate',
        'bob resolve',
      ]);
      const audit = await h.store.db
        .selectFrom('audit_events')
        .select(['actor', 'action'])
        .where('action', 'like', 'supervision.%')
        .orderBy('id')
        .execute();
      expect(audit.map((a) => `${a.actor} ${a.action}`)).toEqual([
        'olga supervision.policy.create',
        'olga supervision.policy.apply',
        'rita supervision.claim',
        'rita supervision.tag',
        'rita supervision.comment',
        'rita supervision.escalate',
        'bob supervision.resolve',
      ]);
      const report = await rita.json<{
        policies: { flagged: number; reviewed: number; open: number }[];
        reviewers: { reviewer: string; reviewed: number }[];
      }>('GET', '/api/supervision/report');
      expect(report.policies[0]).toMatchObject({ flagged: items.length, reviewed: 1, open: items.length - 1 });
      expect(report.reviewers).toEqual([expect.objectContaining({ reviewer: 'bob', reviewed: 1 })]);
    });
  });
});
