import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDialects } from '../../../test/helpers/dialects.js';
import type { Db } from '../../store/db.js';
import { createCase } from '../cases/cases.js';
import { createPolicy } from '../retention/policies.js';
import { appendAudit, listAudit } from './log.js';
import { auditRetentionStatus, pruneAudit } from './retention.js';
import { verifyAudit } from './verify.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

describeDialects('audit retention', (t) => {
  let db: Db;

  /** One event a day for `days` days, ending a day before NOW. */
  async function history(days: number): Promise<void> {
    for (let d = days; d >= 1; d--) {
      await appendAudit(db, { actor: 'alice', action: 'item.view', target: `day-${d}` }, NOW - d * DAY);
    }
  }

  beforeEach(async () => {
    db = await t.openDb();
  });
  afterEach(async () => {
    await db.destroy();
  });

  describe('audit retention', () => {
    it('keeps everything when no retention is set (the default)', async () => {
      await history(40);
      const r = await pruneAudit(db, { settingDays: undefined, actor: 'system', now: NOW });
      expect(r).toEqual({ pruned: 0, cutoffAt: null, anchor: null });
      expect((await verifyAudit(db)).events).toBe(40);
    });

    it('prunes the events older than the setting behind an anchor, and verify still passes', async () => {
      await history(40);
      const r = await pruneAudit(db, { settingDays: 10, actor: 'system', now: NOW });
      expect(r.pruned).toBe(30);
      expect(r.anchor).toMatchObject({ throughId: 30, events: 30, beforeAt: NOW - 10 * DAY, keepDays: 10 });
      const page = await listAudit(db, { limit: 500 });
      // The 10 newest days and the prune event itself remain.
      expect(page.events.map((e) => e.target)).toEqual([
        'audit-log',
        ...Array.from({ length: 10 }, (_, i) => `day-${i + 1}`),
      ]);
      expect(page.events[0]).toMatchObject({ action: 'audit.prune', actor: 'system' });
      expect(page.events[10]!.prevHash).toBe(r.anchor!.head);
      const v = await verifyAudit(db);
      expect(v).toEqual({ ok: true, events: 11, pruned: { throughId: 30, head: r.anchor!.head, anchorEventId: 41 } });

      // A second prune later goes on from the first one's anchor.
      const later = await pruneAudit(db, { settingDays: 10, actor: 'system', now: NOW + 5 * DAY });
      expect(later.pruned).toBe(5);
      expect(await verifyAudit(db)).toMatchObject({ ok: true, pruned: { throughId: 35, anchorEventId: 42 } });
    });

    it('still detects tampering with what remains after a prune', async () => {
      await history(40);
      await pruneAudit(db, { settingDays: 10, actor: 'system', now: NOW });
      // Deleting the oldest remaining event: the next one no longer names the anchor's hash.
      await db.deleteFrom('audit_events').where('id', '=', 31).execute();
      const v1 = await verifyAudit(db);
      expect(v1.ok).toBe(false);
      expect(v1.firstBad).toMatchObject({ id: 32 });
      expect(v1.firstBad!.reason).toMatch(/not the hash of event 30, the last one audit prune removed/);
    });

    it('detects an anchor rewritten to cover more deleted events', async () => {
      await history(40);
      await pruneAudit(db, { settingDays: 10, actor: 'system', now: NOW });
      // Someone deletes more and rewrites the anchor to cover it: the anchor's own hash breaks.
      const second = await db
        .selectFrom('audit_events')
        .select(['id', 'hash'])
        .where('id', '=', 32)
        .executeTakeFirstOrThrow();
      await db.deleteFrom('audit_events').where('id', '<=', 32).execute();
      const anchor = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'audit.prune')
        .executeTakeFirstOrThrow();
      const forged = { ...JSON.parse(anchor.detail_json), throughId: 32, head: second.hash };
      await db
        .updateTable('audit_events')
        .set({ detail_json: JSON.stringify(forged) })
        .where('id', '=', anchor.id)
        .execute();
      const v = await verifyAudit(db);
      expect(v.ok).toBe(false);
      expect(v.firstBad).toEqual({
        id: anchor.id,
        reason: 'hash does not match the event: a field of this event was altered',
      });
    });

    it('detects a changed event after the prune', async () => {
      await history(40);
      await pruneAudit(db, { settingDays: 10, actor: 'system', now: NOW });
      await db.updateTable('audit_events').set({ actor: 'mallory' }).where('id', '=', 35).execute();
      expect((await verifyAudit(db)).firstBad).toMatchObject({ id: 35 });
    });

    it('refuses a setting shorter than the longest retention policy, naming it and the least it takes', async () => {
      await history(40);
      await createPolicy(db, { name: 'Five years', period: { value: 5, unit: 'years' } }, 'alice', NOW);
      await createPolicy(db, { name: 'Thirty days', period: { value: 30, unit: 'days' } }, 'alice', NOW);
      await expect(pruneAudit(db, { settingDays: 365, actor: 'system', now: NOW })).rejects.toMatchObject({
        code: 'WXA_AUDIT_RETENTION_SHORT',
        message:
          'audit.retentionDays: 365 days is shorter than retention policy "Five years" (1826 days); the audit log must be kept at least as long as the longest policy: set at least 1826, or remove the setting to keep audit events forever',
      });
      // Nothing was removed.
      expect((await verifyAudit(db)).events).toBe(40);
      const status = await auditRetentionStatus(db, 365, NOW);
      expect(status).toMatchObject({
        settingDays: 365,
        longestPolicy: { name: 'Five years', days: 1826 },
        cutoffAt: null,
      });
      expect(status.problem).toMatch(/shorter than retention policy "Five years"/);
    });

    it('keeps events as long as the longest policy when that is longer, and the events of an open case', async () => {
      await history(40);
      await createPolicy(db, { name: 'Twenty days', period: { value: 20, unit: 'days' } }, 'alice', NOW - 50 * DAY);
      // Setting 20 days equals the policy: allowed; events of the last 20 days stay.
      expect((await pruneAudit(db, { settingDays: 20, actor: 'system', now: NOW, dryRun: true })).pruned).toBe(20);
      await createCase(db, { name: 'Acme v. Foo' }, { username: 'erin' }, NOW - 25 * DAY);
      const r = await pruneAudit(db, { settingDays: 20, actor: 'system', now: NOW });
      // The case opened 25 days ago: the events from then on are kept while it is open.
      expect(r.cutoffAt).toBe(NOW - 25 * DAY);
      expect(r.pruned).toBe(40 - 25);
      expect((await verifyAudit(db)).ok).toBe(true);
    });
  });
});
