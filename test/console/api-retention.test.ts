// Retention through the console API: an org admin creates and locks a policy; the API then
// refuses to shorten it (409 WXA_RETENTION_LOCKED) but extends it; a disposition batch can be
// approved only by the reviewer it names (another reviewer gets 403), and the dry run answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatch } from '../../src/store/index.js';
import { startConsoleOn, userWith, type Client, type ConsoleHarness } from '../helpers/console.js';
import { describeDialects } from '../helpers/dialects.js';

describeDialects('retention API', (t) => {
  let h: ConsoleHarness;
  let admin: Client;

  beforeAll(async () => {
    h = await startConsoleOn(t);
    admin = await userWith(h, 'admin', ['org-admin']);
  });

  afterAll(async () => h.close());

  describe('retention API', () => {
    it('a locked policy refuses shortening through the API and takes a longer period', async () => {
      const created = await admin.request('POST', '/api/retention/policies', {
        name: 'Trading desk',
        period: { value: 5, unit: 'years' },
        scope: { mailboxes: ['desk@example.com'] },
      });
      expect(created.statusCode).toBe(201);
      const id = (created.json() as { id: string }).id;
      expect((await admin.request('POST', `/api/retention/policies/${id}/lock`)).statusCode).toBe(200);
      const shorter = await admin.request('PATCH', `/api/retention/policies/${id}`, {
        period: { value: 4, unit: 'years' },
      });
      expect(shorter.statusCode).toBe(409);
      expect((shorter.json() as { code: string }).code).toBe('WXA_RETENTION_LOCKED');
      const longer = await admin.request('PATCH', `/api/retention/policies/${id}`, {
        period: { value: 6, unit: 'years' },
      });
      expect(longer.statusCode).toBe(200);
      const list = await admin.json<{ policies: { id: string; locked: boolean; period: { value: number } }[] }>(
        'GET',
        '/api/retention/policies',
      );
      expect(list.policies.find((p) => p.id === id)).toMatchObject({ locked: true, period: { value: 6 } });
      const dry = await admin.json<{ dryRun: boolean; deleted: number }>('POST', '/api/retention/dry-run');
      expect(dry).toMatchObject({ dryRun: true, deleted: 0 });
    });

    it('a review policy needs a reviewer; only the named reviewer decides its batch', async () => {
      const bad = await admin.request('POST', '/api/retention/policies', {
        name: 'No reviewer',
        period: { value: 30, unit: 'days' },
        action: 'review',
      });
      expect(bad.statusCode).toBe(400);
      const created = await admin.request('POST', '/api/retention/policies', {
        name: 'Reviewed',
        period: { value: 30, unit: 'days' },
        action: 'review',
        reviewer: 'rita',
      });
      const id = (created.json() as { id: string }).id;
      const batchId = await createBatch(h.store.db, { policyId: id, reviewer: 'rita', entries: [] }, Date.now());
      const rita = await userWith(h, 'rita', ['reviewer']);
      const other = await userWith(h, 'otto', ['reviewer']);
      const refused = await other.request('POST', `/api/retention/batches/${batchId}/decision`, {
        decision: 'approve',
      });
      expect(refused.statusCode).toBe(403);
      const ok = await rita.request('POST', `/api/retention/batches/${batchId}/decision`, {
        decision: 'postpone',
        days: 7,
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'postponed', decided_by: 'rita' });
    });
  });
});
